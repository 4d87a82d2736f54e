"""medical_qa_ru_data adapter: the bundled CSV (counts, a named row, the reject), the first
answer rule (a property test), the unknown license, and damaged files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import QAPair, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.base import license_id
from mmed_ift.sources.medical_qa_ru import first_answer
from tests.sources.corrupt import corrupt_bytes, read_all, split_results

ADAPTER = get_source("medical_qa_ru")
ROOT = bundled_samples_root() / "medical_qa_ru"
SAMPLE = ROOT / "medical_qa_ru_data.csv"


def test_bundled_counts_and_reject() -> None:
    kept, rejected = split_results(list(ADAPTER.read(ROOT)))
    assert len(kept) == 14 and all(isinstance(item, QAPair) and item.lang == "ru" for item in kept)
    assert [(r.reason, r.location) for r in rejected] == [("missing_answer", "medical_qa_ru_data.csv:20")]
    assert all(item.patient_dialogue for item in kept)  # forum text goes through the PII scrub


def test_named_row_keeps_the_first_answer() -> None:
    [item] = [r for r in ADAPTER.read(ROOT) if isinstance(r, QAPair) and r.source_id == "train/2"]
    assert item.title == "Рак лёгкого" and item.qtype == "Терапия"
    assert item.answer.startswith("Большинство случаев рака лёгкого") and "Согласен с коллегой" not in item.answer


def test_unknown_license_never_matches_an_allow_list() -> None:
    assert license_id(ADAPTER.spec.license) == "unknown"


def test_missing_column_is_a_reject(tmp_path: Path) -> None:
    (tmp_path / SAMPLE.name).write_text("date,theme\n2020-01-01,x\n", encoding="utf-8")
    [reject] = list(ADAPTER.read(tmp_path))
    assert isinstance(reject, Reject) and reject.reason == "bad_format"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=12), max_size=5))
def test_first_answer_property(answers: list[str]) -> None:
    """The first answer with text, stripped; empty when none has text."""
    expected = next((a.strip() for a in answers if a.strip()), "")
    joined = ";\n".join(answers)
    if any(";\n" in a for a in answers):
        return  # the separator inside an answer is ambiguous by construction
    assert first_answer(joined) == expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("medqaru")
    (root / SAMPLE.name).write_bytes(data.draw(corrupt_bytes(SAMPLE.read_bytes())))
    split_results(read_all(ADAPTER, root))
