"""RuMedBench adapter: the real RuMedDaNet/RuMedTest samples (answers hidden in the private tests),
the bundled RuMedDaNet sample, and damaged files."""

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
from mmed_ift.sources.rumedbench import numbered_options, option_key, split_from_name
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("rumedbench")
SAMPLE = bundled_samples_root() / "rumedbench" / "RuMedDaNet" / "train_v1.jsonl"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "rumedbench"))


def test_real_counts_and_splits(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 150
    assert len(kept) == 90
    assert len(rejected) == 60
    assert Counter(item.split for item in kept) == {"train": 30, "validation": 30, "test": 30}
    assert all(isinstance(item, MCQuestion) and item.lang == "ru" for item in kept)
    assert len({item.source_id for item in kept}) == 90


def test_real_answers_are_balanced_yes_no(real_results: list[Any]) -> None:
    kept, _ = split_results(real_results)
    assert all(item.options == {"A": "да", "B": "нет"} for item in kept)
    for split in ("train", "validation", "test"):
        answers = Counter(item.answer[0] for item in kept if item.split == split)
        assert answers == {"A": 15, "B": 15}, split


def test_real_records_match_raw(realdata: Path, real_results: list[Any]) -> None:
    by_id = {item.source_id: item for item in real_results if isinstance(item, MCQuestion)}
    raw = _lines(realdata / "rumedbench" / "RuMedDaNet" / "train_v1.jsonl")
    first = by_id["571247699fe0b04318e283fb82bac5bd"]
    assert raw[0]["pairID"] == first.source_id and raw[0]["answer"] == "да"
    assert first.answer == ["A"]
    assert first.question == raw[0]["question"].strip()
    assert first.context == raw[0]["context"].strip()
    assert first.location == "RuMedDaNet/train_v1.jsonl:1"
    assert first.exam == "RuMedDaNet"
    second = by_id["7abba7d0ebdd11d6ccaed554ebd1900a"]
    assert second.answer == ["B"] and second.split == "train"
    dev = by_id["1b6019e574f3767872a97386743eacd3"]
    assert dev.split == "validation" and dev.answer == ["A"]
    assert dev.question == "Зачастую причиной апоплексии яичника становится разрыв желтого тела яичника?"
    test = by_id["5f93320e5d51bf7afbcac23b8fe851ac"]
    assert test.split == "test" and test.answer == ["B"]


def test_real_private_tests_are_rejected_as_missing_answer(real_results: list[Any]) -> None:
    _, rejected = split_results(real_results)
    assert {reject.reason for reject in rejected} == {"missing_answer"}
    assert all(reject.split == "test" and reject.lang == "ru" for reject in rejected)
    by_file = Counter(reject.location.rsplit(":", 1)[0] for reject in rejected)
    assert by_file == {"RuMedDaNet/private_test_v1.jsonl": 30, "RuMedTest/private_test_v1.jsonl": 30}
    ids = {reject.source_id for reject in rejected}
    assert "8c4f70416beeda1f12e00f5104d9d908" in ids  # RuMedDaNet private_test line 1
    assert "c84375b9990ce7d52e39631f044612cc" in ids  # its last line
    assert "da4324a94e712843d32e5574474d2c15" in ids  # RuMedTest line 1 (idx)
    assert all("hidden" in reject.detail for reject in rejected)


def test_rumedtest_options_are_rekeyed(realdata: Path) -> None:
    record = _lines(realdata / "rumedbench" / "RuMedTest" / "private_test_v1.jsonl")[0]
    options = numbered_options(record, "x")
    assert options == {"A": "3 см2", "B": "2 см2", "C": "4 см2", "D": "1 см2 и менее"}


def test_rumedtest_with_an_answer_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "RuMedTest"
    folder.mkdir()
    record = {"idx": "f" * 32, "question": "Антидотом при отравлении опиоидами является", "1": "атропин"}
    record |= {"2": "налоксон", "3": "флумазенил", "4": "протамин", "answer": "2"}
    (folder / "test_v1.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [item] = ADAPTER.read(tmp_path)
    assert isinstance(item, MCQuestion)
    assert item.answer == ["B"] and item.options["B"] == "налоксон" and item.exam == "RuMedTest"


def test_helpers() -> None:
    assert split_from_name("private_test_v1.jsonl") == "test"
    assert split_from_name("dev_v1.jsonl") == "validation"
    assert split_from_name("train_v1.jsonl") == "train"
    assert option_key("4", 4) == "D"
    assert option_key(1, 4) == "A"
    assert option_key("5", 4) is None
    assert option_key(True, 4) is None
    assert option_key("²", 4) is None


def test_bad_answers_and_duplicates_are_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "RuMedDaNet"
    folder.mkdir()
    base = {"context": "Контекст о гипертонии.", "question": "Верно ли?", "answer": "да", "pairID": "a" * 32}
    rows = [base, base | {"pairID": "b" * 32, "answer": "возможно"}, base]
    rows.append(base | {"pairID": "c" * 32, "answer": " Нет "})
    (folder / "train_v1.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    results = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [
        None,
        "answer_not_in_options",
        "duplicate_id",
        None,
    ]
    assert isinstance(results[3], MCQuestion) and results[3].answer == ["B"]


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results = list(ADAPTER.read(bundled_samples_root() / "rumedbench"))
    read, rejected = split_results(results)
    assert rejected == []
    kept = [item for item in read if item.split == "train"]
    # RuMedDaNet/test_v1.jsonl: the benchmark items (labelled, unlike private_test)
    assert [item.answer for item in read if item.split == "test"] == [["A"], ["B"], ["A"]]
    assert len(kept) == 56
    assert all(item.lang == "ru" and item.split == "train" and item.context for item in kept)
    assert Counter(item.answer[0] for item in kept) == {"A": 28, "B": 28}
    assert len({item.question for item in kept}) == 56


def test_bundled_sample_is_upstream_format() -> None:
    raw = _lines(SAMPLE)
    assert all(list(row) == ["context", "question", "answer", "pairID"] for row in raw)
    assert all(len(row["pairID"]) == 32 and int(row["pairID"], 16) >= 0 for row in raw)
    assert SAMPLE.read_bytes().endswith(b"\n")
    assert "\\u" not in SAMPLE.read_text(encoding="utf-8")  # raw UTF-8, as upstream


# -- damaged files --------------------------------------------------------------------------


def _nonblank_lines(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = _lines(SAMPLE)[:6]
    index = data.draw(st.integers(0, len(rows) - 1))
    damaged = data.draw(corrupt_json(rows[index]))
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    lines[index] = json.dumps(damaged, ensure_ascii=False)
    root = tmp_path_factory.mktemp("rumedbench")
    (root / "RuMedDaNet").mkdir()
    (root / "RuMedDaNet" / "dev_v1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(rows)
    assert len(kept) >= len(rows) - 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("rumedbench")
    (root / "RuMedDaNet").mkdir()
    (root / "RuMedDaNet" / "train_v1.jsonl").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == _nonblank_lines(damaged)
    assert all(isinstance(reject, Reject) and reject.split == "train" for reject in rejected)
