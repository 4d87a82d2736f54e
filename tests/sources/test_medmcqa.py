"""MedMCQA adapter.  No real upstream file was obtained (see the realdata MANIFEST), so this reads
synthetic files in both upstream forms (GitHub JSON lines with 1-based ``cop``; Hugging Face
parquet with 0-based ``cop`` and -1 for the hidden test answers), the bundled sample, and damaged
files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.medmcqa import answer_key, split_from_name
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("medmcqa")
SAMPLE = bundled_samples_root() / "medmcqa" / "train.json"
PARQUET = "data/validation-00000-of-00001.parquet"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _jsonl(rows: list[Any]) -> str:
    """The GitHub serialisation: one object per line, ``ensure_ascii=True``, trailing newline."""
    return "".join(json.dumps(row) + "\n" for row in rows)


def _row(ident: str, cop: Any = 1, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "question": "Vitamin deficiency causing pellagra is:",
        "exp": "Niacin deficiency causes pellagra.",
        "cop": cop,
        "opa": "Thiamine",
        "opb": "Niacin",
        "opc": "Riboflavin",
        "opd": "Pyridoxine",
        "subject_name": "Biochemistry",
        "topic_name": "Vitamins",
        "id": ident,
        "choice_type": "single",
    }
    row.update(changes)
    return row


def _write_parquet(root: Path, rows: list[dict[str, Any]], name: str = PARQUET) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


# -- the two upstream forms (no real file exists) --------------------------------------------


def test_spec_holds_validation_out() -> None:
    assert ADAPTER.spec.eval_splits == ("validation", "test")
    assert ADAPTER.spec.languages == ("en",)


def test_github_jsonl_is_one_based(tmp_path: Path) -> None:
    (tmp_path / "train.json").write_text(_jsonl([_row("t1", 2), _row("t2", 4), _row("t3", "1")]), encoding="utf-8")
    (tmp_path / "dev.json").write_text(_jsonl([_row("d1", 3, exp=None)]), encoding="utf-8")
    test_row = _row("x1")
    del test_row["cop"], test_row["exp"]
    (tmp_path / "test.json").write_text(_jsonl([test_row]), encoding="utf-8")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    by_id: dict[Any, Any] = {result.source_id: result for result in results}
    assert [by_id[ident].answer for ident in ("t1", "t2", "t3", "d1")] == [["B"], ["D"], ["A"], ["C"]]
    assert by_id["t1"].options == {"A": "Thiamine", "B": "Niacin", "C": "Riboflavin", "D": "Pyridoxine"}
    assert by_id["t1"].rationale == "Niacin deficiency causes pellagra." and by_id["d1"].rationale is None
    assert by_id["t1"].subject == "Biochemistry" and by_id["t1"].exam == "MedMCQA"
    assert by_id["d1"].split == "validation" and by_id["d1"].location == "dev.json:1"
    assert by_id["t2"].location == "train.json:2"
    hidden = by_id["x1"]
    assert isinstance(hidden, Reject) and hidden.reason == "missing_answer" and hidden.split == "test"


def test_parquet_is_zero_based(tmp_path: Path) -> None:
    _write_parquet(tmp_path, [_row("v1", 0), _row("v2", 3), _row("v3", 1, exp=None)])
    _write_parquet(tmp_path, [_row("h1", -1, exp=None)], "data/test-00000-of-00001.parquet")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    by_id: dict[Any, Any] = {result.source_id: result for result in results}
    assert [by_id[ident].answer for ident in ("v1", "v2", "v3")] == [["A"], ["D"], ["B"]]
    assert all(by_id[ident].split == "validation" for ident in ("v1", "v2", "v3"))
    assert by_id["v2"].location == f"{PARQUET}[1]" and by_id["v3"].rationale is None
    assert isinstance(by_id["h1"], Reject) and by_id["h1"].reason == "missing_answer"
    assert by_id["h1"].split == "test" and by_id["h1"].location == "data/test-00000-of-00001.parquet[0]"


def test_rejects_name_their_reason(tmp_path: Path) -> None:
    rows = [
        _row("a", 1),
        _row("b", 0),
        _row("c", 5),
        _row("d", True),
        _row("e", "x"),
        _row("f", None),
        _row("g", -1),
        _row("a", 2),
        _row("h", 1, opd=""),
        _row("i", 1.5),
    ]
    del rows[9]["opa"]
    text = _jsonl(rows[:9]) + "{not json\n\n" + _jsonl(rows[9:]) + "[1, 2]\n"
    (tmp_path / "train.json").write_text(text, encoding="utf-8")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [
        None,
        "bad_format",
        "bad_format",
        "bad_format",
        "bad_format",
        "missing_answer",
        "missing_answer",
        "duplicate_id",
        "bad_format",
        "bad_format",
        "bad_format",
        "bad_format",
    ]
    assert "1-based (GitHub)" in results[1].detail and "1-based" in results[2].detail
    assert results[9].location == "train.json:10" and "invalid JSON" in results[9].detail
    assert results[10].location == "train.json:12" and "'opa'" in results[10].detail  # blank line 11 skipped
    assert results[11].location == "train.json:13"
    assert all(result.split == "train" and result.lang == "en" for result in results)


def test_parquet_out_of_range_cop(tmp_path: Path) -> None:
    _write_parquet(tmp_path, [_row("v1", 4), _row("v2", 0)])
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == ["bad_format", None]
    assert "0-based (Hugging Face)" in results[0].detail


def test_unnamed_and_truncated_parquet_are_one_reject(tmp_path: Path) -> None:
    _write_parquet(tmp_path, [_row("v1", 0)], "data/medmcqa.parquet")
    path = _write_parquet(tmp_path, [_row("v2", 0)], "data/train-00000-of-00001.parquet")
    path.write_bytes(path.read_bytes()[:-20])
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [(result.reason, result.location) for result in results] == [
        ("unreadable_file", "medmcqa.parquet"),
        ("unreadable_file", "data/train-00000-of-00001.parquet"),
    ]


def test_damaged_parquet_page_is_one_reject(tmp_path: Path) -> None:
    path = _write_parquet(tmp_path, [_row(f"v{index}", index % 4) for index in range(6)])
    data = path.read_bytes()
    path.write_bytes(data[:37] + b"\xff\xfe\xc3" + data[37:])
    results = read_all(ADAPTER, tmp_path)
    assert [getattr(result, "reason", None) for result in results] == ["unreadable_file"]


def test_helpers() -> None:
    assert split_from_name("dev.json") == "validation"
    assert split_from_name("validation-00000-of-00001.parquet") == "validation"
    assert split_from_name("test.json") == "test"
    with pytest.raises(SourceFormatError):
        split_from_name("medmcqa.json")
    assert answer_key(1, False, "x") == "A" and answer_key(1, True, "x") == "B"
    assert answer_key(-1, True, "x") is None and answer_key("", False, "x") is None
    with pytest.raises(SourceFormatError, match="out of range"):
        answer_key(0, False, "x")


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    read, rejected = split_results(list(ADAPTER.read(bundled_samples_root() / "medmcqa")))
    assert rejected == []
    kept = [item for item in read if item.split == "train"]
    # dev.json: the validation split, the benchmark items
    assert [item.answer for item in read if item.split == "validation"] == [["A"], ["B"], ["C"]]
    assert len(kept) == 14
    assert all(item.lang == "en" and item.split == "train" for item in kept)
    assert [item.location for item in kept if item.rationale is None] == ["train.json:4", "train.json:11"]  # exp ""
    assert Counter(item.answer[0] for item in kept) == {"A": 4, "B": 3, "C": 4, "D": 3}
    assert len({item.source_id for item in kept}) == 14


@pytest.mark.parametrize(
    ("line", "source_id"),
    [(1, "6513270e-269e-4d37-b2a7-4de452e6b438"), (5, "6b0d549b-6f03-475a-9600-a35a099950d8")],
)
def test_bundled_records_match_raw(line: int, source_id: str) -> None:
    raw = _lines(SAMPLE)[line - 1]
    [item] = [result for result in ADAPTER.read(bundled_samples_root() / "medmcqa") if result.source_id == source_id]
    assert isinstance(item, MCQuestion) and raw["id"] == source_id
    assert item.location == f"train.json:{line}" and item.question == raw["question"]
    assert item.options == {"A": raw["opa"], "B": raw["opb"], "C": raw["opc"], "D": raw["opd"]}
    assert item.answer == ["ABCD"[raw["cop"] - 1]] and item.rationale == raw["exp"]
    assert item.subject == raw["subject_name"]


def test_bundled_named_answers() -> None:
    by_id: dict[Any, Any] = {item.source_id: item for item in ADAPTER.read(bundled_samples_root() / "medmcqa")}
    absence = by_id["6513270e-269e-4d37-b2a7-4de452e6b438"]
    assert absence.answer == ["A"] and absence.options["A"] == "Ethosuximide"
    assert by_id["6b0d549b-6f03-475a-9600-a35a099950d8"].answer == ["D"]


def test_bundled_sample_is_upstream_format() -> None:
    data = SAMPLE.read_bytes()
    raw = _lines(SAMPLE)
    assert data.decode("utf-8") == _jsonl(raw)  # JSON lines despite .json, \\u escapes, trailing newline
    keys = ["question", "exp", "cop", "opa", "opb", "opc", "opd", "subject_name", "topic_name", "id", "choice_type"]
    assert all(list(row) == keys for row in raw)
    assert all(isinstance(row["cop"], int) and 1 <= row["cop"] <= 4 for row in raw)


# -- damaged files --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = _lines(SAMPLE)[:6]
    index = data.draw(st.integers(0, len(rows) - 1))
    rows[index] = data.draw(corrupt_json(rows[index]))
    root = tmp_path_factory.mktemp("medmcqa")
    (root / "dev.json").write_text(_jsonl(rows), encoding="utf-8")
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(rows)
    assert len(kept) >= len(rows) - 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("medmcqa")
    (root / "train.json").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == sum(1 for line in damaged.splitlines() if line.strip())
    assert all(reject.split == "train" for reject in rejected)
