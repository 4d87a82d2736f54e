"""IgakuQA adapter: the real 2018 and 2022 samples (multi-answer and image questions, the 2022
test split), the numeric-entry / either-or / unscored traps, 6- and 8-choice questions, the
bundled sample, and damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceNotFoundError
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from tests.conftest import shared_source
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("igakuqa")
SAMPLE_DIR = bundled_samples_root() / "igakuqa" / "2019"
SAMPLE = SAMPLE_DIR / "113-A.jsonl"
PROBLEM_KEYS = ["problem_id", "problem_text", "choices", "text_only", "answer", "points"]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def _problem(problem_id: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "problem_id": problem_id,
        "problem_text": "高血圧の原因となるのはどれか。",
        "choices": ["原発性アルドステロン症", "Addison病", "尿崩症", "甲状腺機能低下症", "低血糖"],
        "text_only": True,
        "answer": ["a"],
        "points": "1",
    }
    row.update(changes)
    return row


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results() -> list[Any]:
    # Not vendored: IgakuQA has no licence (tests/data/realdata/ATTRIBUTION.md).
    return list(ADAPTER.read(shared_source("igakuqa")))


def test_real_counts_and_splits(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 210  # 7 problem files x 30 lines; _metadata/_translate are not records
    assert len(kept) == 170 and len(rejected) == 40
    assert Counter((item.split, item.exam, item.year) for item in kept) == {
        ("train", "JMLE-112", "2018"): 147,
        ("test", "JMLE-116", "2022"): 23,
    }
    assert Counter((reject.split, reject.reason) for reject in rejected) == {
        ("train", "image_required"): 33,
        ("test", "image_required"): 7,
    }
    assert all(isinstance(item, MCQuestion) and item.lang == "ja" and item.subject for item in kept)
    assert len({item.source_id for item in kept}) == 170
    assert Counter(len(item.answer) for item in kept) == {1: 150, 2: 17, 3: 3}


@pytest.mark.parametrize(
    ("year", "block", "problem_id", "line", "answer"),
    [
        ("2018", "112-A", "112A12", 12, ["D", "E"]),
        ("2018", "112-A", "112A15", 15, ["A", "B", "E"]),
        ("2022", "116-A", "116A1", 1, ["C"]),
    ],
)
def test_real_records_match_raw(
    real_results: list[Any], year: str, block: str, problem_id: str, line: int, answer: list[str]
) -> None:
    folder = shared_source("igakuqa") / year
    raw = _lines(folder / f"{block}.jsonl")[line - 1]
    meta = {row["problem_id"]: row for row in _lines(folder / f"{block}_metadata.jsonl")}[problem_id]
    item = {result.source_id: result for result in real_results}[problem_id]
    assert raw["problem_id"] == problem_id and raw["text_only"] is True
    assert isinstance(item, MCQuestion)
    assert item.location == f"{year}/{block}.jsonl:{line}"
    assert item.question == raw["problem_text"]
    assert item.options == dict(zip("ABCDE", raw["choices"], strict=True))
    assert item.answer == answer == sorted(letter.upper() for letter in raw["answer"])
    assert item.subject == meta["category"] and item.year == year
    assert item.split == ("test" if year == "2022" else "train")


def test_real_image_question_with_either_or_key(real_results: list[Any]) -> None:
    # 112B30 has the literal key "a or d", but its figure is missing: the image check comes first.
    [reject] = [result for result in real_results if result.source_id == "112B30"]
    assert isinstance(reject, Reject) and reject.reason == "image_required"
    assert reject.location == "2018/112-B.jsonl:30" and reject.split == "train"


# -- traps -----------------------------------------------------------------------------------


def test_unusable_keys_are_rejected_with_their_reason(tmp_path: Path) -> None:
    rows = [
        _problem("112A1", choices=[], answer=["26"]),
        _problem("112A2", choices=[], answer=["1.2"]),
        _problem("112A3", choices=[], answer=["04"]),
        _problem("112A4", answer=["a or d"]),
        _problem("112A5", points="0"),
        _problem("112A6", answer=[]),
        _problem("112A7", answer=["f"]),
        _problem("112A8", answer="c"),
        _problem("112A9", answer=[1]),
        _problem("112A10", text_only=False, points="0"),
        _problem("112A1", answer=["b"]),
        _problem("112A11", answer=["b", "b"]),
    ]
    _write(tmp_path / "2020" / "114-B.jsonl", rows)
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [
        "numeric_entry", "numeric_entry", "numeric_entry", "ambiguous_answer", "not_scored", "missing_answer",
        "bad_format", None, "bad_format", "image_required", None, "invalid_record",
    ]  # fmt: skip
    assert all(result.split == "train" and result.lang == "ja" for result in results)
    assert [result.source_id for result in results[:7]] == [f"112A{n}" for n in range(1, 8)]
    assert "'26'" in results[0].detail and "'a or d'" in results[3].detail
    assert "past the 5 choices" in results[6].detail
    assert isinstance(results[7], MCQuestion) and results[7].answer == ["C"] and results[7].subject is None
    assert isinstance(results[10], MCQuestion) and results[10].location == "2020/114-B.jsonl:11"


def test_duplicate_problem_ids_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path / "2021" / "115-C.jsonl", [_problem("115C1"), _problem("115C1", answer=["b"])])
    first, second = ADAPTER.read(tmp_path)
    assert isinstance(first, MCQuestion) and first.answer == ["A"]
    assert isinstance(second, Reject) and second.reason == "duplicate_id" and "115C1" in second.detail


def test_six_and_eight_choice_questions(tmp_path: Path) -> None:
    six = [f"選択肢{n}" for n in range(1, 7)]
    eight = [f"選択肢{n}" for n in range(1, 9)]
    rows = [_problem("116F1", choices=six, answer=["f"]), _problem("116F2", choices=eight, answer=["b", "h"])]
    rows.append(_problem("116F3", choices=six, answer=["g"]))
    _write(tmp_path / "2022" / "116-F.jsonl", rows)
    meta = {"problem_id": "116F1", "category": " 公衆衛生 ", "kinki": [], "reason": "", "human_accuracy": "50.0"}
    _write(tmp_path / "2022" / "116-F_metadata.jsonl", [meta])
    first, second, third = ADAPTER.read(tmp_path)
    assert isinstance(first, MCQuestion) and list(first.options) == list("ABCDEF") and first.answer == ["F"]
    assert first.subject == "公衆衛生" and first.split == "test" and first.exam == "JMLE-116"
    assert isinstance(second, MCQuestion) and len(second.options) == 8 and second.answer == ["B", "H"]
    assert second.options["H"] == "選択肢8" and second.subject is None
    assert isinstance(third, Reject) and third.reason == "bad_format" and "6 choices" in third.detail


def test_only_problem_files_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "2019"
    _write(folder / "113-A_translate.jsonl", [{"problem_id": "113A1", "asnwer": ["a"], "answer": ["a"]}])
    _write(folder / "113-A_metadata.jsonl", [{"problem_id": "113A1", "category": "循環器"}])
    with pytest.raises(SourceNotFoundError):
        list(ADAPTER.read(tmp_path))
    (folder / "113-A.jsonl").write_text(json.dumps(_problem("113A1")) + "\n{broken\n", encoding="utf-8")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [None, "bad_format"]
    assert results[0].subject == "循環器" and results[1].location == "2019/113-A.jsonl:2"


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_with_expected_rejects() -> None:
    read, rejected = split_results(list(ADAPTER.read(bundled_samples_root() / "igakuqa")))
    kept = [item for item in read if item.year == "2019"]
    # 2022/116-A.jsonl: the held-out exam year, the Japanese benchmark items
    test = [item for item in read if item.year == "2022"]
    assert [(item.source_id, item.split, item.answer) for item in test] == [
        ("116A1", "test", ["A"]),
        ("116A2", "test", ["C"]),
        ("116A3", "test", ["B"]),
        ("116A4", "test", ["B", "D"]),
    ]
    assert len(kept) == 57  # 54 + the bundled 113A57-59 series
    assert [(reject.source_id, reject.reason) for reject in rejected] == [
        ("113A20", "numeric_entry"),
        ("113A41", "numeric_entry"),
    ]
    assert {(item.lang, item.split, item.exam, item.year) for item in kept} == {("ja", "train", "JMLE-113", "2019")}
    assert all(item.subject for item in kept)
    assert Counter(len(item.answer) for item in kept) == {1: 49, 2: 8}


def test_bundled_sample_is_upstream_format() -> None:
    problems = _lines(SAMPLE)
    assert all(list(row) == PROBLEM_KEYS for row in problems)
    assert all(isinstance(row["points"], str) for row in problems)
    assert all(a.islower() or a.isdigit() for row in problems for a in row["answer"])
    ids = [row["problem_id"] for row in problems]
    for suffix in ("_metadata", "_translate"):
        sibling = SAMPLE_DIR / f"113-A{suffix}.jsonl"
        assert [row["problem_id"] for row in _lines(sibling)] == ids
    for path in SAMPLE_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and "\\u" not in text, path.name
        assert text.splitlines() == [json.dumps(row, ensure_ascii=False) for row in _lines(path)], path.name


# -- damaged files --------------------------------------------------------------------------


def _nonblank_lines(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = _lines(SAMPLE)[:6]
    index = data.draw(st.integers(0, len(rows) - 1))
    rows[index] = data.draw(corrupt_json(rows[index]))
    root = tmp_path_factory.mktemp("igakuqa")
    _write(root / "2019" / "113-A.jsonl", rows)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(rows)
    assert len(kept) >= len(rows) - 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("igakuqa")
    (root / "2022").mkdir()
    (root / "2022" / "116-A.jsonl").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == _nonblank_lines(damaged)
    assert all(isinstance(reject, Reject) and reject.split == "test" for reject in rejected)
