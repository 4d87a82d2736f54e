"""Alpaca-style adapter (ChatDoctor, medical meadow).  No real upstream file is in the realdata
samples, so this reads synthetic JSON-array and JSON-lines files (the question is ``input``, or
``instruction`` when ``input`` is empty), the bundled ChatDoctor sample, and damaged files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError, SourceNotFoundError
from mmed_ift.schemas import QAPair, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.alpaca import question_of
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("alpaca")
SAMPLE = bundled_samples_root() / "alpaca" / "chatdoctor_sample.json"
PREAMBLE = "If you are a doctor, please answer the medical questions based on the patient's description."


def _dump(records: Any) -> bytes:
    """The bundled sample's serialisation: indent 4, ASCII, trailing newline."""
    return (json.dumps(records, indent=4) + "\n").encode("utf-8")


def _row(question: Any = "I have a rash on my arm.", answer: Any = "A rash.", **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"instruction": PREAMBLE, "input": question, "output": answer}
    row.update(changes)
    return row


# -- synthetic upstream files (no real sample exists) -----------------------------------------


def test_json_list_takes_input_as_question(tmp_path: Path) -> None:
    rows = [
        _row(),
        _row("", "Drink water.", instruction="How do I treat mild dehydration?"),
        _row(None, "Rest.", instruction="  What helps a sprain?  "),
        _row("  Why do my knees hurt?  ", "  Possibly osteoarthritis.  "),
    ]
    (tmp_path / "medical_meadow_wikidoc.json").write_bytes(_dump(rows))
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert all(isinstance(result, QAPair) and result.lang == "en" and result.split == "train" for result in results)
    assert [result.question for result in results] == [
        "I have a rash on my arm.",
        "How do I treat mild dehydration?",
        "What helps a sprain?",
        "Why do my knees hurt?",
    ]
    assert results[3].answer == "Possibly osteoarthritis."
    assert [result.source_id for result in results] == [f"medical_meadow_wikidoc.json/{index}" for index in range(4)]
    assert results[2].location == "medical_meadow_wikidoc.json[2]"
    assert all(PREAMBLE not in result.question for result in results)


def test_jsonl_ids_count_records_not_lines(tmp_path: Path) -> None:
    text = json.dumps(_row("Q one?")) + "\n\n" + json.dumps(_row("Q two?")) + "\n"
    (tmp_path / "iCliniq.jsonl").write_text(text, encoding="utf-8")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [(result.source_id, result.location, result.question) for result in results] == [
        ("iCliniq.jsonl/0", "iCliniq.jsonl:1", "Q one?"),
        ("iCliniq.jsonl/1", "iCliniq.jsonl:3", "Q two?"),
    ]


def test_rejects_name_their_reason(tmp_path: Path) -> None:
    no_output = _row()
    del no_output["output"]
    rows: list[Any] = [
        _row(),
        _row(answer=""),
        _row(answer="   \n"),
        no_output,
        _row(answer=7),
        _row(5),
        _row("", instruction=""),
        "not an object",
        _row(answer=None),
    ]
    (tmp_path / "HealthCareMagic-100k.json").write_bytes(_dump(rows))
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [
        None,
        "empty_answer",
        "empty_answer",
        "bad_format",
        "bad_format",
        "bad_format",
        "bad_format",
        "bad_format",
        "bad_format",
    ]
    assert [result.source_id for result in results] == [f"HealthCareMagic-100k.json/{index}" for index in range(9)]
    assert [result.location for result in results] == [f"HealthCareMagic-100k.json[{index}]" for index in range(9)]
    assert "'output'" in results[3].detail and "'input'" in results[5].detail
    assert "'instruction' is empty" in results[6].detail


def test_bad_jsonl_lines_are_rejected(tmp_path: Path) -> None:
    text = json.dumps(_row()) + "\n{broken\n" + "[1]\n" + json.dumps(_row("Another?")) + "\n"
    (tmp_path / "chat.jsonl").write_text(text, encoding="utf-8")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [None, "bad_format", "bad_format", None]
    assert results[1].location == "chat.jsonl:2" and results[1].source_id == "chat.jsonl/1"
    assert results[3].source_id == "chat.jsonl/3"


