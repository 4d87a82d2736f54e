"""One local Ray instance (2 CPUs, no dashboard) for the whole session, and a planted corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.corpus import write_planted_sources


@pytest.fixture(scope="session")
def ray_session() -> Iterator[None]:
    import ray

    from mmed_ift.pipeline.distributed.session import ensure_ray

    started = not ray.is_initialized()
    ensure_ray(num_cpus=2)
    yield
    if started:
        ray.shutdown()


@pytest.fixture(scope="session")
def planted_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_planted_sources(tmp_path_factory.mktemp("planted") / "sources")
