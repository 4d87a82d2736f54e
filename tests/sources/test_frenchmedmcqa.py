"""FrenchMedMCQA adapter: the real train/dev/test samples (test has no ``type``), the traps the
adapter handles (out-of-order option keys, answer-count mismatch, bad letters), the bundled
multi-answer sample, and damaged files."""

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
from mmed_ift.sources.frenchmedmcqa import correct_letters, option_texts
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("frenchmedmcqa")
SAMPLE = bundled_samples_root() / "frenchmedmcqa" / "corpus" / "train.json"
SPLITS = {"train.json": "train", "dev.json": "validation", "test.json": "test"}


def _dump(records: Any) -> bytes:
    """The upstream serialisation: indent 4, ``ensure_ascii=True``, no trailing newline."""
    return json.dumps(records, indent=4).encode("utf-8")


def _record(ident: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": ident,
        "question": "Parmi les propositions suivantes, lesquelles sont exactes ?",
        "answers": {"a": "Aspirine", "b": "Paracétamol", "c": "Ibuprofène", "d": "Morphine", "e": "Codéine"},
        "correct_answers": ["a", "c"],
        "subject_name": "pharmacie",
        "type": "multiple",
        "nbr_correct_answers": 2,
    }
    record.update(changes)
    return record


def _read(tmp_path: Path, records: list[Any], name: str = "train.json") -> list[Any]:
    (tmp_path / name).write_bytes(_dump(records))
    return list(ADAPTER.read(tmp_path))


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "frenchmedmcqa"))


