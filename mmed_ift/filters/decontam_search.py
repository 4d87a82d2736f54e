"""``np.searchsorted`` over sorted keys that are spread evenly (shingle hashes, or record-major
join keys), in a few gathers per query instead of a binary search.

Why: the decontamination index looks up every shingle of every training record among the
benchmark shingles (hundreds of thousands of keys), and every shingle of each candidate benchmark
item among the record's; a binary search is ~20 dependent probes across the whole array per
query and was the largest single cost of the step.  Keys split into buckets by their high bits
(two to four buckets a key): a query's position is its bucket's first key plus the keys of its
bucket below it, counted in rounds over the queries whose bucket still has keys left (mostly
one round).  The position is the same number as ``np.searchsorted(keys, queries)``
(``side="left"``): the keys below a query are those of earlier buckets and those of its own
bucket below it, the buckets being ranges of keys in order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64] | npt.NDArray[np.int64]


class BucketedKeys:
    """Sorted non-negative integer keys with the start of each bucket of their high bits."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        size = len(keys)
        top = int(keys[-1]) if size else 0
        # two to four buckets a key (2**(bits of size + 1) buckets): most queries are settled by
        # the first key of their bucket, in one round (one key per bucket left a second round to
        # about half the queries, 5% more instructions in the whole decontamination); the starts
        # are 4 bytes a bucket: 16 MB for an index of two million keys
        self.shift = min(max(top.bit_length() - max(size.bit_length() + 1, 0), 0), 63)
        buckets = (top >> self.shift) + 1
        counts = (
            np.bincount((keys >> self.shift).astype(np.int64), minlength=buckets) if size else np.zeros(1, np.int64)
        )
        starts = np.zeros(len(counts) + 2, dtype=np.int64)
        np.cumsum(counts, out=starts[1:-1])
        starts[-1] = starts[-2]
        self.starts = starts.astype(np.int32 if size < 2**31 else np.int64)

    def searchsorted(self, queries: Keys) -> I64:
        """``np.searchsorted(self.keys, queries)``: the number of keys below each query."""
        last = len(self.starts) - 2  # a query past the last bucket: every key is below it
        # a negative query (signed keys) is below every key: the first bucket, none of it below
        bucket = np.clip(queries >> self.shift, 0, np.array(last, dtype=queries.dtype)).astype(np.int64)
        position: I64 = self.starts[bucket].astype(np.int64)
        sizes = self.starts[bucket + 1] - position
        first = position.copy()
        active = np.flatnonzero(sizes > 0)
        offset = 0
        while len(active):
            below = self.keys[first[active] + offset] < queries[active]
            # a bucket's keys are in order: once one is not below the query, none after it is
            active = active[below]
            position[active] += 1
            offset += 1
            active = active[sizes[active] > offset]
        return position


#: up to this many possible keys, :func:`find_keys` looks keys up in a dense table
DENSE_LOOKUP_KEYS = 1 << 22
#: up to this many possible keys, a :class:`KeyTable` keeps its dense table (int32: 4 bytes a key)
PERSISTENT_LOOKUP_KEYS = 1 << 24


def find_keys(keys: I64, queries: I64, key_space: int) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Where each query is among ``keys`` (distinct, sorted, in ``[0, key_space)``) and whether
    it is there: a found query's position is ``np.searchsorted``'s; a missing one's is some valid
    position (0 when ``keys`` is empty), for callers that only read it where found.  A small key
    space (a batch of records times the benchmark's distinct shingles) is one scatter into a
    dense table and one gather per query; a large one, ``np.searchsorted``."""
    if len(keys) == 0:
        return np.zeros(len(queries), dtype=np.int64), np.zeros(len(queries), dtype=bool)
    if key_space <= DENSE_LOOKUP_KEYS:
        table: npt.NDArray[np.signedinteger[Any]]
        if len(keys) < 2**31:
            table = np.full(key_space, -1, dtype=np.int32)
        else:
            table = np.full(key_space, -1, dtype=np.int64)
        return _dense_find(table, keys, queries)
    # the queries come in runs already sorted (a record's benchmark items, hashes in order), which
    # a binary search that starts from the previous answer walks faster than the buckets do
    position = np.searchsorted(keys, queries)
    np.minimum(position, len(keys) - 1, out=position)
    return position, keys[position] == queries


class KeyTable:
    """:func:`find_keys` with one dense table for every call: allocated (and filled with -1) once,
    grown when a call needs more, and after each call put back to -1 where that call wrote.

    Why: the decontamination looks up each batch of records' shingle keys (a few hundred records
    times the benchmark's distinct shingles: millions of possible keys) once per batch; filling a
    fresh table of that size per batch cost more than the lookups, and beyond
    :data:`DENSE_LOOKUP_KEYS` the binary search more still.  Resetting only the entries a batch
    wrote costs one scatter of its own keys.  The answers are :func:`find_keys`'s."""

    def __init__(self, limit: int = PERSISTENT_LOOKUP_KEYS) -> None:
        self.limit = limit
        self._table = np.zeros(0, dtype=np.int32)

    def find(self, keys: I64, queries: I64, key_space: int) -> tuple[I64, npt.NDArray[np.bool_]]:
        """:func:`find_keys` ``(keys, queries, key_space)``."""
        if len(keys) == 0 or key_space > self.limit or len(keys) >= 2**31:
            return find_keys(keys, queries, key_space)
        if len(self._table) < key_space:
            self._table = np.full(min(max(key_space, 2 * len(self._table)), self.limit), -1, dtype=np.int32)
        try:
            return _dense_find(self._table, keys, queries)
        finally:
            self._table[keys] = -1


def _dense_find(
    table: npt.NDArray[np.signedinteger[Any]], keys: I64, queries: I64
) -> tuple[I64, npt.NDArray[np.bool_]]:
    """:func:`find_keys` through ``table`` (all -1 over the key space): one scatter of the keys'
    positions, one gather per query; the caller owns resetting the table."""
    table[keys] = np.arange(len(keys), dtype=table.dtype)
    found = table[queries]
    hit = found >= 0
    return np.where(hit, found, 0).astype(np.int64), hit
