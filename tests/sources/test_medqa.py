"""MedQA adapter: the real USMLE test sample, the upstream oddities (Cyrillic look-alike rows,
the ``stfep2&3`` typo), answer-key traps, the bundled sample, and damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError, SourceNotFoundError
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.medqa import split_from_name
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("medqa")
SAMPLE = bundled_samples_root() / "medqa" / "US" / "4_options" / "phrases_no_exclude_train.jsonl"
KEYS = ["question", "answer", "options", "meta_info", "answer_idx", "metamap_phrases"]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "question": "A 23-year-old woman presents with fever. Which of the following is the most likely cause?",
        "answer": "Influenza",
        "options": {"A": "Measles", "B": "Influenza", "C": "Mumps", "D": "Rubella"},
        "meta_info": "step1",
        "answer_idx": "B",
        "metamap_phrases": ["23 year old woman", "fever"],
    }
    row.update(changes)
    return row


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "medqa_us"))


def test_real_counts_and_splits(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 30 and len(kept) == 30 and rejected == []
    assert all(isinstance(item, MCQuestion) for item in kept)
    assert {(item.lang, item.split, item.exam) for item in kept} == {("en", "test", "MedQA-US")}
    assert len({item.source_id for item in kept}) == 30
    assert Counter(item.subject for item in kept) == {"step1": 15, "step2&3": 15}
    assert Counter(item.answer[0] for item in kept) == {"D": 13, "B": 7, "C": 6, "A": 4}
    assert all(len(item.options) == 4 and len(item.answer) == 1 for item in kept)


@pytest.mark.parametrize("line", [1, 3, 30])
def test_real_records_match_raw(realdata: Path, real_results: list[Any], line: int) -> None:
    raw = _lines(realdata / "medqa_us" / "phrases_no_exclude_test.jsonl")[line - 1]
    by_id = {item.source_id: item for item in real_results}
    item = by_id[f"US/test/{line}"]
    assert item.location == f"phrases_no_exclude_test.jsonl:{line}"
    assert item.question == raw["question"]
    assert item.options == raw["options"]
    assert item.answer == [raw["answer_idx"]]
    assert item.options[raw["answer_idx"]] == raw["answer"]
    assert item.subject == raw["meta_info"] and item.rationale is None and item.context is None


def test_real_named_answers(real_results: list[Any]) -> None:
    by_id = {item.source_id: item for item in real_results}
    first = by_id["US/test/1"]
    assert first.answer == ["B"] and first.subject == "step1"
    assert first.options["B"] == "Tell the attending that he cannot fail to disclose this mistake"
    third = by_id["US/test/3"]
    assert third.answer == ["B"] and third.options["B"] == "Cholesterol embolization"
    assert third.subject == "step2&3" and "38°C" in third.question  # raw UTF-8 kept


# -- upstream oddities and traps -----------------------------------------------------------


def test_cyrillic_lookalikes_and_meta_typo_come_through_verbatim(tmp_path: Path) -> None:
    # Full-file rows 41 and 468 are written in Cyrillic look-alikes; one row has meta_info "stfep2&3".
    cyrillic = "А 43-уеаr-оld mаn рrеѕеntѕ tо thе рhуѕісіаn with сhеѕt раin. Whаt is thе mоѕt likеlу diаgnоѕiѕ?"
    options = {"A": "Реriсаrditiѕ", "B": "Аоrtiс diѕѕесtiоn", "C": "Рnеumоniа", "D": "Реptiс ulсеr"}
    rows = [_row(question=cyrillic, options=options, answer="Аоrtiс diѕѕесtiоn"), _row(meta_info="stfep2&3")]
    _write(tmp_path / "phrases_no_exclude_test.jsonl", rows)
    first, second = ADAPTER.read(tmp_path)
    assert isinstance(first, MCQuestion) and isinstance(second, MCQuestion)
    assert first.question == cyrillic and first.lang == "en"
    assert first.question != first.question.encode("ascii", "ignore").decode()  # not transliterated
    assert first.answer == ["B"] and first.options["B"] == "Аоrtiс diѕѕесtiоn"
    assert second.subject == "stfep2&3"  # passed through as upstream wrote it


def test_answer_traps_are_rejected(tmp_path: Path) -> None:
    options_not_str = _row(options={"A": "Measles", "B": 2, "C": "Mumps", "D": "Rubella"})
    missing_idx = _row()
    del missing_idx["answer_idx"]
    rows = [
        _row(answer="Mumps"),  # answer text disagrees with answer_idx
        _row(answer_idx=" b "),  # lower case and padded key
        _row(answer_idx="E"),  # key past the options
        options_not_str,
        missing_idx,
        _row(answer="  Influenza "),  # padding does not count as a mismatch
    ]
    path = tmp_path / "phrases_no_exclude_dev.jsonl"
    _write(path, rows)
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n\n", encoding="utf-8")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert len(results) == 7
    reasons = [getattr(result, "reason", None) for result in results]
    assert reasons == ["answer_mismatch", None, "invalid_record", "bad_format", "bad_format", None, "bad_format"]
    assert isinstance(results[1], MCQuestion) and results[1].answer == ["B"]
    assert all(result.split == "validation" and result.lang == "en" for result in results)
    assert [result.source_id for result in results] == [f"US/validation/{line}" for line in range(1, 8)]
    assert results[0].location == "phrases_no_exclude_dev.jsonl:1" and "Mumps" in results[0].detail
    assert isinstance(results[2], Reject) and results[2].stage == "validate"
    assert "'B'" in results[3].detail and "answer_idx" in results[4].detail
    assert "invalid JSON" in results[6].detail


def test_regions_and_splits(tmp_path: Path) -> None:
    _write(tmp_path / "Mainland" / "4_options" / "train.jsonl", [_row(meta_info=None)])
    _write(tmp_path / "Taiwan" / "4_options" / "tw_dev.jsonl", [_row()])
    _write(tmp_path / "Mainland" / "4_options" / "all.jsonl", [_row()])
    results = {result.location: result for result in ADAPTER.read(tmp_path)}
    mainland = results["Mainland/4_options/train.jsonl:1"]
    assert isinstance(mainland, MCQuestion) and mainland.lang == "zh" and mainland.exam == "MedQA-Mainland"
    assert mainland.source_id == "Mainland/train/1" and mainland.subject is None
    taiwan = results["Taiwan/4_options/tw_dev.jsonl:1"]
    assert taiwan.split == "validation" and taiwan.source_id == "Taiwan/validation/1" and taiwan.lang == "zh"
    unsplit = results["all.jsonl"]
    assert isinstance(unsplit, Reject) and unsplit.reason == "unreadable_file" and "split" in unsplit.detail


def test_split_from_name_and_missing_files(tmp_path: Path) -> None:
    assert split_from_name("phrases_no_exclude_test.jsonl") == "test"
    assert split_from_name("phrases_no_exclude_dev.jsonl") == "validation"
    assert split_from_name("train.jsonl") == "train"
    with pytest.raises(SourceFormatError):
        split_from_name("questions.jsonl")
    with pytest.raises(SourceNotFoundError):
        list(ADAPTER.read(tmp_path))


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    read, rejected = split_results(list(ADAPTER.read(bundled_samples_root() / "medqa")))
    assert rejected == []
    kept = [item for item in read if item.split == "train"]
    # phrases_no_exclude_test.jsonl: the benchmark items
    assert [item.answer for item in read if item.split == "test"] == [["A"], ["A"], ["B"]]
    assert len(kept) == 56
    assert {(item.lang, item.split, item.exam) for item in kept} == {("en", "train", "MedQA-US")}
    assert Counter(item.answer[0] for item in kept) == {"A": 14, "B": 14, "C": 14, "D": 14}
    assert Counter(item.subject for item in kept) == {"step1": 27, "step2&3": 29}
    assert len({item.question for item in kept}) == 56


def test_bundled_sample_is_upstream_format() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    rows = _lines(SAMPLE)
    assert all(list(row) == KEYS and list(row["options"]) == ["A", "B", "C", "D"] for row in rows)
    assert all(row["options"][row["answer_idx"]] == row["answer"] for row in rows)
    assert text.endswith("\n") and "\\u" not in text
    assert text.splitlines() == [json.dumps(row, ensure_ascii=False) for row in rows]


# -- damaged files --------------------------------------------------------------------------


def _nonblank_lines(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = _lines(SAMPLE)[:6]
    index = data.draw(st.integers(0, len(rows) - 1))
    rows[index] = data.draw(corrupt_json(rows[index]))
    root = tmp_path_factory.mktemp("medqa")
    _write(root / "US" / "4_options" / "phrases_no_exclude_dev.jsonl", rows)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(rows)
    assert len(kept) >= len(rows) - 1
    assert all(result.split == "validation" for result in kept + rejected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("medqa")
    (root / "US" / "4_options").mkdir(parents=True)
    (root / "US" / "4_options" / "phrases_no_exclude_train.jsonl").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == _nonblank_lines(damaged)
    assert all(isinstance(reject, Reject) and reject.split == "train" for reject in rejected)
