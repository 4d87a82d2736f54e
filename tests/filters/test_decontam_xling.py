"""Cross-lingual decontamination: a training item that is another language's version of a
benchmark item (cognate matching, opt-in)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.cli import main
from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.decontam_xling import CrossLingualIndex, cognate_word, cognate_words, family
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources.base import bundled_samples_root
from tests.filters.test_decontam import mc as decontam_mc


def mc(
    source_id: str, question: str, options: list[str], lang: str, split: str = "test", source: str = "headqa"
) -> MCQuestion:
    return decontam_mc(source_id, question, options, source=source, split=split, lang=lang)


#: English benchmark items of one exam (as HEAD-QA's English release has them)
BENCH_EN = [
    mc(
        "en/1",
        "Which of the following proteins is the iron transporter in blood plasma?",
        ["Transferrin.", "Ferritin.", "Hemosiderin.", "Ceruloplasmin.", "Haptoglobin."],
        "en",
    ),
    mc(
        "en/2",
        "The diet of a person with intestinal diverticulosis should be:",
        ["Rich in fiber.", "Low in residue.", "Rich in lactose.", "Low in protein.", "Rich in fat."],
        "en",
    ),
    mc(
        "en/3",
        "Which enzyme catalyses the oxidative decarboxylation of pyruvate?",
        ["Pyruvate dehydrogenase.", "Pyruvate carboxylase.", "Lactate dehydrogenase.", "Citrate synthase.", "Enolase."],
        "en",
    ),
    mc(
        "en/4",
        "A karyotype 45,XX,rob(14;21)(q10;q10) corresponds to:",
        ["A balanced carrier.", "Down syndrome.", "Edwards syndrome.", "Turner syndrome.", "Patau syndrome."],
        "en",
    ),
]
TRANSLATED = mc(
    "es/train/7",
    "¿Cuál de las siguientes proteínas transporta el hierro en el plasma sanguíneo?",
    ["Ceruloplasmina.", "Transferrina.", "Ferritina.", "Haptoglobina.", "Hemosiderina."],
    "es",
    split="train",
)
SAME_TOPIC = mc(
    "es/train/8",
    "¿Qué proteína almacena el hierro en el interior de los hepatocitos?",
    ["Ferritina.", "Mioglobina.", "Albúmina.", "Hemoglobina.", "Lactoferrina."],
    "es",
    split="train",
)


def test_cognate_words_match_across_languages() -> None:
    assert cognate_word("Transferrina") == cognate_word("Transferrin") == "transferin"
    assert cognate_word("oxidación") == cognate_word("oxidation") == "oxid"
    assert cognate_word("Hemoglobina") == cognate_word("hémoglobine") == cognate_word("haemoglobin")
    assert cognate_word("0,15") == "0.15"
    assert cognate_words("El pH de la sangre es 7,4") == ("sangr", "7.4")
    assert family("headqa") == family("medexpqa") == "mir" and family("medqa") is None


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñ", min_size=1, max_size=20))
def test_cognate_word_is_stable_and_never_empty(word: str) -> None:
    folded = cognate_word(word)
    assert folded and folded == cognate_word(word.upper())


def test_translated_repeat_is_removed_only_with_the_option() -> None:
    plain = Decontaminate(BENCH_EN).process([TRANSLATED, SAME_TOPIC])
    assert plain.rejections == []
    cross = Decontaminate(BENCH_EN, DecontamConfig(crosslingual=True)).process([TRANSLATED, SAME_TOPIC])
    assert [item.source_id for item in cross.kept] == ["es/train/8"]
    evidence = cross.rejections[0].evidence
    assert evidence.benchmark_id == "en/1"  # type: ignore[attr-defined]
    assert evidence.shared_span.startswith("cognates: ") and "transferin" in evidence.shared_span  # type: ignore[attr-defined]
    step = Decontaminate(BENCH_EN, DecontamConfig(crosslingual=True))
    details = step.details(step.new_stats(), cross.rejections)
    assert details["crosslingual"] is True


def test_only_other_languages_of_the_same_family_are_compared() -> None:
    index = CrossLingualIndex(BENCH_EN)
    same_language = mc("en/train/1", BENCH_EN[0].question, list(BENCH_EN[0].options.values()), "en", "train")
    other_family = mc("x", TRANSLATED.question, list(TRANSLATED.options.values()), "es", "train", source="medmcqa")
    hits = index.best([TRANSLATED, same_language, other_family])
    assert hits[0] is not None and hits[0].bench == 0
    assert hits[1] is None and hits[2] is None
    assert len(index) == 4 and len(CrossLingualIndex([mc("z", "q", ["a", "b"], "zh")])) == 0


def test_build_option_removes_a_translated_repeat(tmp_path: Path) -> None:
    # a benchmark published in English only, and a Spanish training item translating one of its
    # questions in other words than the official Spanish version
    sources = tmp_path / "sources"
    shutil.copytree(bundled_samples_root() / "headqa", sources / "headqa")
    (sources / "headqa" / "HEAD" / "test_HEAD.json").unlink()
    train_file = sources / "headqa" / "HEAD" / "train_HEAD.json"
    train = json.loads(train_file.read_text(encoding="utf-8"))
    exam = next(iter(train["exams"].values()))
    options = [
        "Cerebelo.",
        "Núcleo caudado.",
        "Sustancia negra pars compacta.",
        "Corteza motora primaria.",
        "Médula espinal.",
    ]
    exam["data"].append(
        {
            "qid": "999",
            "qtext": "Un hombre de 70 años presenta temblor en reposo, rigidez y bradicinesia, sobre todo en el lado"
            " derecho. ¿Qué estructura está afectada?",
            "ra": "3",
            "answers": [{"aid": aid, "atext": text} for aid, text in enumerate(options, start=1)],
            "image": "",
        }
    )
    train_file.write_text(json.dumps(train, ensure_ascii=False), encoding="utf-8")
    gold = sources / "headqa" / "HEAD" / "Cuaderno_2013_1_M.gold"
    gold.write_text(gold.read_text(encoding="utf-8").rstrip("\n") + "\n999\t3\n", encoding="utf-8")
    removed = {}
    for name, flags in (("plain", []), ("cross", ["--decontam-crosslingual"])):
        out = tmp_path / name
        args = ["build", "--all", "--sources", str(sources), "--out", str(out), "--no-progress", "-q", *flags]
        assert main(args) == 0
        report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
        removed[name] = report["filters"]["decontam"]["details"]["examples"].get("headqa/test", [])
    assert removed["plain"] == []
    assert [example["item"] for example in removed["cross"]] == ["headqa:es/Cuaderno_2013_1_M/999"]
    assert removed["cross"][0]["benchmark_id"] == "en/Cuaderno_2016_1_M/3"
