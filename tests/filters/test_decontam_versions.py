"""Language versions of one item: HEAD-QA publishes every Spanish question with its English
translation under the same release id.  When one version's own text repeats a benchmark item,
every version is the same question and goes with it, by default (no cross-lingual check needed)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

import mmed_ift
from mmed_ift.filters import decontam_versions
from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.decontam_versions import VersionLinks, version_group
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.schemas import Item, MCQuestion
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


def _reference_other_languages(parallel: list[Item], item: Item) -> dict[str, list[Item]] | None:
    """What :class:`VersionLinks` answered before its shortcuts: every MC version of ``item``'s
    group, in the given order, by language other than ``item``'s (None: none)."""
    group = version_group(item)
    if group is None:
        return None
    others: dict[str, list[Item]] = {}
    for version in parallel:
        if isinstance(version, MCQuestion) and version_group(version) == group and version.lang != item.lang:
            others.setdefault(version.lang, []).append(version)
    return others or None


_VERSION = st.builds(
    lambda source, lang, prefix, qid: decontam_mc(
        f"{prefix or lang}/Cuaderno_2014/{qid}", "Q?", ["A.", "B."], source=source, split="train", lang=lang
    ),
    st.sampled_from(["headqa", "medexpqa", "medqa"]),
    st.sampled_from(["es", "en", "fr"]),
    st.sampled_from([None, "xx"]),
    st.integers(0, 4),
)


#: stand-ins for ``hash`` that make groups collide: all of them, or those of one question number
#: (then a group asked for may share its hash with the one stored group of that hash)
_COLLIDING = {"all": lambda group: 7, "qid": lambda group: int(group[1][-1])}


@given(st.lists(_VERSION, max_size=12), st.lists(_VERSION, max_size=6), st.sampled_from([None, "all", "qid"]))
@settings(max_examples=400, deadline=None)
def test_version_lookups_equal_the_comparison_of_every_version(
    parallel: list[Item], asked: list[Item], colliding: str | None
) -> None:
    """The stable sort by hash, the one-group-per-hash shortcut and the single-language shortcut
    answer what comparing every version's group does (``colliding``: groups hash alike, so the
    shortcut must see the collision, or compare the group of the one it finds)."""
    fake = _COLLIDING[colliding] if colliding else None
    with mock.patch.object(decontam_versions, "hash", fake, create=True) if fake else nullcontext():
        links: VersionLinks[int] = VersionLinks(parallel)
        for item in [*parallel, *asked]:
            found = links._other_languages(item, version_group(item))
            # the very versions, in the same order, languages in the same order
            assert _ids(found[1] if found else None) == _ids(_reference_other_languages(parallel, item))


def _ids(by_language: dict[str, list[Item]] | None) -> list[tuple[str, list[int]]]:
    return [(lang, [id(version) for version in versions]) for lang, versions in (by_language or {}).items()]
