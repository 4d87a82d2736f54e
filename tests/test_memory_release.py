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


def test_no_huge_pages_sets_the_flag_for_the_block_and_restores_it() -> None:
    """Transparent huge pages off inside the block (the writer's), the flag as it was after -
    nested, and after an error; a no-op without glibc's ``prctl``."""
    import sys

    import pytest

    from mmed_ift.pipeline.memory import _PR_GET_THP_DISABLE, no_huge_pages

    library = _libc()
    if library is None or not sys.platform.startswith("linux"):
        with no_huge_pages():
            pass
        pytest.skip("no prctl here: the block runs as it is")

    def flag() -> int:
        return int(library.prctl(_PR_GET_THP_DISABLE, 0, 0, 0, 0))

    before = flag()
    with no_huge_pages():
        assert flag() == 1
        with no_huge_pages():
            assert flag() == 1
        assert flag() == 1
    assert flag() == before
    with pytest.raises(RuntimeError), no_huge_pages():
        raise RuntimeError("a failed write")
    assert flag() == before
