"""Freed memory handed back to the kernel between the local engine's stages."""

from __future__ import annotations

from mmed_ift.pipeline.memory import _libc, release_free_memory


def test_release_free_memory_asks_glibc_and_is_harmless() -> None:
    junk = [bytes(1000) * (index % 3 + 1) for index in range(20_000)]
    del junk
    released = release_free_memory()
    assert released == (_libc() is not None)  # a no-op where the C library has no malloc_trim
    assert release_free_memory() == released  # the library is found once and the call repeats
