"""CMB adapter: the real answer key and CMB-Clin files, the join of the key to question texts,
the bundled CMB-Clin sample, and damaged files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import MCQuestion, QAPair, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("cmb")


def _crlf_json(value: Any) -> bytes:
    """The upstream serialisation: indent 4, raw UTF-8, CRLF, no trailing newline."""
    return json.dumps(value, ensure_ascii=False, indent=4).replace("\n", "\r\n").encode("utf-8")


def _expected_clin_results(cases: Any) -> int:
    """One result per QA pair; a case without a usable pair list is one reject."""
    if not isinstance(cases, list):
        return 1
    total = 0
    for case in cases:
        pairs = case.get("QA_pairs") if isinstance(case, dict) else None
        total += len(pairs) if isinstance(pairs, list) and pairs else 1
    return total


def _parsed(data: bytes) -> Any:
    """The file as the adapter would parse it, or None when it does not parse as a whole."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "cmb"))


@pytest.fixture(scope="module")
def raw_clin(realdata: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((realdata / "cmb" / "CMB-test-qa.json").read_text(encoding="utf-8"))
    return data


def test_real_counts(real_results: list[Any], raw_clin: list[dict[str, Any]]) -> None:
    kept, rejected = split_results(real_results)
    pairs = sum(len(case["QA_pairs"]) for case in raw_clin)
    assert len(raw_clin) == 30
    assert pairs == 83
    assert len(real_results) == 113
    assert len(kept) == 83
    assert len(rejected) == 30
    assert all(isinstance(item, QAPair) and item.split == "test" and item.lang == "zh" for item in kept)


def test_real_answer_key_is_rejected_as_missing_question(real_results: list[Any]) -> None:
    _, rejected = split_results(real_results)
    assert {reject.reason for reject in rejected} == {"missing_question"}
    assert [reject.source_id for reject in rejected] == [f"exam/test/{number}" for number in range(1, 31)]
    first = rejected[0]
    assert first.location == "CMB-test-choice-answer.json[0]"
    assert first.split == "test"
    assert "CMB-test-choice-question-merge.json" in first.detail


def test_real_clin_pairs_per_case(real_results: list[Any], raw_clin: list[dict[str, Any]]) -> None:
    kept, _ = split_results(real_results)
    per_case: dict[str, int] = {}
    for item in kept:
        case_id = item.source_id.split("/")[1]
        per_case[case_id] = per_case.get(case_id, 0) + 1
    assert per_case == {case["id"]: len(case["QA_pairs"]) for case in raw_clin}
    assert per_case["3"] == 1
    assert per_case["23"] == 4
    assert len({item.source_id for item in kept}) == len(kept)


def test_real_clin_record_matches_raw(real_results: list[Any], raw_clin: list[dict[str, Any]]) -> None:
    by_id = {item.source_id: item for item in real_results if isinstance(item, QAPair)}
    first = by_id["clin/0/0"]
    assert first.title == "案例分析-腹外疝"
    assert first.question == "简述该病人的诊断及诊断依据。"
    assert first.answer == raw_clin[0]["QA_pairs"][0]["answer"].strip()
    assert first.context == raw_clin[0]["description"]
    assert first.location == "CMB-test-qa.json[0].QA_pairs[0]"
    last = by_id["clin/23/3"]
    assert last.question == raw_clin[23]["QA_pairs"][3]["question"].strip()
    assert last.title == raw_clin[23]["title"]


def test_real_crlf_is_handled(realdata: Path, real_results: list[Any]) -> None:
    raw = (realdata / "cmb" / "CMB-test-qa.json").read_bytes()
    assert b"\r\n" in raw
    for item in real_results:
        if isinstance(item, QAPair):
            assert "\r" not in item.question + item.answer + (item.context or "")


def test_hierarchy_file_is_not_a_record_source(realdata: Path, real_results: list[Any]) -> None:
    assert (realdata / "cmb" / "CMB-test-choice-hierarchy.json").is_file()
    assert all("hierarchy" not in path.name for path in ADAPTER.find_files(realdata / "cmb"))
    assert all("hierarchy" not in result.location for result in real_results)


# -- CMB-Exam question files and the join to the answer key --------------------------------


def _exam_record(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "exam_type": "医师考试",
        "exam_class": "执业医师",
        "exam_subject": "内科学",
        "question": "诊断急性心肌梗死特异性最高的血清标志物是",
        "answer": "C",
        "question_type": "单项选择题",
        "option": {"A": "肌红蛋白", "B": "乳酸脱氢酶", "C": "心肌肌钙蛋白", "D": "谷草转氨酶", "E": "", "F": " "},
    }
    record.update(fields)
    return record


def test_test_questions_join_the_answer_key(realdata: Path, tmp_path: Path) -> None:
    shutil.copy(realdata / "cmb" / "CMB-test-choice-answer.json", tmp_path)
    questions = [
        _exam_record(id=1, answer=""),  # key says D
        _exam_record(id=9, answer="", question_type="多项选择题"),  # key says ABC
        _exam_record(id=9999, answer=""),  # not in the key
        _exam_record(id=12, question=""),  # in the key but without text: one reject, not two
    ]
    (tmp_path / "CMB-test").mkdir()
    (tmp_path / "CMB-test" / "CMB-test-choice-question-merge.json").write_bytes(_crlf_json(questions))
    results = list(ADAPTER.read(tmp_path))
    kept, rejected = split_results(results)
    assert len(results) == 4 + 30 - 3
    joined = [(item.source_id, item.answer) for item in kept]
    assert joined == [("exam/test/1", ["D"]), ("exam/test/9", ["A", "B", "C"])]
    assert kept[0].options == {
        "A": "肌红蛋白",
        "B": "乳酸脱氢酶",
        "C": "心肌肌钙蛋白",
        "D": "谷草转氨酶",
    }
    assert kept[0].exam == "CMB/医师考试/执业医师"
    assert kept[0].subject == "内科学"
    reasons = {reject.source_id: reject.reason for reject in rejected}
    assert reasons["exam/test/9999"] == "missing_answer"
    assert reasons["exam/test/2"] == "missing_question"
    assert reasons["exam/test/12"] == "missing_question"
    assert [reject.source_id for reject in rejected].count("exam/test/12") == 1
    assert "exam/test/1" not in reasons


def test_val_file_maps_options_answers_and_rejects(tmp_path: Path) -> None:
    records = [
        _exam_record(explanation="肌钙蛋白特异性最高。"),
        _exam_record(answer="AC", question_type="多项选择题"),
        _exam_record(answer="E"),  # E is a blank padding slot
        _exam_record(answer=""),
        _exam_record(question=""),
        _exam_record(answer="C?"),
    ]
    (tmp_path / "CMB-val").mkdir()
    (tmp_path / "CMB-val" / "CMB-val-merge.json").write_bytes(_crlf_json(records))
    results = list(ADAPTER.read(tmp_path))
    assert len(results) == len(records)
    first = results[0]
    assert isinstance(first, MCQuestion)
    assert (first.source_id, first.split, first.answer, first.rationale) == (
        "exam/validation/#0",
        "validation",
        ["C"],
        "肌钙蛋白特异性最高。",
    )
    assert isinstance(results[1], MCQuestion) and results[1].answer == ["A", "C"]
    assert [result.reason for result in results[2:] if isinstance(result, Reject)] == [
        "answer_not_in_options",
        "missing_answer",
        "missing_question",
        "bad_format",
    ]


# -- bundled sample ------------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results = list(ADAPTER.read(bundled_samples_root() / "cmb"))
    kept, rejected = split_results(results)
    assert rejected == []
    assert len(kept) == 5
    assert {item.lang for item in kept} == {"zh"}
    assert {item.split for item in kept} == {"test"}
    assert [item.source_id for item in kept] == ["clin/0/0", "clin/0/1", "clin/0/2", "clin/1/0", "clin/1/1"]
    raw = (bundled_samples_root() / "cmb" / "CMB-test-qa.json").read_bytes()
    assert b"\r\n" in raw and not raw.endswith(b"\n")


# -- damaged files -------------------------------------------------------------------------


def _check(root: Path, expected: int) -> None:
    results = read_all(ADAPTER, root)
    kept, rejected = split_results(results)
    assert len(results) == len(kept) + len(rejected) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_clin_case(realdata: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    cases = json.loads((realdata / "cmb" / "CMB-test-qa.json").read_text(encoding="utf-8"))[:4]
    index = data.draw(st.integers(0, len(cases) - 1))
    cases[index] = data.draw(corrupt_json(cases[index]))
    root = tmp_path_factory.mktemp("cmb")
    (root / "CMB-test-qa.json").write_bytes(_crlf_json(cases))
    _check(root, _expected_clin_results(cases))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_answer_key_record(
    realdata: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    entries = json.loads((realdata / "cmb" / "CMB-test-choice-answer.json").read_text(encoding="utf-8"))[:5]
    index = data.draw(st.integers(0, len(entries) - 1))
    entries[index] = data.draw(corrupt_json(entries[index]))
    root = tmp_path_factory.mktemp("cmb")
    (root / "CMB-test-choice-answer.json").write_bytes(_crlf_json(entries))
    _check(root, len(entries))
    results = read_all(ADAPTER, root)
    assert all(isinstance(result, Reject) for result in results)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(realdata: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["CMB-test-qa.json", "CMB-test-choice-answer.json"]))
    damaged = data.draw(corrupt_bytes((realdata / "cmb" / name).read_bytes()))
    root = tmp_path_factory.mktemp("cmb")
    (root / name).write_bytes(damaged)
    parsed = _parsed(damaged)
    if parsed is None or not isinstance(parsed, list):
        expected = 1  # the whole file is one reject naming it
    elif name == "CMB-test-qa.json":
        expected = _expected_clin_results(parsed)
    else:
        expected = len(parsed)
    _check(root, expected)
    if expected == 1 and parsed is None:
        results = read_all(ADAPTER, root)
        assert isinstance(results[0], Reject) and results[0].reason == "unreadable_file"
        assert results[0].location.startswith(name)
