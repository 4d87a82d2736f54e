"""CMExam adapter.  The real CSV files are not in ``realdata`` (their blobs are missing from the
snapshot, see MANIFEST.md), so the upstream layout and traps are rebuilt here in the exact
format (pandas ``to_csv``: quoted multi-line Options cells), plus the bundled sample and damaged
files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.cmexam import parse_options, split_from_name
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("cmexam")
HEADER = [
    "Question",
    "Options",
    "Answer",
    "Explanation",
    "Disease Group",
    "Clinical Department",
    "Medical Discipline",
    "Competency",
    "Difficulty level",
]
SAMPLE = bundled_samples_root() / "cmexam" / "data" / "train.csv"


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


OPTIONS = "A 地高辛\nB 呋塞米\nC 硝酸甘油\nD 吗啡\nE 多巴胺"


def _row(answer: str = "B", options: str = OPTIONS, explanation: str = "") -> list[str]:
    question = "急性左心衰竭时能迅速减轻肺水肿的利尿药是"
    return [question, options, answer, explanation, "循环系统疾病", "内科", "临床医学", "疾病治疗", "2"]


def _rows_of(data: bytes) -> int | None:
    """Non-blank data rows of a CSV file counted with the csv module, or None if not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    return max(0, len(rows) - 1)


# -- upstream layout and traps -------------------------------------------------------------


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    data = tmp_path / "CMExam" / "data"
    data.mkdir(parents=True)
    (data / "train.csv").write_bytes(
        _csv(
            [
                _row(explanation="呋塞米为袢利尿剂，静脉注射后可迅速利尿并扩张静脉。"),
                _row(answer="AB"),
                _row(answer=""),
                _row(answer="F"),
                _row(options="A 地高辛\n呋塞米"),
                _row(answer="B")[:5],
            ]
        )
    )
    (data / "val.csv").write_bytes(_csv([_row(answer="C")]))
    (data / "test_with_annotations.csv").write_bytes(_csv([_row(answer="D")]))
    return tmp_path / "CMExam"


def test_upstream_counts_splits_and_ids(upstream: Path) -> None:
    results = list(ADAPTER.read(upstream))
    kept, rejected = split_results(results)
    assert len(results) == 8
    # ids are the first physical line of each row: the quoted Options cell spans five lines
    assert [(item.source_id, item.split) for item in kept] == [
        ("test/2", "test"),
        ("train/2", "train"),
        ("train/7", "train"),
        ("validation/2", "validation"),
    ]
    assert [(reject.source_id, reject.reason) for reject in rejected] == [
        ("train/12", "missing_answer"),
        ("train/17", "answer_not_in_options"),
        ("train/22", "bad_format"),
        ("train/24", "bad_format"),
    ]
    assert all(reject.location.startswith("data/train.csv:") for reject in rejected)


def test_upstream_option_and_answer_mapping(upstream: Path) -> None:
    by_id = {item.source_id: item for item in ADAPTER.read(upstream) if isinstance(item, MCQuestion)}
    first = by_id["train/2"]
    assert first.options == {"A": "地高辛", "B": "呋塞米", "C": "硝酸甘油", "D": "吗啡", "E": "多巴胺"}
    assert first.answer == ["B"]
    assert first.rationale == "呋塞米为袢利尿剂，静脉注射后可迅速利尿并扩张静脉。"
    assert first.subject == "内科"
    assert first.exam == "CMExam"
    assert by_id["train/7"].answer == ["A", "B"]
    assert by_id["train/7"].rationale is None


def test_option_line_variants() -> None:
    assert parse_options("A. 一\n(B) 二\nC、三\nD：四", "x") == {"A": "一", "B": "二", "C": "三", "D": "四"}
    assert parse_options("A AB型血\nB O型血", "x") == {"A": "AB型血", "B": "O型血"}
    assert split_from_name("test_with_annotation.csv") == "test"
    assert split_from_name("val.csv") == "validation"


# -- bundled sample ------------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results = list(ADAPTER.read(bundled_samples_root() / "cmexam"))
    kept, rejected = split_results(results)
    assert rejected == []
    assert len(kept) == 59
    assert {item.lang for item in kept} == {"zh"}
    assert {item.split for item in kept} == {"train"}
    assert all(len(item.options) == 5 and item.rationale for item in kept)
    assert sum(item.is_multi_answer for item in kept) == 3
    assert len({item.question for item in kept}) == len(kept)
    # answers are spread over the option positions, not piled on one letter
    firsts = [item.answer[0] for item in kept if not item.is_multi_answer]
    assert max(firsts.count(letter) for letter in "ABCDE") <= 15


# -- damaged files -------------------------------------------------------------------------


def _check(root: Path, expected: int) -> None:
    results = read_all(ADAPTER, root)
    kept, rejected = split_results(results)
    assert len(results) == len(kept) + len(rejected) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_row(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"), newline="")))[:8]
    index = data.draw(st.integers(1, len(rows) - 1))
    damaged = data.draw(corrupt_json(rows[index]))
    rows[index] = [str(cell) for cell in damaged] if isinstance(damaged, list) else [str(damaged)]
    root = tmp_path_factory.mktemp("cmexam")
    (root / "train.csv").write_bytes(_csv(rows[1:], header=rows[0]))
    expected = _rows_of((root / "train.csv").read_bytes())
    assert expected is not None
    _check(root, expected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("cmexam")
    (root / "train.csv").write_bytes(damaged)
    rows = _rows_of(damaged)
    _check(root, 1 if rows is None else rows)
    if rows is None:
        results = read_all(ADAPTER, root)
        assert isinstance(results[0], Reject) and results[0].reason == "unreadable_file"
