"""cMedQA2 adapter.  The real files are not in ``realdata`` (question/answer/train zips are
missing from the snapshot, see MANIFEST.md), so the upstream layout (unzipped CSVs, both candidate
schemas) and its traps are rebuilt here, plus the bundled sample and damaged files."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import QAPair, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("cmedqa2")
SAMPLE = bundled_samples_root() / "cmedqa2"
TRAIN_HEADER = ["question_id", "pos_ans_id", "neg_ans_id"]
POOL_HEADER = ["question_id", "ans_id", "cnt", "label"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    _write(
        tmp_path / "question.csv",
        ["question_id", "content"],
        [
            ["11", "孩子发烧39度，需要马上去医院吗？"],
            ["12", "高血压能吃阿司匹林吗？"],
            ["13", "失眠怎么办？"],
            ["14", ""],
            ["15", "胃疼吃什么药？"],
            ["bad row"],
        ],
    )
    _write(
        tmp_path / "answer.csv",
        ["ans_id", "question_id", "content"],
        [
            ["901", "11", "精神好的话先在家退热观察，出现抽搐、嗜睡要立即就医。"],
            ["902", "11", "多喝水。"],
            ["903", "12", "是否需要服用要由医生评估出血风险，不要自行服用。"],
            ["904", "13", ""],
            ["905", "15", "胃疼原因很多，建议先就诊明确原因。"],
        ],
    )
    _write(
        tmp_path / "train_candidates.txt",
        TRAIN_HEADER,
        [["11", "901", "903"], ["11", "902", "905"], ["12", "903", "901"], ["13", "904", "901"], ["14", "999", "901"]],
    )
    _write(tmp_path / "dev_candidates.txt", POOL_HEADER, [["15", "901", "0", "0"], ["15", "905", "1", "1"]])
    _write(tmp_path / "test_candidates.txt", POOL_HEADER, [["16", "901", "0", "0"], ["12", "903", "0", "1"]])
    return tmp_path


def test_upstream_counts_splits_and_rejects(upstream: Path) -> None:
    results = list(ADAPTER.read(upstream))
    kept, rejected = split_results(results)
    assert len(results) == 8  # 1 bad question.csv row + 1 dev + 2 test + 4 train questions
    # files are read in name order (dev, test, train), so question 12 stays a test item
    assert [(item.source_id, item.split, item.location) for item in kept] == [
        ("15", "validation", "dev_candidates.txt:2"),
        ("12", "test", "test_candidates.txt:3"),
        ("11", "train", "train_candidates.txt:2"),
    ]
    assert [(reject.source_id, reject.reason) for reject in rejected] == [
        (None, "bad_format"),
        ("16", "missing_question"),
        ("12", "duplicate_question"),
        ("13", "missing_answer"),
        ("14", "missing_question"),
    ]
    assert rejected[0].location == "question.csv:7"
    assert "test_candidates.txt:3" in rejected[2].detail


def test_upstream_first_positive_answer(upstream: Path) -> None:
    by_id = {item.source_id: item for item in ADAPTER.read(upstream) if isinstance(item, QAPair)}
    assert by_id["11"].question == "孩子发烧39度，需要马上去医院吗？"
    assert by_id["11"].answer == "精神好的话先在家退热观察，出现抽搐、嗜睡要立即就医。"
    assert by_id["15"].answer == "胃疼原因很多，建议先就诊明确原因。"
    assert all(item.lang == "zh" for item in by_id.values())


def test_question_table_missing_as_a_whole(upstream: Path) -> None:
    (upstream / "question.csv").write_bytes(b"question_id,content\n11,\xff\xfe\n")
    results = list(ADAPTER.read(upstream))
    _, rejected = split_results(results)
    assert rejected[0].reason == "unreadable_file" and rejected[0].location == "question.csv:2"
    missing = [reject for reject in rejected if reject.reason == "missing_question"]
    assert [reject.source_id for reject in missing] == ["15", "16", "12", "11", "13", "14"]
    assert [reject.reason for reject in rejected].count("duplicate_question") == 1  # 12 again, in train
    assert "question.csv is unreadable" in missing[0].detail


# -- bundled sample ------------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results = list(ADAPTER.read(SAMPLE))
    kept, rejected = split_results(results)
    assert rejected == []
    assert len(kept) == 5
    assert {item.lang for item in kept} == {"zh"}
    assert sorted(item.split for item in kept) == ["train"] * 4 + ["validation"]
    assert sorted(item.source_id for item in kept) == [f"2019000{number}" for number in range(1, 6)]


# -- damaged files -------------------------------------------------------------------------


def _expected_candidates(data: bytes) -> int:
    """Results a candidates file gives, counted with the csv module: one per distinct question of
    a well-formed row, one per malformed row, or one for a file that is not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return 1
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    if not rows:
        return 0
    header, body = [cell.strip() for cell in rows[0]], rows[1:]
    questions: set[str] = set()
    malformed = 0
    for row in body:
        record = dict(zip(header, row, strict=False)) if len(row) == len(header) else {}
        question = record.get("question_id", "").strip()
        if "pos_ans_id" in record:
            usable = bool(question) and bool(record["pos_ans_id"].strip())
        else:
            usable = (
                bool(question)
                and record.get("label", "").strip() in {"0", "1"}
                and (record.get("label", "").strip() == "0" or bool(record.get("ans_id", "").strip()))
            )
        if usable:
            questions.add(question)
        else:
            malformed += 1
    return len(questions) + malformed


