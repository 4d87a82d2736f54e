"""The Ray engine and the local engine build the same input into the same output, row for row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.pipeline import BuildConfig, BuildResult, build
from mmed_ift.pipeline.distributed.runner import run_ray_build
from mmed_ift.pipeline.report_html import without_volatile

#: files with timings in them: compared without those (``_report``, ``without_volatile``)
VOLATILE_FILES = {"build_report.json", "report.html"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def both(ray_session: None, planted_sources: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("engines")

    def config(name: str) -> BuildConfig:
        return BuildConfig(languages=LANGUAGE_CODES, sources_dir=planted_sources, out_dir=out / name, progress=False)

    local: BuildResult = build(config("local"))
    distributed = run_ray_build(config("ray"))  # shards written by Ray tasks
    streamed = run_ray_build(config("ray_driver"), write_on_workers=False)  # shards written by the driver
    assert local.rejects == distributed.rejects == streamed.rejects
    for name in _files(local.out_dir):
        if name not in VOLATILE_FILES:
            assert (streamed.out_dir / name).read_bytes() == (local.out_dir / name).read_bytes(), name
    return local.out_dir, distributed.out_dir


def _files(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def _report(root: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((root / "build_report.json").read_text(encoding="utf-8"))
    report.pop("timings_s")
    report["config"].pop("out_dir")
    return report


def test_same_files_and_same_rows(both: tuple[Path, Path]) -> None:
    local, distributed = both
    assert _files(local) == _files(distributed)
    shards = [name for name in _files(local) if name.endswith(".parquet")]
    assert len(shards) >= 12  # both datasets, six languages
    for name in shards:
        left, right = pq.read_table(local / name).to_pylist(), pq.read_table(distributed / name).to_pylist()
        assert left == right, name
        assert (local / name).read_bytes() == (distributed / name).read_bytes(), name
    for card in ("MMed-IFT/README.md", "MMed-IFT-MC/README.md"):
        assert (local / card).read_text(encoding="utf-8") == (distributed / card).read_text(encoding="utf-8")


def test_same_html_report_outside_its_timings(both: tuple[Path, Path]) -> None:
    local, distributed = both
    pages = [without_volatile((root / "report.html").read_text(encoding="utf-8")) for root in (local, distributed)]
    assert pages[0] == pages[1]
    assert "<svg" in pages[0] and "Timings" not in pages[0]


def test_same_rejects_in_the_same_order(both: tuple[Path, Path]) -> None:
    local, distributed = both
    lines = (local / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == (distributed / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    reasons = {json.loads(line)["reason"] for line in lines}
    # the planted corpus exercises every rejecting filter
    assert {"wrong_language", "exact_duplicate", "near_duplicate", "contaminated"} <= reasons


def test_same_report(both: tuple[Path, Path]) -> None:
    local, distributed = both
    left, right = _report(local), _report(distributed)
    assert left == right
    near = left["filters"]["near_dedup"]
    assert near["rejected"] >= 36 and near["details"]["clusters"] >= 7
    assert left["filters"]["pii"]["details"]["items_changed"] > 0


def test_parallel_writer_cuts_shards_like_the_local_writer(ray_session: None, tmp_path: Path) -> None:
    """Shards of 10 rows over blocks of 7: every shard spans blocks, and the bytes still match."""
    import json as _json

    import ray.data

    from mmed_ift.generate import template
    from mmed_ift.hub.layout import write_parquet_shards
    from mmed_ift.pipeline.distributed.write import write_on_workers
    from mmed_ift.schemas import QAPair

    items = [
        QAPair(source="medquad", source_id=str(index), lang=lang, split="train", question=f"Q{index}?", answer="A.")
        for lang in ("en", "fr")
        for index in range(23)
    ]
    licensed = [item.model_copy(update={"license": "CC-BY-4.0"}) for item in items]
    samples = [sample for item in licensed for sample in template.generate(item)]
    for lang in ("en", "fr"):
        write_parquet_shards(tmp_path / "local", lang, "train", [s for s in samples if s.lang == lang], max_rows=10)
    rows = sorted(
        (
            {"dataset": "ift", "lang": s.lang, "split": "train", "id": s.id, "row": _json.dumps(s.to_row())}
            for s in samples
        ),
        key=lambda row: (row["lang"], row["id"]),
    )
    ordered = ray.data.from_items(rows, override_num_blocks=7).materialize()
    write_on_workers(tmp_path / "ray", ordered, {("ift", "en", "train"): 23, ("ift", "fr", "train"): 23}, max_rows=10)
    local = sorted((tmp_path / "local").rglob("*.parquet"))
    assert len(local) == 6
    for path in local:
        relative = path.relative_to(tmp_path / "local")
        assert (tmp_path / "ray" / "MMed-IFT" / relative).read_bytes() == path.read_bytes(), relative


def test_license_allow_is_applied_by_both_engines(ray_session: None, tmp_path: Path) -> None:
    """Both engines read with one classification rule (pipeline.sources.classify)."""

    def config(name: str) -> BuildConfig:
        return BuildConfig(languages=("en",), out_dir=tmp_path / name, progress=False, license_allow=("MIT",))

    local, distributed = build(config("local")), run_ray_build(config("ray"))
    lines = (local.out_dir / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == (distributed.out_dir / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert any(json.loads(line)["reason"] == "license_not_allowed" for line in lines)
    assert _report(local.out_dir)["sources"] == _report(distributed.out_dir)["sources"]
