"""Running a build on the engine its options name."""

from __future__ import annotations

from typing import Any

from mmed_ift.pipeline.config import BuildConfig, EngineOptions
from mmed_ift.pipeline.local import build
from mmed_ift.pipeline.report import BuildResult


def run_build(config: BuildConfig, engine: EngineOptions | None = None) -> BuildResult:
    """Run ``config`` on the engine ``engine`` names (default: this process)."""
    engine = engine or EngineOptions()
    if engine.engine == "ray":
        return run_ray_build(
            config,
            ray_address=engine.ray_address,
            num_cpus=engine.ray_cpus,
            write_on_workers=None if engine.ray_write == "auto" else engine.ray_write == "workers",
        )
    return build(config)


def run_ray_build(config: BuildConfig, **options: Any) -> BuildResult:
    """:func:`mmed_ift.pipeline.distributed.runner.run_ray_build`: Ray is imported only when this runs."""
    from mmed_ift.pipeline.distributed.runner import run_ray_build as run

    return run(config, **options)
