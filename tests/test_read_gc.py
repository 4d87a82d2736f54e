"""The read runs with Python's cycle collector paused, and leaves the collector as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.memory import no_cycle_collection
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.sources import _read_sources, locate_sources, read_sources


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    """Every test starts with the collector on and ends with it as it was before."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_restored_after(collector_enabled: None) -> None:
    with no_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_error(collector_enabled: None) -> None:
    with pytest.raises(RuntimeError), no_cycle_collection():
        raise RuntimeError("stop")
    assert gc.isenabled()


def test_a_paused_collector_stays_paused(collector_enabled: None) -> None:
    gc.disable()
    with no_cycle_collection():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_read_pauses_it_and_reads_the_same(collector_enabled: None, tmp_path: Path) -> None:
    config = BuildConfig(languages=("en", "fr", "es", "zh", "ja"), out_dir=tmp_path / "out", progress=False)
    seen: list[bool] = []

    def read(collector: bool) -> tuple[list[object], list[object], list[object], dict[str, object]]:
        report = BuildReport()
        located = locate_sources(config, report)
        collected = (_read_sources if collector else read_sources)(config, located, report)
        seen.append(gc.isenabled())
        return collected.training, collected.held_out, collected.rejects, report.to_dict()["sources"]

    plain, paused = read(collector=True), read(collector=False)
    assert plain == paused
    assert len(plain[0]) > 0
    assert seen == [True, True]


def test_no_collection_runs_during_the_read(collector_enabled: None, tmp_path: Path) -> None:
    """Unpaused, the read of the bundled samples sets off collections; paused, only the one that
    the objects made meanwhile may set off as soon as the collector is back on."""
    config = BuildConfig(languages=("en", "fr", "es", "zh", "ja"), out_dir=tmp_path / "out", progress=False)

    def collections(read: object) -> int:
        report = BuildReport()
        located = locate_sources(config, report)
        started: list[int] = []

        def count(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started.append(info["generation"])

        gc.collect()  # counts start from zero: the few objects made before the pause fire nothing
        gc.callbacks.append(count)
        try:
            read(config, located, report)  # type: ignore[operator]
        finally:
            gc.callbacks.remove(count)
        return len(started)

    assert collections(_read_sources) > 1
    assert collections(read_sources) <= 1
