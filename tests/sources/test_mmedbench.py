"""MMedBench adapter.  The real files are not in ``realdata`` (MMedBench is on the Hugging Face Hub
only, see MANIFEST.md), so the upstream layout (``Train/`` and ``Test/`` with one
``<Language>.jsonl`` per language) and its traps are rebuilt here, plus the bundled sample and
damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.mmedbench import LANGUAGE_FILES, parse_answer_idx
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("mmedbench")
SAMPLES = bundled_samples_root() / "mmedbench"
OPTIONS = {"A": "Aortic dissection", "B": "Pericarditis", "C": "Pulmonary embolism", "D": "Pneumothorax"}


def _record(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "question": "Tearing chest pain radiating to the back with unequal arm pressures suggests which diagnosis?",
        "answer": "Aortic dissection",
        "options": dict(OPTIONS),
        "meta_info": "step2&3",
        "answer_idx": "A",
        "rationale": "Unequal arm pressures and tearing pain point to dissection; the others do not.",
        "human_checked": 0,
        "human_check_passed": 0,
    }
    record.update(fields)
    return record


def _jsonl(records: list[Any]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- upstream layout and traps -------------------------------------------------------------


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    root = tmp_path / "MMedBench"
    (root / "Train").mkdir(parents=True)
    (root / "Test").mkdir()
    (root / "Train" / "English.jsonl").write_text(
        _jsonl(
            [
                _record(),
                _record(answer_idx="A,C", answer="Aortic dissection, Pulmonary embolism"),
                _record(answer_idx=["B", "D"]),
                _record(answer_idx=""),
                _record(answer_idx="E"),
                _record(options=OPTIONS | {"E": ""}),
                _record(human_checked=1, human_check_passed=0),
                _record(human_checked=True, human_check_passed=True),
                _record(answer_idx=3),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (root / "Test" / "Russian.jsonl").write_text(
        _jsonl([_record(question="Вопрос?", options={"A": "да", "B": "нет"}, answer_idx="B", answer="нет")]),
        encoding="utf-8",
    )
    (root / "Test" / "German.jsonl").write_text(_jsonl([_record()]), encoding="utf-8")  # not an MMedBench file
    return root


def test_upstream_layout(upstream: Path) -> None:
    results = list(ADAPTER.read(upstream))
    assert len(results) == 10
    by_id = {result.source_id: result for result in results}
    assert by_id["test/ru/1"].answer == ["B"] and by_id["test/ru/1"].split == "test"
    kept, rejected = split_results(results)
    assert Counter(reject.reason for reject in rejected) == {
        "missing_answer": 1,
        "answer_not_in_options": 1,
        "bad_format": 1,
    }
    assert all(item.lang in ("en", "ru") for item in kept)
    assert not any("German" in result.location for result in results)


def test_upstream_fields_map(upstream: Path) -> None:
    by_id = {result.source_id: result for result in ADAPTER.read(upstream)}
    first = by_id["train/en/1"]
    assert isinstance(first, MCQuestion)
    assert first.options == OPTIONS and first.answer == ["A"]
    assert first.rationale is not None and first.rationale.startswith("Unequal arm pressures")
    assert first.subject == "step2&3" and first.exam == "MMedBench"
    assert first.location == "Train/English.jsonl:1"
    assert by_id["train/en/2"].answer == ["A", "C"]  # "A,C": multi-answer
    assert by_id["train/en/3"].answer == ["B", "D"]  # a list in some dumps
    assert by_id["train/en/4"].reason == "missing_answer"  # type: ignore[union-attr]
    assert by_id["train/en/5"].reason == "answer_not_in_options"  # type: ignore[union-attr]
    padded = by_id["train/en/6"]
    assert isinstance(padded, MCQuestion) and sorted(padded.options) == ["A", "B", "C", "D"]  # blank "E" left out
    failed_check = by_id["train/en/7"]
    assert isinstance(failed_check, MCQuestion) and failed_check.rationale is None
    passed_check = by_id["train/en/8"]
    assert isinstance(passed_check, MCQuestion) and passed_check.rationale is not None
    assert by_id["train/en/9"].reason == "bad_format"  # type: ignore[union-attr]


def test_parse_answer_idx() -> None:
    assert parse_answer_idx("C", "x") == ["C"]
    assert parse_answer_idx("A, C,E", "x") == ["A", "C", "E"]
    assert parse_answer_idx(["d", "b"], "x") == ["B", "D"]
    assert parse_answer_idx(" ", "x") == []
    for bad in (3, None, "A or D", ["A", 1]):
        with pytest.raises(SourceFormatError):
            parse_answer_idx(bad, "x")


def test_spec() -> None:
    assert set(ADAPTER.spec.languages) == set(LANGUAGE_CODES)
    assert ADAPTER.spec.hub_id == "Henrychur/MMedBench"
    assert set(LANGUAGE_FILES.values()) == set(LANGUAGE_CODES)


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results = list(ADAPTER.read(SAMPLES))
    read, rejected = split_results(results)
    assert rejected == []
    kept = [item for item in read if item.split == "train"]
    # Test/<Language>.jsonl: the benchmark items, three of them Japanese (one multi-answer)
    test = [item for item in read if item.split == "test"]
    expected: dict[str, int] = {lang: 3 if lang == "ja" else 2 for lang in LANGUAGE_CODES}
    assert Counter(item.lang for item in test) == expected
    assert any(item.is_multi_answer for item in test if item.lang == "ja")
    assert len(kept) == 48
    assert Counter(item.lang for item in kept) == {lang: 8 for lang in LANGUAGE_CODES}
    assert all(item.split == "train" for item in kept)
    assert all(item.rationale and len(item.rationale) > 150 for item in kept)
    assert any(item.is_multi_answer for item in kept)
    assert len({item.question for item in kept}) == 48


def test_bundled_sample_answers_match_option_text() -> None:
    for path in sorted((SAMPLES / "Train").glob("*.jsonl")):
        for record in _lines(path):
            keys = record["answer_idx"].split(",")
            assert all(record["options"][key] in record["answer"] for key in keys), (path.name, record["question"])
            assert record["human_checked"] in (0, 1) and isinstance(record["meta_info"], str)


# -- damaged files --------------------------------------------------------------------------


def _nonblank_lines(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    records = _lines(SAMPLES / "Train" / "French.jsonl")
    index = data.draw(st.integers(0, len(records) - 1))
    records[index] = data.draw(corrupt_json(records[index]))
    root = tmp_path_factory.mktemp("mmedbench")
    (root / "Train").mkdir()
    (root / "Train" / "French.jsonl").write_text(_jsonl(records), encoding="utf-8")
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(records)
    assert len(kept) >= len(records) - 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes((SAMPLES / "Train" / "Japanese.jsonl").read_bytes()))
    root = tmp_path_factory.mktemp("mmedbench")
    (root / "Train").mkdir()
    (root / "Train" / "Japanese.jsonl").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == _nonblank_lines(damaged)
    assert all(reject.lang == "ja" and reject.split == "train" for reject in rejected)
