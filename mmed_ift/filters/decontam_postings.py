"""How :class:`~mmed_ift.filters.decontam_index.ShingleIndex` turns the benchmark items into its
arrays with little memory: the index is built once per build, at its first batch of
decontamination, when the build holds the most (every surviving record), and building it was the
build's peak of memory (a dozen arrays of one number per benchmark shingle alive at once: 1.9
million shingles for 6,000 items at the bench's 200k records).  So the items are shingled a
slice at a time, and the postings come from one sort of the hashes, in int32 where that is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.decontam_shingles import Segments, item_shingles

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
#: item numbers and ranks kept by the index: int32 while they fit (half the memory of int64)
Ranks = npt.NDArray[np.signedinteger[Any]]

#: benchmark items shingled together (:func:`benchmark_shingles`): ~300 shingles each, so a
#: slice's working arrays are a few MB instead of a few hundred for the whole benchmark
ITEMS_PER_SLICE = 512


def benchmark_shingles(
    segments: Sequence[Segments], langs: Sequence[str], n: int | None = None, per_slice: int = ITEMS_PER_SLICE
) -> tuple[U64, I64, Flags, Flags]:
    """:func:`~mmed_ift.filters.decontam_shingles.item_shingles` of all the items, ``per_slice``
    items at a time (hashes, then each item's count of pairs instead of the item of each pair:
    ``np.repeat`` gives those back).  The same arrays: an item's pairs depend only on its
    own texts (a shingle's hash on its own characters, whatever else its call shingles)."""
    parts: list[tuple[U64, I64, Flags, Flags]] = []
    for start in range(0, len(segments), per_slice):
        stop = start + per_slice
        hashes, items, stem, tail = item_shingles(segments[start:stop], langs[start:stop], n)
        parts.append((hashes, np.bincount(items, minlength=len(segments[start:stop])), stem, tail))
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, bool), np.zeros(0, bool)
    hashes, counts, stem, tail = (np.concatenate(column) for column in zip(*parts, strict=True))
    return hashes, counts.astype(np.int64, copy=False), stem, tail


def postings(hashes: U64, items: Ranks) -> tuple[U64, I64, I64, Ranks, Ranks]:
    """The inverted index of the (hash, item) pairs of ``item_shingles``: the distinct hashes
    (sorted), how many items hold each (df) and where its run starts among the postings, the
    postings (the items of each hash in turn, ascending), and each pair's rank: its hash's
    position among the distinct ones.  What ``np.unique(..., return_index=True,
    return_counts=True)`` of the pairs in a stable hash order gives, from that one argsort (the
    unique's own argsort and copies, and a binary search for the ranks, cost as much memory
    again), postings and ranks in int32 while the numbers fit, each temporary freed before the
    next is made.  ``hashes`` is left sorted."""
    largest = max(len(hashes), int(items.max()) + 1 if len(items) else 0)
    small: type[np.signedinteger[Any]] = np.int32 if largest < 2**31 else np.int64
    order = np.argsort(hashes, kind="stable")
    # the hashes in that order are the hashes sorted: sorted in place rather than gathered, one
    # array of a number per shingle less at the peak (the caller needs them no more)
    hashes.sort()
    new = np.ones(len(hashes), dtype=bool)
    np.not_equal(hashes[1:], hashes[:-1], out=new[1:])
    start = np.flatnonzero(new)
    keys = hashes[start]
    df = np.diff(np.append(start, len(order))).astype(np.int64, copy=False)
    ranks: Ranks = np.cumsum(new, dtype=small)
    del new
    ranks -= 1
    rank: Ranks = np.empty(len(order), dtype=small)
    rank[order] = ranks
    del ranks
    return keys, df, start.astype(np.int64, copy=False), items[order].astype(small, copy=False), rank


def item_masses(
    offsets: I64, rank: Ranks, key_weight: F64, stem: Flags, tail: Flags, per_slice: int = ITEMS_PER_SLICE
) -> tuple[F64, F64, F64]:
    """Each item's weight (``key_weight`` at its pairs' ``rank``), in its stem and in its
    question part: ``np.bincount`` of the items' pairs in order, ``per_slice`` items at a time
    (an item's sums are added in the same order: the same floats, without three arrays of one
    float per benchmark shingle)."""
    size = len(offsets) - 1
    masses = np.zeros((3, size), dtype=np.float64)
    for first in range(0, size, per_slice):
        last = min(first + per_slice, size)
        span = slice(offsets[first], offsets[last])
        items = np.repeat(np.arange(last - first, dtype=np.int64), np.diff(offsets[first : last + 1]))
        weights = key_weight[rank[span]]
        for row, flags in enumerate((None, stem[span], tail[span])):
            chosen = weights if flags is None else np.where(flags, weights, 0.0)
            masses[row, first:last] = np.bincount(items, weights=chosen, minlength=last - first)
    return masses[0], masses[1], masses[2]
