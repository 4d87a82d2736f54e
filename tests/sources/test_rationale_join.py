"""The MMedBench rationale join: the index (normalised stems, agreeing answers, ambiguity), a
property test of the stem normalisation, and a real build where a FrenchMedMCQA question borrows
MMedBench's rationale (and licence) - and does not when ``--license-allow`` excludes MMedBench."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.filters.options import FilterOptions
from mmed_ift.pipeline import BuildConfig, build
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources.rationale_join import RationaleIndex, stem_key

OPTIONS = {"A": "Ils diminuent la fréquence cardiaque.", "B": "Ils accélèrent la conduction.", "C": "Aucune."}
QUESTION = "Parmi les propositions suivantes concernant les bêtabloquants, laquelle est exacte ?"
RATIONALE = "Les bêtabloquants ralentissent le cœur en bloquant les récepteurs bêta-1 du nœud sinusal."


def _mc(source: str, question: str = QUESTION, **changes: Any) -> MCQuestion:
    fields: dict[str, Any] = {
        "source": source, "source_id": f"{source}-1", "lang": "fr", "split": "train", "question": question,
        "options": OPTIONS, "answer": ["A"], "license": "Apache-2.0",
    }  # fmt: skip
    fields.update(changes)
    return MCQuestion(**fields)


def _rationale(index: RationaleIndex, item: MCQuestion) -> str | None:
    joined = index.join(item)
    assert isinstance(joined, MCQuestion)
    return joined.rationale


def _index(*donors: MCQuestion) -> RationaleIndex:
    return RationaleIndex.from_items(donors, source="mmedbench", license="CC-BY-NC-4.0")


def test_join_on_normalised_stem_names_both_licences() -> None:
    index = _index(
        _mc(
            "mmedbench",
            question="  parmi les propositions suivantes concernant les BÊTABLOQUANTS, laquelle est exacte?",
            rationale=RATIONALE,
        )
    )
    joined = index.join(_mc("frenchmedmcqa"))
    assert isinstance(joined, MCQuestion) and joined.rationale == RATIONALE
    assert joined.license == "Apache-2.0; rationale: CC-BY-NC-4.0 (mmedbench)"


def test_no_join_when_answers_differ_or_language_differs_or_rationale_exists() -> None:
    index = _index(_mc("mmedbench", rationale=RATIONALE))
    assert _rationale(index, _mc("frenchmedmcqa", answer=["B"])) is None
    assert _rationale(index, _mc("frenchmedmcqa", lang="es")) is None
    assert _rationale(index, _mc("frenchmedmcqa", rationale="own")) == "own"
    assert index.lookup(_mc("mmedbench")) is None  # the donor never joins itself


def test_ambiguous_stems_are_never_joined() -> None:
    index = _index(
        _mc("mmedbench", rationale=RATIONALE), _mc("mmedbench", rationale="Une autre explication.", source_id="x")
    )
    assert len(index) == 0 and _rationale(index, _mc("frenchmedmcqa")) is None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(max_size=40), noise=st.lists(st.sampled_from([" ", "\u3000", ",", "?", "!", "\t", "."]), max_size=5)
)
def test_stem_key_ignores_spacing_punctuation_case_and_width(text: str, noise: list[str]) -> None:
    noisy = "".join(noise) + text.upper() + "".join(noise)
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)  # full-width forms
    assert stem_key(noisy) == stem_key(text.upper()) == stem_key(text.upper().lower().upper())
    assert stem_key(wide) == stem_key(text)
    assert all(char.isalnum() for char in stem_key(noisy))


def join_sources(root: Path) -> Path:
    corpus = root / "frenchmedmcqa" / "corpus"
    corpus.mkdir(parents=True)
    answers = {k.lower(): v for k, v in OPTIONS.items()}
    record = {"id": "a" * 64, "question": QUESTION, "answers": answers, "correct_answers": ["a"],
              "subject_name": "pharmacie", "type": "single", "nbr_correct_answers": 1}  # fmt: skip
    (corpus / "train.json").write_text(json.dumps([record], indent=4), encoding="utf-8")
    train = root / "mmedbench" / "Train"
    train.mkdir(parents=True)
    donor = {"question": QUESTION.upper(), "options": OPTIONS, "answer_idx": "A", "answer": OPTIONS["A"],
             "rationale": RATIONALE, "human_checked": 0, "human_check_passed": 0, "meta_info": "pharmacie"}  # fmt: skip
    (train / "French.jsonl").write_text(json.dumps(donor, ensure_ascii=False) + "\n", encoding="utf-8")
    return root


def _rationale_rows(out: Path) -> list[dict[str, Any]]:
    rows = [row for path in sorted((out / "MMed-IFT-MC").rglob("*.parquet")) for row in pq.read_table(path).to_pylist()]
    return [row for row in rows if row["provenance"]["source"] == "frenchmedmcqa"]


def join_config(sources: Path, out: Path, **changes: Any) -> BuildConfig:
    """Dedup is off: the donor and the borrower are the same question, and exact dedup would keep
    only one of them (the join matters for the copy dedup keeps, or when MMedBench's copy is dropped)."""
    fields: dict[str, Any] = {"languages": ("fr",), "out_dir": out, "sources_dir": sources, "progress": False,
                              "filter_options": FilterOptions(dedup=False)}  # fmt: skip
    fields.update(changes)
    return BuildConfig(**fields)


def test_build_joins_mmedbench_rationale(tmp_path: Path) -> None:
    sources = join_sources(tmp_path / "src")
    build(join_config(sources, tmp_path / "out"))
    rows = _rationale_rows(tmp_path / "out")
    assert {row["task"] for row in rows} == {"mc_rationale"}  # one sample per MC item
    [explained] = [row for row in rows if row["task"] == "mc_rationale"]
    assert RATIONALE in explained["messages"][-1]["content"]
    assert explained["provenance"]["license"] == "Apache-2.0; rationale: CC-BY-NC-4.0 (mmedbench)"


def test_license_allow_without_mmedbench_keeps_rows_unexplained(tmp_path: Path) -> None:
    sources = join_sources(tmp_path / "src")
    build(join_config(sources, tmp_path / "out", license_allow=("apache-2.0",)))
    rows = _rationale_rows(tmp_path / "out")
    assert {row["task"] for row in rows} == {"mc_answer_text"}
    assert {row["provenance"]["license"] for row in rows} == {"Apache-2.0"}