def _copy_sample(root: Path) -> None:
    for path in SAMPLE.iterdir():
        shutil.copy(path, root / path.name)


def _check(root: Path, expected: int) -> None:
    results = read_all(ADAPTER, root)
    kept, rejected = split_results(results)
    assert len(results) == len(kept) + len(rejected) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_candidates_row(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("cmedqa2")
    _copy_sample(root)
    rows = list(csv.reader(io.StringIO((SAMPLE / "train_candidates.txt").read_text(encoding="utf-8"))))
    index = data.draw(st.integers(1, len(rows) - 1))
    damaged = data.draw(corrupt_json(rows[index]))
    rows[index] = [str(cell) for cell in damaged] if isinstance(damaged, list) else [str(damaged)]
    _write(root / "train_candidates.txt", rows[0], rows[1:])
    dev = (root / "dev_candidates.txt").read_bytes()
    _check(root, _expected_candidates((root / "train_candidates.txt").read_bytes()) + _expected_candidates(dev))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_candidates_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("cmedqa2")
    _copy_sample(root)
    name = data.draw(st.sampled_from(["train_candidates.txt", "dev_candidates.txt"]))
    (root / name).write_bytes(data.draw(corrupt_bytes((SAMPLE / name).read_bytes())))
    files = ("train_candidates.txt", "dev_candidates.txt")
    expected = sum(_expected_candidates((root / other).read_bytes()) for other in files)
    _check(root, expected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_lookup_tables(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    """A damaged question/answer table never loses a question: each candidate question still gives
    exactly one result, and the table's own problems are extra rejects that name the table."""
    root = tmp_path_factory.mktemp("cmedqa2")
    _copy_sample(root)
    name = data.draw(st.sampled_from(["question.csv", "answer.csv"]))
    (root / name).write_bytes(data.draw(corrupt_bytes((SAMPLE / name).read_bytes())))
    results = read_all(ADAPTER, root)
    split_results(results)
    per_question = [result for result in results if result.source_id and result.source_id.startswith("2019")]
    assert sorted(result.source_id for result in per_question if result.source_id) == [
        f"2019000{number}" for number in range(1, 6)
    ]
    extra = [result for result in results if result not in per_question]
    assert all(isinstance(result, Reject) and result.location.startswith(name) for result in extra)
