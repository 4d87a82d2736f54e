"""IgakuQA119 adapter: the real 119A sample joined with ``results/correct_answers.csv``, the
answer-key traps (missing row, missing CSV, concatenated and numeric keys), the bundled sample,
and damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("igakuqa119")
SAMPLE_ROOT = bundled_samples_root() / "igakuqa119"
SAMPLE = SAMPLE_ROOT / "questions" / "119A_json.json"
SAMPLE_KEY = SAMPLE_ROOT / "results" / "correct_answers.csv"
HEADER = "問題番号,解答\n"


def _dump(rows: Any) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _question(number: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "number": number,
        "question": "急性膵炎の重症度判定に用いるのはどれか。 ",
        "choices": ["a. 血清アミラーゼ", "b. 造影CT", "c. 腹部単純X線", "d. 尿検査", "e. 心電図"],
        "has_image": False,
    }
    row.update(changes)
    return row


def _write(root: Path, questions: list[dict[str, Any]], answers: str | None) -> None:
    (root / "questions").mkdir(parents=True, exist_ok=True)
    (root / "questions" / "119B_json.json").write_text(_dump(questions), encoding="utf-8")
    if answers is not None:
        (root / "results").mkdir(parents=True, exist_ok=True)
        (root / "results" / "correct_answers.csv").write_text(HEADER + answers, encoding="utf-8")


def _reasons(results: list[Any]) -> list[str | None]:
    return [getattr(result, "reason", None) for result in results]


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "igakuqa119"))


def test_real_counts_and_splits(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 30 and len(kept) == 20 and len(rejected) == 10
    assert Counter(reject.reason for reject in rejected) == {"image_required": 10}
    assert {reject.source_id for reject in rejected} == {f"119A{n}" for n in (11, 15, 18, 20, 21, 22, 23, 24, 28, 29)}
    assert {(item.lang, item.split, item.exam, item.year) for item in kept} == {("ja", "test", "JMLE-119", "2025")}
    assert len({item.source_id for item in kept}) == 20
    assert Counter(len(item.answer) for item in kept) == {1: 17, 2: 3}


@pytest.mark.parametrize(("number", "answer"), [("119A1", ["A"]), ("119A3", ["D"]), ("119A12", ["C", "E"])])
def test_real_records_match_raw(realdata: Path, real_results: list[Any], number: str, answer: list[str]) -> None:
    folder = realdata / "igakuqa119"
    raw_list = json.loads((folder / "questions" / "119A_json.json").read_text(encoding="utf-8"))
    index = [row["number"] for row in raw_list].index(number)
    raw = raw_list[index]
    key_rows = (folder / "results" / "correct_answers.csv").read_text(encoding="utf-8").splitlines()
    key = dict(row.split(",") for row in key_rows[1:])[number]
    item = {result.source_id: result for result in real_results}[number]
    assert isinstance(item, MCQuestion)
    assert item.location == f"questions/119A_json.json[{index}]"
    assert item.question == raw["question"].strip() and raw["question"].endswith(" ")
    assert item.options == {choice[0].upper(): choice[3:] for choice in raw["choices"]}
    assert item.answer == answer == sorted(key.upper())


def test_real_english_question_is_kept(real_results: list[Any]) -> None:
    item = {result.source_id: result for result in real_results}["119A3"]
    assert item.question.startswith("Which of the following") and item.options["D"] == "Putamene"


# -- traps -----------------------------------------------------------------------------------


def test_answer_key_traps(tmp_path: Path) -> None:
    questions = [
        _question("119B1"),
        _question("119B2"),
        _question("119B3", choices=[]),
        _question("119B4"),
        _question("119B5", choices=["a. 1", "b. 2", "c. 3", "d. 4"]),
        _question("119B6"),
        _question("119B7", has_image=True),
        _question("119B8", choices=["a. 1", "c. 2", "b. 3"]),
        _question("119B1"),
        _question("119B9"),
    ]
    answers = "119B1,ce\n119B3,1.2\n119B4,600\n119B5,e\n119B6,\n119B7,a\n119B8,a\n119B9, abe \n"
    _write(tmp_path, questions, answers)
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert _reasons(results) == [
        None, "missing_answer", "numeric_entry", "bad_format", "bad_format", "missing_answer",
        "image_required", "bad_format", "duplicate_id", None,
    ]  # fmt: skip
    assert isinstance(results[0], MCQuestion) and results[0].answer == ["C", "E"]
    assert results[0].question == "急性膵炎の重症度判定に用いるのはどれか。"
    assert results[1].detail == "119B2 is not in correct_answers.csv"
    assert "'1.2'" in results[2].detail
    assert "past the 4 choices" in results[4].detail and "out of order" in results[7].detail
    assert isinstance(results[9], MCQuestion) and results[9].answer == ["A", "B", "E"]
    assert [result.location for result in results[:2]] == ["questions/119B_json.json[0]", "questions/119B_json.json[1]"]
    assert all(result.split == "test" and result.lang == "ja" for result in results)


def test_missing_or_broken_answer_file(tmp_path: Path) -> None:
    _write(tmp_path / "none", [_question("119C1"), _question("119C2", choices=[])], None)
    missing: list[Any] = list(ADAPTER.read(tmp_path / "none"))
    assert _reasons(missing) == ["missing_answer", "missing_answer"]
    assert missing[0].detail == "no correct_answers.csv found next to the questions"
    _write(tmp_path / "bad", [_question("119C1")], "")
    (tmp_path / "bad" / "results" / "correct_answers.csv").write_text("number,answer\n119C1,a\n", encoding="utf-8")
    broken: list[Any] = list(ADAPTER.read(tmp_path / "bad"))
    assert _reasons(broken) == ["unreadable_file", "missing_answer"]
    assert broken[0].location == "results/correct_answers.csv:2" and "問題番号" in broken[0].detail


def test_either_or_key_is_ambiguous(tmp_path: Path) -> None:
    _write(tmp_path, [_question("119D1")], "119D1,a or d\n")
    [result] = ADAPTER.read(tmp_path)
    assert isinstance(result, Reject) and result.reason == "ambiguous_answer"


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_with_expected_rejects() -> None:
    kept, rejected = split_results(list(ADAPTER.read(SAMPLE_ROOT)))
    assert len(kept) == 12
    assert [(reject.source_id, reject.reason) for reject in rejected] == [
        ("119A13", "image_required"),
        ("119A14", "numeric_entry"),
    ]
    assert {(item.lang, item.split, item.exam) for item in kept} == {("ja", "test", "JMLE-119")}
    assert Counter(len(item.answer) for item in kept) == {1: 10, 2: 2}


def test_bundled_sample_is_upstream_format() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    rows = json.loads(text)
    assert text == _dump(rows) and not text.endswith("\n")  # indent 2, raw UTF-8, no trailing newline
    assert all(list(row) == ["number", "question", "choices", "has_image"] for row in rows)
    assert all(choice.startswith(f"{chr(97 + i)}. ") for row in rows for i, choice in enumerate(row["choices"]))
    key = SAMPLE_KEY.read_bytes()
    assert key.startswith(HEADER.encode("utf-8")) and key.endswith(b"\n") and b"\r" not in key
    numbers = [line.split(",")[0] for line in key.decode("utf-8").splitlines()[1:]]
    assert numbers == [row["number"] for row in rows]


# -- damaged files --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = json.loads(SAMPLE.read_text(encoding="utf-8"))[:6]
    index = data.draw(st.integers(0, len(rows) - 1))
    rows[index] = data.draw(corrupt_json(rows[index]))
    root = tmp_path_factory.mktemp("igakuqa119")
    _write(root, rows, SAMPLE_KEY.read_text(encoding="utf-8").removeprefix(HEADER))
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(rows)
    assert len(kept) >= len(rows) - 1


def _expected_records(damaged: bytes) -> int:
    """A whole-file JSON format: a parseable array gives one result per element, else one reject."""
    try:
        value = json.loads(damaged.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return 1
    return len(value) if isinstance(value, list) else 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), target=st.sampled_from(["questions", "answers"]))
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, target: str) -> None:
    questions, key = SAMPLE.read_bytes(), SAMPLE_KEY.read_bytes()
    if target == "questions":
        questions = data.draw(corrupt_bytes(questions))
    else:
        key = data.draw(corrupt_bytes(key))
    root = tmp_path_factory.mktemp("igakuqa119")
    (root / "questions").mkdir()
    (root / "results").mkdir()
    (root / "questions" / "119A_json.json").write_bytes(questions)
    (root / "results" / "correct_answers.csv").write_bytes(key)
    kept, rejected = split_results(read_all(ADAPTER, root))
    unreadable = [reject for reject in rejected if reject.reason == "unreadable_file"]
    if target == "questions":
        assert len(kept) + len(rejected) == _expected_records(questions)
    else:
        assert len(unreadable) <= 1 and all(reject.location.startswith("results/") for reject in unreadable)
        assert len(kept) + len(rejected) == 14 + len(unreadable)
    assert all(reject.split == "test" for reject in rejected if reject.reason != "unreadable_file")
