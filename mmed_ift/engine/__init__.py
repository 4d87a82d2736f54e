"""Distributed build engine on Ray Data (``build --engine ray``); see docs/scale-out.md.

Ray is imported only when the engine runs, so ``import mmed_ift.engine`` works without it.
"""

from __future__ import annotations

from mmed_ift.engine.options import ENGINES, add_engine_arguments, add_ray_check_parser, build_with_engine

__all__ = ["ENGINES", "add_engine_arguments", "add_ray_check_parser", "build_with_engine"]
