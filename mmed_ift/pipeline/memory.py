"""Handing memory the build has let go of back to the operating system, between stages, and
not walking what it holds for cycles it never makes (:func:`no_cycle_collection`).

The local engine frees whole stages' worth of objects at once (the filter chain's text caches
when the chain ends, the corpus's items as the generator passes them), but glibc's ``malloc``
keeps freed heap pages mapped: the resident set stays at its high-water mark, and what the
writer then allocates (pyarrow's own allocator, which cannot reuse those pages) comes on top of
it.  ``malloc_trim(0)`` returns the free pages of every arena to the kernel, so the writer's
buffers reuse memory instead of adding to the peak.  It costs a few milliseconds a call, and
it is a no-op where the C library has no such call (musl, macOS, Windows).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    """glibc, or ``None`` where it is not the C library (or has no ``malloc_trim``)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
        library.malloc_trim.argtypes = [ctypes.c_size_t]
        library.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return library


def release_free_memory() -> bool:
    """Return the C heap's free pages to the kernel, and Arrow's (its own allocator keeps what
    the writer's tables freed: ~125 MiB after the 200k bench corpus's shards, under the report
    that follows); whether the C heap could be asked to.  Arrow is asked only when it is loaded."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    library = _libc()
    if library is None:
        return False
    library.malloc_trim(0)
    return True


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused (if it ran) for the duration, restored after.

    The build's stages (reading, the filter chain, the template rows) build no reference cycles
    but allocate a few container objects per record and keep most of them, so the collector's
    generation counters fire again and again and its full passes walk every item held so far:
    about a sixth of the read's CPU on the 20k bench corpus, for nothing (records are freed by
    reference counting; a handful of cyclic objects, e.g. from a caught error, wait for the next
    collection after the block instead).  Pausing changes no result."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: ``prctl`` options (linux/prctl.h): the process's "no transparent huge pages" flag
_PR_SET_THP_DISABLE = 41
_PR_GET_THP_DISABLE = 42


@contextmanager
def no_huge_pages() -> Iterator[None]:
    """Transparent huge pages off for this process for the duration (``prctl``), as before after.

    Arrow's allocator (mimalloc) asks for huge pages; each first touch of one has the kernel
    zero 2 MiB, and on the build's machines (virtual ones, whose memory the host backs on first
    touch) that zeroing was most of the writer's CPU: perf put 68% of the 200k bench corpus's
    write stage in ``clear_page_erms`` under huge-page faults (~1.2 s of system time; ~0.15 s
    with them off).  With ordinary pages, the memory one table frees is reused warm by the
    next.  Only the writer (and the report that reads its shards back) runs so: with them off
    for the whole build its peak rose (583 MiB above start against 561), with them off for the
    output alone it fell (552-556).  A no-op where
    the call is missing (not Linux, not glibc); the flag is restored after."""
    library = _libc()
    previous = None
    if library is not None and sys.platform.startswith("linux"):
        try:
            previous = library.prctl(_PR_GET_THP_DISABLE, 0, 0, 0, 0)
            if previous >= 0 and library.prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0:
                previous = None
        except AttributeError:
            previous = None
    try:
        yield
    finally:
        if previous is not None and previous >= 0:
            library.prctl(_PR_SET_THP_DISABLE, previous, 0, 0, 0)
