"""The MMedBench rationale join gives the same rows on the Ray engine as on the local one: the
index is built on the driver and handed to every read task."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mmed_ift.pipeline import build
from mmed_ift.pipeline.distributed.runner import run_ray_build
from tests.sources.test_rationale_join import RATIONALE, join_config, join_sources

pytestmark = pytest.mark.slow


def test_both_engines_join_the_same_rationale(ray_session: None, tmp_path: Path) -> None:
    sources = join_sources(tmp_path / "src")
    local = build(join_config(sources, tmp_path / "local"))
    distributed = run_ray_build(join_config(sources, tmp_path / "ray"))
    files = sorted(path.relative_to(local.out_dir) for path in (local.out_dir / "MMed-IFT-MC").rglob("*.parquet"))
    assert files
    for relative in files:
        assert (distributed.out_dir / relative).read_bytes() == (local.out_dir / relative).read_bytes(), relative
    rows = [row for relative in files for row in pq.read_table(local.out_dir / relative).to_pylist()]
    joined = [row for row in rows if row["provenance"]["source"] == "frenchmedmcqa" and row["task"] == "mc_rationale"]
    assert len(joined) == 1 and RATIONALE in joined[0]["messages"][-1]["content"]
