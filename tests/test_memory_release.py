"""Freed memory handed back to the kernel between the local engine's stages."""

from __future__ import annotations

from mmed_ift.pipeline.memory import _libc, release_free_memory


def test_release_free_memory_asks_glibc_and_is_harmless() -> None:
    junk = [bytes(1000) * (index % 3 + 1) for index in range(20_000)]
    del junk
    released = release_free_memory()
    assert released == (_libc() is not None)  # a no-op where the C library has no malloc_trim
    assert release_free_memory() == released  # the library is found once and the call repeats


def _resident_mib() -> float:
    from pathlib import Path

    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_release_free_memory_hands_back_what_arrow_freed() -> None:
    # Arrow's own allocator keeps freed pages; the writer's tables left ~125 MiB resident that way
    import sys

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("reads the resident set from /proc")
    base = pa.array(np.arange(20_000, dtype=np.int64))
    before = _resident_mib()
    arrays = [pc.add(base, index) for index in range(1_500)]  # ~240 MiB from Arrow's pool
    assert _resident_mib() - before > 150
    del arrays
    release_free_memory()
    assert _resident_mib() - before < 60
