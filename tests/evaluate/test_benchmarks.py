"""Each benchmark evaluates the split the literature reports on, read from upstream-format files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mmed_ift.evaluate.benchmarks import BENCHMARKS, load_benchmark, parse_benchmark_list, restrict
from mmed_ift.evaluate.errors import BenchmarkNotFoundError
from tests.conftest import realdata_source
from tests.evaluate.conftest import write_mmedbench


def _counts(name: str, location: Path) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    loaded = load_benchmark(name, location)
    return Counter((item.split, item.lang) for item in loaded.items), Counter(item.split for item in loaded.pool)


def test_every_issue_benchmark_is_registered() -> None:
    expected = "mmedbench,medqa,medmcqa,pubmedqa,headqa,frenchmedmcqa,igakuqa,rumeddanet,medexpqa,xmedbench"
    assert [name for name, _ in parse_benchmark_list(expected)] == list(BENCHMARKS)


@pytest.mark.parametrize(
    ("name", "folder", "split"),
    [
        ("medqa", "medqa_us", "test"),
        ("pubmedqa", "pubmedqa", "test"),
        ("headqa", "headqa", "test"),
        ("frenchmedmcqa", "frenchmedmcqa", "test"),
        ("igakuqa", "igakuqa", "test"),
        ("rumeddanet", "rumedbench", "test"),
    ],
)
def test_reads_only_the_held_out_split_of_real_files(name: str, folder: str, split: str) -> None:
    items, pool = _counts(name, realdata_source(folder))
    assert items and {item_split for item_split, _ in items} == {split}
    assert split not in pool


def test_headqa_has_spanish_and_its_english_translation() -> None:
    items, _ = _counts("headqa", realdata_source("headqa"))
    assert {lang for _, lang in items} == {"es", "en"}


def test_igakuqa_test_is_the_2022_exam() -> None:
    loaded = load_benchmark("igakuqa", realdata_source("igakuqa"))
    assert loaded.items and all("2022" in item.location for item in loaded.items)
    assert loaded.pool and all("2018" in item.location for item in loaded.pool)


def test_rumeddanet_takes_labelled_test_items_only() -> None:
    loaded = load_benchmark("rumeddanet", realdata_source("rumedbench"))
    assert all(item.exam == "RuMedDaNet" and item.options == {"A": "да", "B": "нет"} for item in loaded.items)
    assert all("test_v1.jsonl" in item.location and "private" not in item.location for item in loaded.items)
    assert loaded.rejected > 0  # the private test (no labels) and RuMedTest are rejected, never scored


def test_xmedbench_evaluates_every_item() -> None:
    loaded = load_benchmark("xmedbench", realdata_source("xmedbench"))
    assert {item.split for item in loaded.items} == {"validation", "test"}
    assert not loaded.pool


def test_medmcqa_evaluates_the_dev_split(tmp_path: Path) -> None:
    folder = tmp_path / "medmcqa"
    folder.mkdir()
    record = {"question": "Drug of choice?", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 2, "exp": "x"}
    for name, count in (("train.json", 3), ("dev.json", 2)):
        lines = [
            json.dumps({**record, "id": f"{name}-{index}", "question": f"Q{name}{index}"}) for index in range(count)
        ]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    items, pool = _counts("medmcqa", folder)
    assert items == Counter({("validation", "en"): 2})
    assert pool == Counter({"train": 3})


def test_data_dir_layout_limit_and_languages(tmp_path: Path) -> None:
    base = {"options": {"A": "x", "B": "y", "C": "z"}, "answer_idx": "B", "rationale": "r"}
    write_mmedbench(tmp_path, "Japanese", [{**base, "question": f"問題{i}です。"} for i in range(5)])
    write_mmedbench(tmp_path, "French", [{**base, "question": f"Question {i} ?"} for i in range(4)])
    loaded = load_benchmark("mmedbench", None, data_dir=tmp_path)
    assert loaded.languages == ["fr", "ja"]
    limited = restrict(loaded, ["ja"], 2)
    assert [item.lang for item in limited.items] == ["ja", "ja"]
    assert [item.source_id for item in limited.items] == ["test/ja/1", "test/ja/2"]


def test_default_is_the_bundled_samples() -> None:
    loaded = load_benchmark("pubmedqa")
    assert loaded.items and "samples" in loaded.location


def test_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkNotFoundError, match="unknown benchmark 'medqa2'"):
        parse_benchmark_list("medqa2")
    with pytest.raises(BenchmarkNotFoundError, match="does not exist"):
        load_benchmark("medqa", None, data_dir=tmp_path)
    (tmp_path / "medqa").mkdir()
    with pytest.raises(BenchmarkNotFoundError, match="no files matching"):
        load_benchmark("medqa", tmp_path / "medqa")


def test_hub_id_goes_to_the_hub_and_fails_fast_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real Hub path runs up to the first request; HF_HUB_OFFLINE makes it fail at once."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(BenchmarkNotFoundError, match=r"HF_HUB_OFFLINE|could not be downloaded|offline"):
        load_benchmark("medqa", "bigbio/med_qa")


def test_hub_reader_of_the_adapter_is_used_and_its_failure_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """MMedBench has its own ``read_hub`` (datasets.load_dataset); offline it fails with a clear error."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(BenchmarkNotFoundError, match="Henrychur/MMedBench"):
        load_benchmark("mmedbench", "Henrychur/MMedBench")
