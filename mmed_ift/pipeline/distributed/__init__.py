"""The distributed build engine on Ray Data (``build --engine ray``); see docs/scale-out.md.

Nothing here is imported until a Ray build runs (``mmed_ift.pipeline.run_ray_build``), so the rest
of the library works without Ray installed.
"""
