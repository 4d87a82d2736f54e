"""PubMedQA adapter: the real PQA-L sample (all 30 ids are test ids), the train / mismatch /
unlabelled / empty-conclusion traps, the bundled sample, and damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import MCQuestion, QAPair, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("pubmedqa")
SAMPLE_ROOT = bundled_samples_root() / "pubmedqa"
SAMPLE = SAMPLE_ROOT / "ori_pqal.json"
TRUTH = SAMPLE_ROOT / "test_ground_truth.json"
RECORD_KEYS = [
    "QUESTION", "CONTEXTS", "LABELS", "MESHES", "YEAR",
    "reasoning_required_pred", "reasoning_free_pred", "final_decision", "LONG_ANSWER",
]  # fmt: skip


def _record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "QUESTION": "Does aspirin reduce stroke risk?",
        "CONTEXTS": ["Aspirin is widely used.", "We followed 500 patients."],
        "LABELS": ["BACKGROUND", "RESULTS"],
        "MESHES": ["Aspirin", "Stroke"],
        "YEAR": None,
        "reasoning_required_pred": "yes",
        "reasoning_free_pred": "yes",
        "final_decision": "yes",
        "LONG_ANSWER": "Aspirin reduced the risk of stroke.",
    }
    record.update(changes)
    return record


def _write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=4), encoding="utf-8")


def _by_location(results: list[Any]) -> dict[str, Any]:
    return {result.location: result for result in results}


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "pubmedqa"))


def test_real_counts_and_splits(realdata: Path, real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 60 and len(kept) == 60 and rejected == []
    assert Counter((item.split, item.kind) for item in kept) == {("test", "mc"): 30, ("test", "qa"): 30}
    assert len({item.source_id for item in kept}) == 60
    truth = json.loads((realdata / "pubmedqa" / "test_ground_truth.json").read_text(encoding="utf-8"))
    mc = [item for item in kept if isinstance(item, MCQuestion)]
    assert {item.source_id for item in mc} == set(truth)  # every sampled id is a test id
    assert all(item.answer == [{"yes": "A", "no": "B", "maybe": "C"}[truth[item.source_id]]] for item in mc)
    assert {item.exam for item in mc} == {"PubMedQA-PQAL"} and {item.lang for item in kept} == {"en"}


@pytest.mark.parametrize("pmid", ["21645374", "25475395"])
def test_real_records_match_raw(realdata: Path, real_results: list[Any], pmid: str) -> None:
    raw = json.loads((realdata / "pubmedqa" / "ori_pqal.json").read_text(encoding="utf-8"))[pmid]
    results = _by_location(real_results)
    mc, qa = results[f"ori_pqal.json#{pmid}"], results[f"ori_pqal.json#{pmid}/LONG_ANSWER"]
    assert isinstance(mc, MCQuestion) and isinstance(qa, QAPair)
    assert mc.source_id == pmid and qa.source_id == f"{pmid}/long_answer"
    assert mc.question == qa.question == raw["QUESTION"]
    assert mc.options == {"A": "yes", "B": "no", "C": "maybe"} and raw["final_decision"] == "yes"
    assert mc.answer == ["A"] and mc.exam == "PubMedQA-PQAL" and mc.split == qa.split == "test"
    sections = zip(raw["LABELS"], raw["CONTEXTS"], strict=True)
    expected_context = "\n\n".join(f"{label}: {text.strip()}" for label, text in sections)
    assert mc.context == qa.context == expected_context
    assert mc.rationale == qa.answer == raw["LONG_ANSWER"]


# -- traps -----------------------------------------------------------------------------------


def test_train_mismatch_and_bad_labels(tmp_path: Path) -> None:
    records = {
        "1": _record(),  # not in the ground truth: train
        "2": _record(final_decision="yes"),  # ground truth says no
        "3": _record(final_decision=" Maybe "),
        "4": _record(final_decision="unsure"),
        "5": _record(LONG_ANSWER=""),
        "6": _record(LABELS=["BACKGROUND"]),
        "7": ["not", "an", "object"],
        "8": _record(final_decision=None),  # the label comes from the ground truth
    }
    _write(tmp_path / "ori_pqal.json", records)
    _write(tmp_path / "test_ground_truth.json", {"2": "no", "3": "maybe", "8": "no"})
    results: list[Any] = list(ADAPTER.read(tmp_path))
    reasons = [(result.location.removeprefix("ori_pqal.json#"), getattr(result, "reason", None)) for result in results]
    assert reasons == [
        ("1", None), ("1/LONG_ANSWER", None),
        ("2", "answer_mismatch"), ("2/LONG_ANSWER", None),
        ("3", None), ("3/LONG_ANSWER", None),
        ("4", "answer_not_in_options"), ("4/LONG_ANSWER", None),
        ("5", None), ("5/LONG_ANSWER", "empty_answer"),
        ("6", "bad_format"), ("7", "bad_format"),
        ("8", None), ("8/LONG_ANSWER", None),
    ]  # fmt: skip
    by = _by_location(results)
    assert by["ori_pqal.json#1"].split == "train" and by["ori_pqal.json#1"].answer == ["A"]
    assert "'no'" in by["ori_pqal.json#2"].detail and by["ori_pqal.json#2"].split == "test"
    assert by["ori_pqal.json#3"].answer == ["C"] and by["ori_pqal.json#8"].answer == ["B"]
    assert by["ori_pqal.json#5"].rationale is None and by["ori_pqal.json#5/LONG_ANSWER"].source_id == "5/long_answer"
    assert "LABELS" in by["ori_pqal.json#6"].detail


def test_unlabelled_and_artificial_subsets(tmp_path: Path) -> None:
    unlabelled = _record()
    del unlabelled["final_decision"], unlabelled["reasoning_required_pred"], unlabelled["reasoning_free_pred"]
    _write(tmp_path / "ori_pqau.json", {"100": unlabelled, "101": unlabelled | {"LONG_ANSWER": None}})
    _write(tmp_path / "ori_pqaa.json", {"200": _record(final_decision="no", LABELS=[])})
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [(type(result).__name__, result.location) for result in results] == [
        ("MCQuestion", "ori_pqaa.json#200"),
        ("QAPair", "ori_pqaa.json#200/LONG_ANSWER"),
        ("QAPair", "ori_pqau.json#100/LONG_ANSWER"),
        ("Reject", "ori_pqau.json#101/LONG_ANSWER"),
    ]
    assert results[0].exam == "PubMedQA-PQAA" and results[0].answer == ["B"]
    assert results[0].context == "Aspirin is widely used.\n\nWe followed 500 patients."  # no labels to prefix
    assert all(result.split == "train" for result in results) and results[3].reason == "empty_answer"


def test_broken_ground_truth_is_one_reject(tmp_path: Path) -> None:
    _write(tmp_path / "ori_pqal.json", {"1": _record()})
    (tmp_path / "test_ground_truth.json").write_text('{"1": "yes"', encoding="utf-8")
    first, *rest = ADAPTER.read(tmp_path)
    assert isinstance(first, Reject) and first.reason == "unreadable_file" and first.split == "test"
    assert first.location.startswith("test_ground_truth.json")
    assert [result.split for result in rest] == ["train", "train"]
    _write(tmp_path / "test_ground_truth.json", ["1"])
    assert getattr(next(iter(ADAPTER.read(tmp_path))), "reason", None) == "unreadable_file"


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    kept, rejected = split_results(list(ADAPTER.read(SAMPLE_ROOT)))
    assert rejected == [] and len(kept) == 28
    assert Counter((item.split, item.kind) for item in kept) == {
        ("train", "mc"): 10, ("train", "qa"): 10, ("test", "mc"): 4, ("test", "qa"): 4,
    }  # fmt: skip
    assert {item.lang for item in kept} == {"en"} and len({item.source_id for item in kept}) == 28
    assert Counter(item.answer[0] for item in kept if isinstance(item, MCQuestion)) == {"A": 8, "B": 4, "C": 2}
    labels = ("BACKGROUND: ", "OBJECTIVE: ", "METHODS: ", "RESULTS: ")
    assert all(item.context and item.context.startswith(labels) for item in kept)


def test_bundled_sample_is_upstream_format() -> None:
    text, truth_text = SAMPLE.read_text(encoding="utf-8"), TRUTH.read_text(encoding="utf-8")
    records, truth = json.loads(text), json.loads(truth_text)
    # indent 4, ensure_ascii=True, no trailing newline
    assert text == json.dumps(records, indent=4) and truth_text == json.dumps(truth, indent=4)
    assert all(list(record) == RECORD_KEYS for record in records.values())
    assert all(len(record["LABELS"]) == len(record["CONTEXTS"]) for record in records.values())
    assert set(truth) <= set(records) and all(records[pmid]["final_decision"] == label for pmid, label in truth.items())


# -- damaged files --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    records = dict(list(json.loads(SAMPLE.read_text(encoding="utf-8")).items())[:6])
    damaged_id = data.draw(st.sampled_from(sorted(records)))
    records[damaged_id] = data.draw(corrupt_json(records[damaged_id]))
    root = tmp_path_factory.mktemp("pubmedqa")
    _write(root / "ori_pqal.json", records)
    (root / "test_ground_truth.json").write_bytes(TRUTH.read_bytes())
    kept, rejected = split_results(read_all(ADAPTER, root))
    per_record = Counter(result.source_id.split("/")[0] for result in kept + rejected)
    assert set(per_record) == set(records)
    assert all(count == 2 for pmid, count in per_record.items() if pmid != damaged_id)  # an MC and a QA item
    assert per_record[damaged_id] in (1, 2)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("pubmedqa")
    (root / "ori_pqal.json").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    try:
        parsed = json.loads(damaged.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = None
    if not isinstance(parsed, dict):  # a broken whole-file JSON is exactly one reject
        assert kept == [] and [reject.reason for reject in rejected] == ["unreadable_file"]
        return
    per_record = Counter(result.source_id.split("/")[0] for result in kept + rejected)
    assert set(per_record) == set(parsed) and all(count in (1, 2) for count in per_record.values())
