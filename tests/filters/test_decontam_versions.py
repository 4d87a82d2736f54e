"""Language versions of one item: HEAD-QA publishes every Spanish question with its English
translation under the same release id.  When one version's own text repeats a benchmark item,
every version is the same question and goes with it, by default (no cross-lingual check needed)."""

from __future__ import annotations

from pathlib import Path

import mmed_ift
from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.schemas import Item
from tests.filters.test_decontam import mc as decontam_mc

#: an English test question of a later exam, and the 2014 question it repeats in both versions
BENCH = decontam_mc(
    "en/Cuaderno_2016_1_B/1",
    "Which enzyme converts angiotensin I into angiotensin II in the pulmonary capillaries?",
    ["Renin.", "Angiotensin-converting enzyme.", "Aldosterone synthase.", "Chymase."],
    source="headqa",
    split="test",
    lang="en",
)
REPEAT_EN = decontam_mc(
    "en/Cuaderno_2014_1_B/7",
    "Which enzyme transforms angiotensin I into angiotensin II in the pulmonary capillaries?",
    ["Renin.", "Angiotensin-converting enzyme.", "Aldosterone synthase.", "Chymase."],
    source="headqa",
    split="train",
    lang="en",
)
REPEAT_ES = decontam_mc(
    "es/Cuaderno_2014_1_B/7",
    "¿Qué enzima transforma la angiotensina I en angiotensina II en los capilares pulmonares?",
    ["Renina.", "Enzima convertidora de angiotensina.", "Aldosterona sintasa.", "Quimasa."],
    source="headqa",
    split="train",
    lang="es",
)
#: another question of the same exam in Spanish, whose English version repeats nothing
OTHER_ES = decontam_mc(
    "es/Cuaderno_2014_1_B/8",
    "¿Cuál es el principal catión intracelular?",
    ["Sodio.", "Potasio.", "Calcio.", "Magnesio."],
    source="headqa",
    split="train",
    lang="es",
)
OTHER_EN = decontam_mc(
    "en/Cuaderno_2014_1_B/8",
    "What is the main intracellular cation?",
    ["Sodium.", "Potassium.", "Calcium.", "Magnesium."],
    source="headqa",
    split="train",
    lang="en",
)
TRAINING: list[Item] = [REPEAT_ES, OTHER_ES, REPEAT_EN, OTHER_EN]


def test_every_version_of_a_repeated_item_is_removed_with_the_evidence_of_its_sibling() -> None:
    alone = Decontaminate([BENCH], DecontamConfig()).process(TRAINING)
    assert [r.reject.source_id for r in alone.rejections] == [REPEAT_EN.source_id], "monolingual: English only"
    linked = Decontaminate([BENCH], DecontamConfig(), parallel_items=TRAINING).process(TRAINING)
    removed = {r.reject.source_id: r.evidence for r in linked.rejections}
    assert set(removed) == {REPEAT_EN.source_id, REPEAT_ES.source_id}
    spanish = removed[REPEAT_ES.source_id]
    assert spanish.benchmark_id == BENCH.source_id  # type: ignore[attr-defined]
    assert spanish.shared_span.startswith(f"its en version {REPEAT_EN.source_id} repeats it")  # type: ignore[attr-defined]
    assert [item.source_id for item in linked.kept] == [OTHER_ES.source_id, OTHER_EN.source_id]


def test_the_build_links_versions_of_the_sources_it_reads(tmp_path: Path) -> None:
    """A HEAD-QA folder with both releases: the Spanish training version of a leaked English test
    item is removed by the default build, and the report names its sibling."""
    import json

    root = tmp_path / "sources" / "headqa"
    for lang, items in (("es", [REPEAT_ES, OTHER_ES]), ("en", [REPEAT_EN, OTHER_EN, BENCH])):
        suffix = "_EN" if lang == "en" else ""
        for split in ("train", "test"):
            exams: dict[str, list[dict[str, object]]] = {}
            for item in items:
                if (item.split == "test") != (split == "test"):
                    continue
                exam, qid = item.source_id.split("/")[1:]
                answers = [{"aid": i + 1, "atext": text} for i, text in enumerate(item.options.values())]
                exams.setdefault(exam, []).append(
                    {"qid": qid, "qtext": item.question, "ra": "2", "answers": answers, "image": ""}
                )
            payload = {"version": "1.0", "language": lang, "exams": {
                exam: {"name": exam, "year": exam.split("_")[1], "category": "medicine", "data": data}
                for exam, data in exams.items()
            }}  # fmt: skip
            folder = root / f"HEAD{suffix}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{split}_HEAD{suffix}.json").write_text(json.dumps(payload), encoding="utf-8")
    out = tmp_path / "out"
    mmed_ift.build(BuildConfig(languages=("en", "es"), out_dir=out, sources_dir=tmp_path / "sources", progress=False))
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    contaminated = {r["source_id"] for r in rejects if r["reason"] == "contaminated"}
    assert contaminated == {REPEAT_EN.source_id, REPEAT_ES.source_id}


def test_a_training_item_whose_other_version_is_a_benchmark_item_is_that_item() -> None:
    """The release translated it: no text in common is needed, the release id says so."""
    spanish_of_bench = decontam_mc(
        "es/Cuaderno_2016_1_B/1",
        "¿Qué enzima transforma la angiotensina I en angiotensina II en los capilares pulmonares?",
        ["Renina.", "Enzima convertidora de angiotensina.", "Aldosterona sintasa.", "Quimasa."],
        source="headqa",
        split="train",
        lang="es",
    )
    result = Decontaminate([BENCH], DecontamConfig()).process([spanish_of_bench, OTHER_ES])
    assert [r.reject.source_id for r in result.rejections] == [spanish_of_bench.source_id]
    evidence = result.rejections[0].evidence
    assert evidence.benchmark_id == BENCH.source_id and evidence.score == 1.0  # type: ignore[attr-defined]
    assert "its en version is this benchmark item" in evidence.shared_span  # type: ignore[attr-defined]
    # another source's item with the same id shape is not a version of the benchmark item
    other_source = decontam_mc(
        "es/Cuaderno_2016_1_B/1", "¿Cuál es el principal catión intracelular?", ["Sodio.", "Potasio."],
        source="frenchmedmcqa", split="train", lang="es",
    )  # fmt: skip
    assert Decontaminate([BENCH], DecontamConfig()).process([other_source]).rejections == []
