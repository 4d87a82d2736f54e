"""Huatuo26M-Lite adapter.  ``format_data.jsonl`` is not in ``realdata``, so its upstream
records and traps are rebuilt here, plus the bundled sample and damaged files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import QAPair
from mmed_ift.sources import bundled_samples_root, get_source
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("huatuo26m_lite")
SAMPLE = bundled_samples_root() / "huatuo26m_lite" / "format_data.jsonl"


def _record(number: int, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": number,
        "question": "晚上总是咳嗽，白天好一些，是怎么回事？",
        "answer": "夜间咳嗽常见于咳嗽变异性哮喘、胃食管反流和鼻后滴漏，建议就诊查肺功能。",
        "score": 4,
        "label": "呼吸内科",
        "related_diseases": "咳嗽变异性哮喘",
    }
    record.update(fields)
    return record


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    lines = [
        json.dumps(_record(101), ensure_ascii=False),
        json.dumps(_record(102, answer="  "), ensure_ascii=False),
        "",
        '{"id": 103, "question": "truncated',
        json.dumps(_record(104, question=""), ensure_ascii=False),
        json.dumps(_record(101), ensure_ascii=False),
        json.dumps(_record(105, answer=None), ensure_ascii=False),
        json.dumps({key: value for key, value in _record(0).items() if key != "id"}, ensure_ascii=False),
    ]
    (tmp_path / "format_data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_upstream_counts_ids_and_rejects(upstream: Path) -> None:
    results = list(ADAPTER.read(upstream))
    kept, rejected = split_results(results)
    assert len(results) == 7  # 8 lines, one blank
    assert [(item.source_id, item.location) for item in kept] == [
        ("101", "format_data.jsonl:1"),
        ("train/8", "format_data.jsonl:8"),
    ]
    assert [(reject.source_id, reject.reason) for reject in rejected] == [
        ("102", "missing_answer"),
        ("train/4", "bad_format"),
        ("104", "missing_question"),
        ("101", "duplicate_id"),
        ("train/7", "bad_format"),
    ]


def test_upstream_field_mapping(upstream: Path) -> None:
    first = next(iter(ADAPTER.read(upstream)))
    assert isinstance(first, QAPair)
    assert first.question == "晚上总是咳嗽，白天好一些，是怎么回事？"
    assert first.answer.startswith("夜间咳嗽常见于")
    assert (first.lang, first.split, first.qtype) == ("zh", "train", "呼吸内科")


# -- bundled sample ------------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results = list(ADAPTER.read(bundled_samples_root() / "huatuo26m_lite"))
    kept, rejected = split_results(results)
    assert rejected == []
    assert len(kept) == 59
    assert {item.lang for item in kept} == {"zh"}
    assert {item.split for item in kept} == {"train"}
    assert [item.source_id for item in kept] == [str(number) for number in range(1, 60)]
    assert len({item.question for item in kept}) == len(kept)


def test_bundled_sample_has_fake_contact_details_for_the_pii_filter() -> None:
    results = ADAPTER.read(bundled_samples_root() / "huatuo26m_lite")
    answers = [item.answer for item in results if isinstance(item, QAPair)]
    with_pii = [answer for answer in answers if "138-0000-0000" in answer or "@example.com" in answer]
    assert len(with_pii) == 3


# -- damaged files -------------------------------------------------------------------------


def _non_blank_lines(data: bytes) -> int:
    return sum(1 for line in data.split(b"\n") if line.strip())


def _check(root: Path, expected: int) -> None:
    results = read_all(ADAPTER, root)
    kept, rejected = split_results(results)
    assert len(results) == len(kept) + len(rejected) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:8]
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = json.dumps(data.draw(corrupt_json(json.loads(lines[index]))), ensure_ascii=False)
    root = tmp_path_factory.mktemp("huatuo")
    (root / "format_data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check(root, len(lines))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("huatuo")
    (root / "format_data.jsonl").write_bytes(damaged)
    _check(root, _non_blank_lines(damaged))
