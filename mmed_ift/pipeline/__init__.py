"""Orchestration: a build from sources to Hub-ready folders, on one machine or on Ray.

Layers (see docs/architecture.md): ``cli`` -> ``build`` -> domain packages (``sources``,
``filters``, ``generate``, ``hub``, ``train``, ``evaluate``) -> ``text``, ``schemas``,
``languages``.  Nothing below this package imports it.

The names below load on first use, so that importing :mod:`mmed_ift.pipeline.config` (which the
command line does to offer the options) does not load the whole pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mmed_ift.lazy import lazy_getattr

if TYPE_CHECKING:
    from mmed_ift.pipeline.config import ALL_LANGUAGES, DEFAULT_OUT, BuildConfig, EngineOptions
    from mmed_ift.pipeline.local import build
    from mmed_ift.pipeline.report import BuildReport, BuildResult
    from mmed_ift.pipeline.run import run_build, run_ray_build

_WHERE = {
    "ALL_LANGUAGES": "mmed_ift.pipeline.config",
    "DEFAULT_OUT": "mmed_ift.pipeline.config",
    "BuildConfig": "mmed_ift.pipeline.config",
    "EngineOptions": "mmed_ift.pipeline.config",
    "build": "mmed_ift.pipeline.local",
    "BuildReport": "mmed_ift.pipeline.report",
    "BuildResult": "mmed_ift.pipeline.report",
    "run_build": "mmed_ift.pipeline.run",
    "run_ray_build": "mmed_ift.pipeline.run",
}

__all__ = [
    "ALL_LANGUAGES",
    "DEFAULT_OUT",
    "BuildConfig",
    "BuildReport",
    "BuildResult",
    "EngineOptions",
    "build",
    "run_build",
    "run_ray_build",
]


__getattr__ = lazy_getattr("mmed_ift.pipeline", _WHERE)