def test_broken_json_file_is_one_reject(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(_dump([_row()])[:-10])
    (tmp_path / "b.json").write_bytes(_dump({"instruction": "x"}))
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [(result.reason, result.location.split(":")[0]) for result in results] == [
        ("unreadable_file", "a.json"),
        ("unreadable_file", "b.json"),
    ]


def test_missing_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    with pytest.raises(SourceNotFoundError, match="alpaca"):
        list(ADAPTER.read(tmp_path))


def test_source_ids_unique_across_files(tmp_path: Path) -> None:
    for folder in ("medical_meadow_wikidoc", "medical_meadow_flashcards"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "train.json").write_bytes(_dump([_row(f"Question from {folder}?")]))
    kept, _ = split_results(list(ADAPTER.read(tmp_path)))
    assert len(kept) == 2 and kept[0].question != kept[1].question
    assert kept[0].source_id != kept[1].source_id


def test_question_of() -> None:
    assert question_of({"instruction": "Explain X", "input": "  "}, "x") == "Explain X"
    assert question_of({"instruction": "Explain X", "input": " Y "}, "x") == "Y"
    with pytest.raises(SourceFormatError, match="'input'"):
        question_of({"instruction": "Explain X", "input": ["Y"]}, "x")


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results: list[Any] = list(ADAPTER.read(bundled_samples_root() / "alpaca"))
    kept, rejected = split_results(results)
    assert rejected == []
    assert len(kept) == 12
    assert all(isinstance(item, QAPair) and item.lang == "en" and item.split == "train" for item in kept)
    assert [item.source_id for item in kept] == [f"chatdoctor_sample.json/{index}" for index in range(12)]
    assert all(item.question != PREAMBLE for item in kept)


@pytest.mark.parametrize("index", [0, 11])
def test_bundled_records_match_raw(index: int) -> None:
    raw = json.loads(SAMPLE.read_bytes())[index]
    by_id: dict[Any, Any] = {item.source_id: item for item in ADAPTER.read(bundled_samples_root() / "alpaca")}
    item = by_id[f"chatdoctor_sample.json/{index}"]
    assert isinstance(item, QAPair) and item.location == f"chatdoctor_sample.json[{index}]"
    assert item.question == raw["input"].strip() and item.answer == raw["output"].strip()
    assert raw["instruction"] == PREAMBLE


def test_bundled_named_records() -> None:
    by_id: dict[Any, Any] = {item.source_id: item for item in ADAPTER.read(bundled_samples_root() / "alpaca")}
    assert by_id["chatdoctor_sample.json/0"].question.startswith(
        "Hi doctor, I am 34 years old and have had a dry cough"
    )
    assert by_id["chatdoctor_sample.json/11"].question.startswith("Hello, I am 30 and get throbbing headaches")


def test_bundled_sample_is_upstream_format() -> None:
    data = SAMPLE.read_bytes()
    raw = json.loads(data)
    assert data == _dump(raw) and data.endswith(b"]\n")
    assert all(list(row) == ["instruction", "input", "output"] for row in raw)


# -- damaged files --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = json.loads(SAMPLE.read_bytes())[:6]
    index = data.draw(st.integers(0, len(rows) - 1))
    rows[index] = data.draw(corrupt_json(rows[index]))
    root = tmp_path_factory.mktemp("alpaca")
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    (root / "icliniq.jsonl").write_text(lines, encoding="utf-8")
    (root / "healthcaremagic.json").write_bytes(_dump(rows))
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == 2 * len(rows)
    assert len(kept) >= 2 * (len(rows) - 1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("alpaca")
    (root / "chatdoctor_sample.json").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    try:
        expected = len(json.loads(damaged.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        assert kept == [] and [reject.reason for reject in rejected] == ["unreadable_file"]
        return
    assert len(kept) + len(rejected) == expected
    assert all(isinstance(reject, Reject) and reject.split == "train" for reject in rejected)
