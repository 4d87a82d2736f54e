"""Running a build on the engine its options name."""

from __future__ import annotations

from typing import Any

from mmed_ift.errors import BuildError
from mmed_ift.pipeline.config import BuildConfig, EngineOptions
from mmed_ift.pipeline.local import build
from mmed_ift.pipeline.report import BuildResult


def run_build(config: BuildConfig, engine: EngineOptions | None = None) -> BuildResult:
    """Run ``config`` on the engine ``engine`` names (default: this process)."""
    engine = engine or EngineOptions()
    llm = config.llm_config()
    if engine.engine == "ray" and llm is not None and llm.llm_mode == "batch":
        # Batch jobs are few and long; one process submits and polls them (and resumes them).
        raise BuildError("--llm-mode batch runs on the local engine; drop --engine ray")
    if engine.engine == "ray" and config.composition is not None:
        raise BuildError("--target-size (composition) runs on the local engine; drop --engine ray")
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
