"""XMedBench adapter: the real Apollo metadata files (ar/hi rejected, combined dev.json repeating
the per-language files), the options-string parser, the bundled French sample, damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.xmedbench import parse_answer, parse_options
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("xmedbench")
SAMPLE = bundled_samples_root() / "xmedbench" / "metadata" / "dev" / "fr.json"


def _dump(records: Any) -> bytes:
    """The upstream serialisation of dev/*: indent 2, raw UTF-8, no trailing newline."""
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "xmedbench"))


def test_spec_is_evaluation_only() -> None:
    assert ADAPTER.spec.training is False
    assert set(ADAPTER.spec.languages) == {"en", "zh", "fr", "es"}


def test_real_counts(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 12 * 30 - 14  # 11 files of 30 records, dev/fr.json holds 16
    assert len(kept) == 196
    assert len(rejected) == 150
    assert Counter((item.split, item.lang) for item in kept) == {
        ("validation", "en"): 30,
        ("validation", "es"): 30,
        ("validation", "fr"): 16,
        ("validation", "zh"): 30,
        ("test", "es"): 30,
        ("test", "fr"): 30,
        ("test", "zh"): 30,
    }
    assert len({item.source_id for item in kept}) == len(kept)


def test_real_rejects(real_results: list[Any]) -> None:
    _, rejected = split_results(real_results)
    reasons = Counter((reject.reason, reject.lang, reject.split) for reject in rejected)
    assert reasons == {
        ("unsupported_language", "ar", "validation"): 30,
        ("unsupported_language", "hi", "validation"): 30,
        ("unsupported_language", "ar", "test"): 30,
        ("unsupported_language", "hi", "test"): 30,
        ("duplicate_record", "es", "validation"): 30,
    }
    duplicate = next(reject for reject in rejected if reject.reason == "duplicate_record")
    assert duplicate.location == "metadata/dev.json[0]"
    assert duplicate.source_id == "validation/es/all-0"
    assert "metadata/dev/es.json[0]" in duplicate.detail
    arabic = next(reject for reject in rejected if reject.lang == "ar")
    assert arabic.source_id == "validation/ar/0" and arabic.location == "metadata/dev/ar.json[0]"


def test_real_records_match_raw(real_results: list[Any]) -> None:
    by_id = {item.source_id: item for item in real_results if isinstance(item, MCQuestion)}
    headqa = by_id["test/es/0"]
    assert headqa.question == "Forma fibras extracelulares con gran resistencia a la tensión:"
    # "(B) Colágeno.." upstream: Apollo's appended period is removed, the original one stays
    assert headqa.options == {"A": "Fibronectina.", "B": "Colágeno.", "C": "Integrinas.", "D": "Proteoglucanos."}
    assert headqa.answer == ["B"]
    assert headqa.exam == "XMedBench/headqa"
    french = by_id["test/fr/0"]
    assert french.options["C"] == "Le suc pancréatique" and french.answer == ["C"] and len(french.options) == 5
    chinese = by_id["validation/zh/0"]
    assert chinese.options["C"] == "非离子型" and chinese.answer == ["C"] and chinese.exam == "XMedBench/cmb-single"
    pubmedqa = by_id["validation/en/2"]
    assert pubmedqa.options == {"A": "Yes", "B": "No", "C": "Maybe"}
    assert pubmedqa.context is not None and pubmedqa.context.startswith("This study examines whether")
    medmcqa = by_id["validation/en/0"]
    assert medmcqa.context is None  # "context": "" upstream
    assert medmcqa.options["D"] == "PTFE" and medmcqa.answer == ["D"]


def test_real_options_without_appended_period_are_kept(real_results: list[Any], realdata: Path) -> None:
    raw = json.loads((realdata / "xmedbench" / "metadata" / "dev" / "en.json").read_text(encoding="utf-8"))
    assert not raw[3]["options"].endswith(".")
    item = next(item for item in real_results if isinstance(item, MCQuestion) and item.source_id == "validation/en/3")
    assert item.options["A"] == "Low self-esteem, strong self-efficacy, internal locus of control"


# -- parsers and traps --------------------------------------------------------------------


def test_parse_options_and_answers() -> None:
    assert parse_options("(A) x.\n(B) y, z.\n(C) w.", "f") == {"A": "x", "B": "y, z", "C": "w"}
    assert parse_options("(A) first line\ncontinued\n(B) other", "f") == {"A": "first line\ncontinued", "B": "other"}
    assert parse_answer("(C)", "f") == ["C"]
    assert parse_answer("(ECA)", "f") == ["A", "C", "E"]
    assert parse_answer("()", "f") == []
    for bad in ("A) x", "(A) x\n(A) y", "(A) \n(B) y"):
        with pytest.raises(SourceFormatError):
            parse_options(bad, "f")
    with pytest.raises(SourceFormatError):
        parse_answer("(C) Colágeno", "f")


def test_combined_file_languages_and_answers(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    options = "(A) Colágeno.\n(B) Elastina.\n(C) Queratina."
    records = [
        {"question": "¿Proteína más abundante?", "options": options, "answer": "(A)", "source": "headqa"},
        {"question": "多选", "options": options, "answer": "(AC)", "source": "cmexam"},
        {"question": "q", "options": options, "answer": "(D)", "source": "headqa"},
        {"question": "q", "options": options, "answer": "(B)", "source": "mystery"},
        {"question": "q", "options": options, "answer": "", "source": "headqa"},
        {"question": "q", "options": options, "answer": "(B)", "source": "mmlu-medical-hi"},
        {"question": "¿Proteína más abundante?", "options": options, "answer": "(A)", "source": "headqa"},
    ]
    (metadata / "test.json").write_bytes(_dump(records))
    results = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [
        None,
        None,
        "answer_not_in_options",
        "unknown_language",
        "missing_answer",
        "unsupported_language",
        "duplicate_record",
    ]
    first, multi = results[0], results[1]
    assert isinstance(first, MCQuestion) and first.lang == "es" and first.source_id == "test/es/all-0"
    assert isinstance(multi, MCQuestion) and multi.lang == "zh" and multi.answer == ["A", "C"]


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    results = list(ADAPTER.read(bundled_samples_root() / "xmedbench"))
    kept, rejected = split_results(results)
    assert rejected == []
    assert len(kept) == 5
    assert all(item.lang == "fr" and item.split == "validation" for item in kept)
    assert [item.answer for item in kept] == [["B"], ["A"], ["C"], ["A"], ["B"]]
    assert kept[0].options["B"] == "Sulfate de protamine"


def test_bundled_sample_is_upstream_format() -> None:
    data = SAMPLE.read_bytes()
    assert not data.endswith(b"\n")
    assert data == _dump(json.loads(data))
    records = json.loads(data)
    assert all(list(record) == ["question", "options", "answer", "source"] for record in records)


# -- damaged files --------------------------------------------------------------------------


def _expected_results(data: bytes) -> int:
    """One result per list element, or one reject for a file that is not a JSON list."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return 1
    return len(parsed) if isinstance(parsed, list) else 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    records = json.loads(SAMPLE.read_text(encoding="utf-8"))
    index = data.draw(st.integers(0, len(records) - 1))
    records[index] = data.draw(corrupt_json(records[index]))
    root = tmp_path_factory.mktemp("xmedbench")
    (root / "metadata" / "dev").mkdir(parents=True)
    (root / "metadata" / "dev" / "fr.json").write_bytes(_dump(records))
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(records)
    assert len(kept) >= len(records) - 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("xmedbench")
    (root / "metadata" / "dev").mkdir(parents=True)
    (root / "metadata" / "dev" / "fr.json").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == _expected_results(damaged)
    if _expected_results(damaged) == 1 and len(rejected) == 1 and not kept:
        assert rejected[0].location.startswith("metadata/dev/fr.json")