def test_real_counts_and_splits(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 90
    assert rejected == []
    assert Counter(item.split for item in kept) == {"train": 30, "validation": 30, "test": 30}
    assert all(isinstance(item, MCQuestion) and item.lang == "fr" for item in kept)
    assert all(list(item.options) == ["A", "B", "C", "D", "E"] for item in kept)
    assert all(item.subject == "pharmacie" and item.exam == "FrenchMedMCQA" for item in kept)
    assert len({item.source_id for item in kept}) == 90
    assert Counter(item.answer[0] for item in kept if item.split == "train") == {
        "C": 11,
        "D": 9,
        "B": 4,
        "E": 3,
        "A": 3,
    }


@pytest.mark.parametrize(
    ("name", "index", "source_id"),
    [
        ("train.json", 0, "230bac49b0fe863b772410bc8d01a025f63c3c999065480131d6334abd2efeff"),
        ("dev.json", 29, "b36af8422b00feefb35b23b95e7c9045b2db89b8b893b30c8703d2caa4bf48c5"),
        ("test.json", 0, "5987fa6bffd499eb439c90679d7fbca822d62bc639d1b9c94c68ae20e46f6004"),
    ],
)
def test_real_records_match_raw(realdata: Path, real_results: list[Any], name: str, index: int, source_id: str) -> None:
    raw = json.loads((realdata / "frenchmedmcqa" / name).read_text(encoding="utf-8"))[index]
    assert raw["id"] == source_id
    [item] = [result for result in real_results if result.source_id == source_id]
    assert isinstance(item, MCQuestion)
    assert item.location == f"{name}[{index}]" and item.split == SPLITS[name]
    assert item.question == raw["question"]
    assert item.options == {key.upper(): text for key, text in raw["answers"].items()}
    assert item.answer == [letter.upper() for letter in raw["correct_answers"]]
    assert item.rationale is None and item.context is None
    if name == "test.json":
        assert "type" not in raw  # the test split has no 'type' field, and is still read


def test_named_real_answers(real_results: list[Any]) -> None:
    by_id: dict[Any, Any] = {item.source_id: item for item in real_results}
    alpha = by_id["230bac49b0fe863b772410bc8d01a025f63c3c999065480131d6334abd2efeff"]
    assert alpha.answer == ["E"] and alpha.options["E"] == "Sont peu ionisantes"
    assert alpha.options["A"] == "Sont formées de noyaux d'hélium"  # \u00e9 decoded
    assert by_id["c403beb752ba6001252d91255e82951043fc83380f9090e4bdd284646ae3a4c5"].answer == ["A"]


# -- traps ----------------------------------------------------------------------------------


def test_out_of_order_keys_and_multi_answer(tmp_path: Path) -> None:
    answers = {"a": "un", "c": "trois", "d": "quatre", "e": "cinq", "b": "deux"}
    record = _record("f" * 64, answers=answers, correct_answers=["e", "b", "c"], nbr_correct_answers=3)
    [item] = _read(tmp_path, [record])
    assert isinstance(item, MCQuestion)
    assert list(item.options) == ["A", "B", "C", "D", "E"]
    assert item.options == {"A": "un", "B": "deux", "C": "trois", "D": "quatre", "E": "cinq"}
    assert item.answer == ["B", "C", "E"] and item.is_multi_answer


def test_test_split_without_type_and_nbr(tmp_path: Path) -> None:
    record = _record("1" * 64)
    del record["type"], record["nbr_correct_answers"]
    [item] = _read(tmp_path, [record], "test.json")
    assert isinstance(item, MCQuestion) and item.split == "test" and item.answer == ["A", "C"]


def test_rejects_name_their_reason(tmp_path: Path) -> None:
    records: list[Any] = [
        _record("a" * 64),
        _record("b" * 64, nbr_correct_answers=3),
        _record("c" * 64, correct_answers=["f"], nbr_correct_answers=1),
        _record("d" * 64, correct_answers=[], nbr_correct_answers=0),
        _record("e" * 64, correct_answers=[1], nbr_correct_answers=1),
        _record("a" * 64),
        "not an object",
        _record("0" * 64, answers={"a": "x", "b": 2}),
        _record("9" * 64, answers={"a": "seule"}, correct_answers=["a"], nbr_correct_answers=1),
    ]
    results = _read(tmp_path, records, "dev.json")
    reasons = [getattr(result, "reason", None) for result in results]
    assert reasons == [
        None,
        "answer_count_mismatch",
        "invalid_record",
        "invalid_record",
        "bad_format",
        "duplicate_id",
        "bad_format",
        "bad_format",
        "invalid_record",
    ]
    assert all(result.split == "validation" and result.lang == "fr" for result in results)
    assert [result.location for result in results] == [f"dev.json[{index}]" for index in range(9)]
    assert "nbr_correct_answers is 3 but correct_answers lists 2" in results[1].detail
    assert "dev.json[0]" in results[5].detail and results[5].source_id == "a" * 64
    assert results[6].source_id is None


def test_helpers() -> None:
    record = {"answers": {"b": "deux", " a ": "un"}, "correct_answers": ["b ", "a"]}
    assert option_texts(record, "x") == {"A": "un", "B": "deux"}
    assert correct_letters(record, "x") == ["A", "B"]


def test_broken_file_is_one_reject(tmp_path: Path) -> None:
    (tmp_path / "train.json").write_bytes(_dump([_record("a" * 64)])[:-5])
    (tmp_path / "dev.json").write_bytes(_dump({"id": "x"}))
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [(result.reason, result.location.split(":")[0]) for result in results] == [
        ("unreadable_file", "dev.json"),
        ("unreadable_file", "train.json"),
    ]


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    read, rejected = split_results(list(ADAPTER.read(bundled_samples_root() / "frenchmedmcqa")))
    assert rejected == []
    kept = [item for item in read if item.split == "train"]
    # corpus/test.json: the benchmark items (evaluate, lm-eval export), without the 'type' field
    assert [len(item.answer) for item in read if item.split == "test"] == [2, 1, 2]
    assert len(kept) == 56
    assert all(item.lang == "fr" and item.split == "train" for item in kept)
    assert Counter(len(item.answer) for item in kept) == {1: 18, 2: 16, 3: 14, 4: 8}
    assert kept[0].location == "corpus/train.json[0]"


def test_bundled_sample_is_upstream_format() -> None:
    data = SAMPLE.read_bytes()
    raw = json.loads(data)
    assert data == _dump(raw)  # indent 4, \\uXXXX escapes, no trailing newline
    assert not data.endswith(b"\n") and data.isascii()
    keys = ["id", "question", "answers", "correct_answers", "subject_name", "type", "nbr_correct_answers"]
    assert all(list(row) == keys for row in raw)
    assert all(len(row["id"]) == 64 and int(row["id"], 16) >= 0 for row in raw)
    assert all(row["nbr_correct_answers"] == len(row["correct_answers"]) for row in raw)


# -- damaged files --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    rows = json.loads(SAMPLE.read_bytes())[:6]
    index = data.draw(st.integers(0, len(rows) - 1))
    rows[index] = data.draw(corrupt_json(rows[index]))
    root = tmp_path_factory.mktemp("frenchmedmcqa")
    (root / "train.json").write_bytes(_dump(rows))
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(rows)
    assert len(kept) >= len(rows) - 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    original = SAMPLE.read_bytes()
    damaged = data.draw(corrupt_bytes(original))
    root = tmp_path_factory.mktemp("frenchmedmcqa")
    (root / "test.json").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    try:
        expected = len(json.loads(damaged.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError):
        assert kept == [] and [reject.reason for reject in rejected] == ["unreadable_file"]
        return
    assert len(kept) + len(rejected) == expected
    assert all(isinstance(reject, Reject) and reject.split == "test" for reject in rejected)
