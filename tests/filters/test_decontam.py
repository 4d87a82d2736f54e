"""Benchmark decontamination: training items against benchmark items, weighted by rarity."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.base import Rejection
from mmed_ift.filters.decontam import (
    BenchmarkIndex,
    ContaminationEvidence,
    DecontamConfig,
    Decontaminate,
    benchmark_name,
    longest_shared_span,
    question_text,
)
from mmed_ift.filters.decontam_eval import EvalReport, evaluate, load_pairs
from mmed_ift.filters.decontam_index import ShingleIndex
from mmed_ift.filters.decontam_shingles import Segments, segment_shingles, split_question
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair

CRAFTED = Path(__file__).resolve().parents[1] / "data" / "decontam_eval" / "crafted.jsonl"
LETTERS = "ABCDE"
DRUGS = [
    "paracétamol",
    "ibuprofène",
    "amoxicilline",
    "métformine",
    "warfarine",
    "héparine",
    "digoxine",
    "furosémide",
    "lisinopril",
    "aténolol",
    "simvastatine",
    "oméprazole",
    "prednisone",
    "salbutamol",
    "insuline",
    "lévothyroxine",
    "morphine",
    "tramadol",
    "ciprofloxacine",
    "vancomycine",
]
TARGETS = ("le foie", "le rein", "le coeur", "les poumons", "le cerveau")
STOCK_FR = "Parmi les propositions suivantes, une seule est fausse, laquelle ?"
BOILERPLATE_JA = "意識は清明。心音と呼吸音とに異常を認めない。腹部は平坦、軟で、肝・脾を触知しない。"


def mc(
    source_id: str,
    question: str,
    options: list[str],
    *,
    source: str = "headqa",
    split: str = "test",
    lang: str = "es",
    answer: str = "A",
) -> MCQuestion:
    return MCQuestion(
        source=source,
        source_id=source_id,
        lang=lang,
        split=split,  # type: ignore[arg-type]
        location=f"{source}.json#{source_id}",
        question=question,
        options=dict(zip(LETTERS, options, strict=False)),
        answer=[answer],
    )


def qa(source_id: str, question: str, answer: str, *, lang: str = "en") -> QAPair:
    return QAPair(source="medquad", source_id=source_id, lang=lang, split="train", question=question, answer=answer)


BENCH_ES = mc(
    "es/2016/12",
    "¿Cuál de las siguientes proteínas es la transportadora de hierro en el plasma sanguíneo?:",
    ["Transferrina.", "Ferritina.", "Hemosiderina.", "Ceruloplasmina.", "Haptoglobina."],
)
FILLER_ES = [
    mc(
        f"es/2016/{n}",
        f"¿Cuál de las siguientes afirmaciones es CORRECTA sobre el fármaco número {n}?:",
        [f"Opción {w} del caso {n}." for w in ("alfa", "beta", "gamma", "delta")],
    )
    for n in range(20)
]


def step(*extra: Item, config: DecontamConfig | None = None) -> Decontaminate:
    return Decontaminate([BENCH_ES, *FILLER_ES, *extra], config or DecontamConfig())


def test_benchmark_name_and_question_text() -> None:
    assert benchmark_name(BENCH_ES) == "headqa/test"
    note = Passage(source="wiki", source_id="1", lang="en", split="test", title="T", text="Body text.")
    assert question_text(note) == "Body text."


def test_repeat_with_a_fixed_typo_reordered_and_relettered_options_is_removed() -> None:
    # the 2013 exam's wording, with the typo of the real HEAD-QA repeat, options reordered
    train = mc(
        "es/2013/40",
        "¿Cuál de las siguientes proteínas es la trasportadora de hierro en el plasma sanguíneo?",
        ["Ceruloplasmina.", "Haptoglobina.", "Transferrina.", "Hemosiderina.", "Ferritina."],
        split="train",
        answer="C",
    )
    result = step().process([train])
    assert result.kept == []
    rejection = result.rejections[0]
    assert rejection.reject.reason == "contaminated" and rejection.reject.source_id == "es/2013/40"
    evidence = rejection.evidence
    assert isinstance(evidence, ContaminationEvidence)
    assert (evidence.benchmark, evidence.benchmark_id) == ("headqa/test", "es/2016/12")
    assert evidence.benchmark_location == "headqa.json#es/2016/12"
    assert evidence.score > 0.8
    assert "de hierro en el plasma sanguíneo" in evidence.shared_span
    assert "headqa/test item es/2016/12" in rejection.reject.detail


def test_one_changed_option_is_still_a_repeat() -> None:
    options = ["Transferrina.", "Ferritina.", "Mioglobina.", "Ceruloplasmina.", "Haptoglobina."]
    train = mc("t", BENCH_ES.question, options, split="train")
    assert len(step().process([train]).rejections) == 1


def test_same_stock_stem_with_other_options_is_kept() -> None:
    # the stock stem occurs in many benchmark questions, so it carries almost no evidence
    bench = [
        mc(f"fr/{n}", STOCK_FR, [f"Le {drug} agit sur {target}" for target in TARGETS], lang="fr")
        for n, drug in enumerate(DRUGS)
    ]
    train = mc(
        "fr/train/1",
        STOCK_FR,
        ["La digoxine est éliminée par le rein", "L'amiodarone contient de l'iode", "Le vérapamil est un bêtabloquant"],
        lang="fr",
        split="train",
    )
    copy = mc("fr/train/2", STOCK_FR, list(bench[7].options.values()), lang="fr", split="train")
    result = Decontaminate(bench).process([train, copy])
    assert [item.source_id for item in result.kept] == ["fr/train/1"]
    assert result.rejections[0].evidence.benchmark_id == "fr/7"  # type: ignore[attr-defined]


def test_shared_japanese_vignette_boilerplate_is_not_a_repeat() -> None:
    cases = [
        (
            "65歳の男性。発熱と咳嗽を主訴に来院した。",
            "胸部エックス線写真で右下肺野に浸潤影を認める。",
            ["肺炎球菌肺炎", "肺結核", "肺癌"],
        ),
        (
            "42歳の女性。全身倦怠感を主訴に来院した。",
            "血液所見で網赤血球の増加を認める。",
            ["溶血性貧血", "鉄欠乏性貧血", "再生不良性貧血"],
        ),
        ("30歳の男性。頭痛を主訴に来院した。", "項部硬直を認める。", ["くも膜下出血", "片頭痛", "緊張型頭痛"]),
        (
            "78歳の女性。腰痛を主訴に来院した。",
            "腰椎エックス線写真で圧迫骨折を認める。",
            ["骨粗鬆症", "多発性骨髄腫", "骨転移"],
        ),
    ]
    bench = [
        mc(f"ja/{n}", f"{head}{BOILERPLATE_JA}{tail}最も考えられるのはどれか。", options, lang="ja", source="igakuqa")
        for n, (head, tail, options) in enumerate(cases)
    ]
    other = mc(
        "ja/train/1",
        f"55歳の男性。動悸を主訴に来院した。{BOILERPLATE_JA}心電図で心房細動を認める。治療として適切なのはどれか。",
        ["抗凝固療法", "ペースメーカー植込み", "経過観察"],
        lang="ja",
        split="train",
    )
    edited = mc(
        "ja/train/2",
        f"65歳の男性。発熱と咳を主訴に来院した。{BOILERPLATE_JA}胸部エックス線写真で右下肺野に浸潤影を認める。"
        "最も考えられるのはどれか。",
        ["肺癌", "肺炎球菌肺炎", "肺結核"],
        lang="ja",
        split="train",
    )
    result = Decontaminate(bench).process([other, edited])
    assert [item.source_id for item in result.kept] == ["ja/train/1"]
    assert result.rejections[0].evidence.benchmark_id == "ja/0"  # type: ignore[attr-defined]


def test_knowledge_item_containing_the_benchmark_question_is_removed() -> None:
    bench = mc(
        "en/1",
        "A 62-year-old woman with long-standing type 2 diabetes has burning pain in both feet that is worse at"
        " night and a loss of vibration sense at the toes. What is the most likely diagnosis?",
        ["Diabetic polyneuropathy", "Tarsal tunnel syndrome", "Vitamin B12 deficiency", "Lumbar stenosis"],
        lang="en",
        source="medqa",
    )
    inside = qa("q1", "Explain this case.", f"Case: {bench.question} The answer is diabetic polyneuropathy.")
    topic = qa(
        "q2",
        "What is diabetic polyneuropathy?",
        "Diabetic polyneuropathy is nerve damage caused by long-standing diabetes; burning feet are typical.",
    )
    result = Decontaminate([bench]).process([inside, topic])
    assert [item.source_id for item in result.kept] == ["q2"]
    assert result.rejections[0].evidence.benchmark_id == "en/1"  # type: ignore[attr-defined]


def test_threshold_changes_the_decision() -> None:
    # a rewording that keeps about half of the benchmark item
    train = mc(
        "t",
        "¿Qué proteína plasmática transporta el hierro por la sangre?",
        ["Transferrina.", "Albúmina.", "Mioglobina.", "Ceruloplasmina.", "Globulina."],
        split="train",
    )
    loose = step(config=DecontamConfig(threshold=0.2)).index.check_items([train])[0]
    strict = step(config=DecontamConfig(threshold=0.9)).index.check_items([train])[0]
    assert loose is not None and loose.benchmark_id == "es/2016/12" and loose.score < 0.9
    assert strict is None


def test_clean_items_and_empty_benchmarks() -> None:
    clean: list[Item] = [
        mc(
            "c1",
            "¿Cuál es el fármaco de primera línea en la diabetes tipo 2?",
            ["Metformina.", "Insulina."],
            split="train",
        ),
        qa("c2", "什么是高血压？", "高血压是指动脉血压持续升高。", lang="zh"),
    ]
    assert step().process(clean).kept == clean
    empty = Decontaminate([])
    assert empty.process(clean).kept == clean
    assert len(empty.index) == 0
    assert empty.details(empty.new_stats(), [])["benchmarks"] == {}
    assert BenchmarkIndex([]).check(["anything"], ["en"]) == [None]
    assert step().index.check([], []) == []


def test_audit_check_finds_a_published_row() -> None:
    row = (
        "Answer the question.\nQuestion: ¿Cuál de las siguientes proteínas es la transportadora de hierro en el"
        " plasma sanguíneo?:\nA. Transferrina.\nB. Ferritina.\nC. Hemosiderina.\nD. Ceruloplasmina."
        "\nE. Haptoglobina.\nA"
    )
    hits = step().index.check([row, "Una pregunta distinta sobre la insulina."], ["es", "es"])
    assert hits[0] is not None and hits[0].benchmark_id == "es/2016/12"
    assert hits[1] is None


def test_report_details_carry_every_removal_with_its_evidence() -> None:
    copies: list[Item] = [
        mc(f"t{n}", BENCH_ES.question, list(BENCH_ES.options.values()), split="train") for n in range(2)
    ]
    decontaminate = step()
    result = decontaminate.process(copies)
    details: dict[str, Any] = decontaminate.details(result.stats, result.rejections)  # type: ignore[arg-type]
    assert details["benchmarks"]["headqa/test"] == {"items": 21, "removed": 2}
    removals = details["examples"]["headqa/test"]
    assert [removal["item"] for removal in removals] == ["headqa:t0", "headqa:t1"]
    assert removals[0]["benchmark_id"] == "es/2016/12" and removals[0]["score"] == 1.0
    assert removals[0]["benchmark_location"] == "headqa.json#es/2016/12"
    assert removals[0]["shared_span"].startswith("cuál de las siguientes proteínas")
    assert (details["threshold"], details["min_shared"]) == (0.5, 5.0)


def test_longest_shared_span() -> None:
    assert longest_shared_span("El Virus de la RUBEOLA es un:", "el virus de la rubéola es un") == "el virus de la rub"


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    hashes, owner, _ = segment_shingles(["abc", "", "abcdef"], ["en", "en", "en"])
    assert owner.tolist() == [0, 2, 2]
    assert len(set(hashes.tolist())) == 3


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(BENCH_ES.options.values())), st.sampled_from(["es", "en", "fr"]))
def test_score_ignores_option_order(options: list[str], lang: str) -> None:
    index = ShingleIndex([Segments(BENCH_ES.question, tuple(BENCH_ES.options.values()))], [lang], 16, 3)
    match = index.score(Segments(BENCH_ES.question, tuple(options)), lang, True, 0)
    assert abs(match.score - 1.0) < 1e-9


CASE_JA = (
    "72歳の男性。1週前からの動悸を主訴に来院した。高血圧症と糖尿病とで内服治療中である。脈拍112/分、不整。"
    f"{BOILERPLATE_JA}心電図でP波を認めず、RR間隔は不規則である。"
)
#: the second question of an IgakuQA case series (the case above, then its question)
CHADS2_JA = mc(
    "ja/112C52",
    f"{CASE_JA}この患者のCHADS2スコアはどれか。",
    ["2点", "1点", "3点", "4点", "5点"],
    lang="ja",
    source="igakuqa",
)


def test_split_question_takes_the_last_sentence() -> None:
    assert split_question(f"{CASE_JA}脳梗塞予防に用いるのはどれか。", "ja") == (
        CASE_JA,
        "脳梗塞予防に用いるのはどれか。",
    )
    assert split_question("患者，男，52岁，口渴多饮半年，首选的降糖药物是", "zh")[1] == "首选的降糖药物是"
    case, question = split_question("A 62-year-old man has chest pain. Why?", "en")
    assert (case, question) == ("", "A 62-year-old man has chest pain. Why?")  # "Why?" alone is too short
    assert split_question("¿Cuál es el fármaco de elección?", "es") == ("", "¿Cuál es el fármaco de elección?")


def test_same_case_with_another_question_is_not_a_repeat() -> None:
    # a question series: the follow-up carries the case (mmed_ift/sources/_case_series.py)
    first = mc(
        "ja/112C51",
        f"{CASE_JA}脳梗塞予防に用いるのはどれか。",
        ["直接経口抗凝固薬", "アスピリン", "ジゴキシン", "β遮断薬", "硝酸薬"],
        lang="ja",
        source="igakuqa",
    )
    second = CHADS2_JA
    other = mc(
        "ja/train/3",
        f"{CASE_JA}まず行うべき検査はどれか。",
        ["心エコー検査", "冠動脈造影", "運動負荷心電図", "胸部CT", "頭部MRI"],
        lang="ja",
        split="train",
    )
    copy = mc("ja/train/2", second.question, ["5点", "4点", "3点", "2点", "1点"], lang="ja", split="train")
    result = Decontaminate([first, second]).process([other, copy])
    assert [item.source_id for item in result.kept] == ["ja/train/3"]
    assert result.rejections[0].evidence.benchmark_id == "ja/112C52"  # type: ignore[attr-defined]
    # without the question-part condition the shared case alone removes the other question
    loose = Decontaminate([first, second], DecontamConfig(question_threshold=0.0)).process([other])
    assert loose.kept == []


def test_crafted_japanese_and_chinese_pairs_meet_the_targets() -> None:
    pairs = [pair for pair in load_pairs(CRAFTED) if pair.lang in ("ja", "zh")]
    config = DecontamConfig()
    report = evaluate(pairs, [], config.threshold, config.min_shared, question_threshold=config.question_threshold)
    for lang in ("ja", "zh"):
        counts = report.counts[lang]
        assert sum(counts.values()) >= 40
        assert EvalReport.precision(counts) >= 0.95 and EvalReport.recall(counts) >= 0.98, report.table()
    assert report.by_kind["same_case_other_question"]["fp"] == 0
    assert report.by_kind["same_case_other_question"]["tn"] >= 16


def test_the_index_is_built_at_first_use_and_kept() -> None:
    # built at the first judge (not while the chain is set up: earlier steps run without it)
    decontam = step()
    assert decontam._index is None
    train = mc("es/2013/40", BENCH_ES.question, list(BENCH_ES.options.values()), split="train")
    [outcome] = decontam.judge([train], decontam.new_stats())
    built = decontam._index
    assert isinstance(outcome, Rejection) and built is not None
    assert decontam.index is built and len(built) == len(FILLER_ES) + 1


def test_an_index_that_cannot_be_built_fails_at_first_use_and_again() -> None:
    # an item of no source type: its segments cannot be cut
    bad = Decontaminate([SimpleNamespace(source="exam", split="test", lang="es")])  # type: ignore[list-item]
    for _ in range(2):
        with pytest.raises(TypeError, match="not a source item"):
            bad.judge([], bad.new_stats())


def test_a_japanese_copy_is_found_whatever_languages_share_its_batch_or_the_index() -> None:
    # a shingle's hash is a function of its own characters: a zh/ja 3-gram hashed beside en/es
    # text (whose shingles are 5 characters) once took two more multiply steps than in an
    # all-zh/ja batch, so an index built from mixed benchmarks missed a copy judged among
    # Japanese records only
    bench = CHADS2_JA
    copy = mc("ja/train/2", bench.question, ["5点", "4点", "3点", "2点", "1点"], lang="ja", split="train")
    english = mc("en/train/1", "Which drug is first line for hypertension?", ["A", "B"], lang="en", split="train")
    for benchmarks in ([bench], [bench, BENCH_ES]):
        for batch in ([copy], [copy, english]):
            result = Decontaminate(benchmarks).process(batch)
            assert [rejection.reject.source_id for rejection in result.rejections] == ["ja/train/2"]


def test_a_shingle_hashes_alike_alone_and_beside_longer_shingles() -> None:
    alone, _, _ = segment_shingles(["心房細動の患者"], ["ja"])
    mixed, owner, _ = segment_shingles(["心房細動の患者", "atrial fibrillation"], ["ja", "en"])
    assert mixed[owner == 0].tolist() == alone.tolist()
    short_alone, _, _ = segment_shingles(["abc"], ["en"])
    short_mixed, owner, _ = segment_shingles(["abc", "心房細動"], ["en", "ja"])
    assert short_mixed[owner == 0].tolist() == short_alone.tolist()
