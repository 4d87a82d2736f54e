"""Exact Jaccard similarity of every candidate pair at once: near dedup's confirmation step.

LSH at 0.6 hands over about seven candidate pairs for every pair that is confirmed at 0.8, and
their exact check was half of near dedup's CPU: ``np.intersect1d`` per pair is a few numpy calls
each, and the first all-pairs form sorted every shingle hash of the candidates three times (an
argsort for dense ids, the ids back in place, then the (text, id) keys).  Here each text's
hashes are sorted once, as one 64-bit key per (text, hash): the text in the high bits, the hash's
high bits below it.  That key is exact only while no text holds two hashes whose high bits
agree; the one sort also shows whether that happened (two equal keys with different hashes),
and then the dense ids are made instead (about 1e-9 of texts of a few hundred shingles).
Across texts the full hash is compared as well, so two texts' different hashes whose high bits
agree are never counted as shared.  Same values as :func:`~mmed_ift.text.minhash.jaccard` on
each pair (float64 shared / union); ``tests/text/test_minhash.py`` checks both forms against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mmed_ift.text.minhash import sorted_unique
from mmed_ift.text.shingles import ShingleBatch

U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class SortedSets:
    """The texts' shingle sets as sorted keys: text ``i`` owns ``keys[bounds[i]:bounds[i + 1]]``;
    a key is ``i * unit + value``, so the same value of text ``j`` is ``key % unit + j * unit``.
    ``hashes`` (the full hash of each key) is set when ``value`` is only part of the hash."""

    keys: U64
    bounds: npt.NDArray[np.int64]
    unit: np.uint64
    hashes: U64 | None


def pair_jaccards(pairs: npt.NDArray[np.int64], shingles: ShingleBatch) -> npt.NDArray[np.float64]:
    """Exact Jaccard similarity of the shingle sets of every pair ``(a, b)`` of rows of
    ``shingles`` (hashes per text in any order, repeats allowed), all pairs at once."""
    result = np.ones(len(pairs), dtype=np.float64)
    if not len(pairs) or not len(shingles.hashes):
        return result
    sets = packed_sets(shingles) or dense_sets(shingles)
    sizes = np.diff(sets.bounds)
    left, right = pairs[:, 0], pairs[:, 1]
    # every key of the left text, re-addressed to the right text: found among the keys = shared
    count = sizes[left]
    firsts = np.zeros(len(pairs) + 1, dtype=np.int64)
    np.cumsum(count, out=firsts[1:])
    position = np.repeat(sets.bounds[:-1][left] - firsts[:-1], count)
    position += np.arange(int(firsts[-1]))
    query = sets.keys[position] % sets.unit + np.repeat(right.astype(np.uint64) * sets.unit, count)
    where = np.minimum(np.searchsorted(sets.keys, query), len(sets.keys) - 1)
    match = sets.keys[where] == query
    if sets.hashes is not None:
        match &= sets.hashes[where] == sets.hashes[position]
    running = np.zeros(len(match) + 1, dtype=np.int64)
    np.cumsum(match, out=running[1:])
    shared = running[firsts[1:]] - running[firsts[:-1]]
    union = sizes[left] + sizes[right] - shared
    np.divide(shared, union, out=result, where=union > 0)
    return result


def packed_sets(shingles: ShingleBatch) -> SortedSets | None:
    """The sets keyed by (text, the hash's high bits), from one sort; None when a text holds two
    hashes that those bits do not tell apart."""
    texts = len(shingles.offsets) - 1
    bits = max(1, (texts - 1).bit_length())
    if bits >= 48:
        return None
    shift = np.uint64(64 - bits)
    owner = np.repeat(np.arange(texts, dtype=np.uint64), np.diff(shingles.offsets))
    keys = (owner << shift) | (shingles.hashes >> np.uint64(bits))
    del owner
    order = np.argsort(keys)
    keys = keys[order]
    hashes = shingles.hashes[order]
    del order
    repeat = keys[1:] == keys[:-1]
    if bool((repeat & (hashes[1:] != hashes[:-1])).any()):
        return None
    first = np.concatenate(([True], ~repeat))
    keys, hashes = keys[first], hashes[first]
    starts = np.searchsorted(keys, np.arange(texts, dtype=np.uint64) << shift)
    return SortedSets(keys, _bounds(starts, len(keys)), np.uint64(1) << shift, hashes)


def dense_sets(shingles: ShingleBatch) -> SortedSets:
    """The sets keyed by (text, dense id of the hash): exact for any hashes, three sorts."""
    texts = len(shingles.offsets) - 1
    order = np.argsort(shingles.hashes)
    ordered = shingles.hashes[order]
    dense = np.empty(len(order), dtype=np.uint64)
    dense[order] = np.cumsum(np.concatenate(([0], ordered[1:] != ordered[:-1])), dtype=np.uint64)
    width = np.uint64(dense.max() + np.uint64(1))
    owner = np.repeat(np.arange(texts, dtype=np.uint64), np.diff(shingles.offsets))
    keys = sorted_unique(owner * width + dense)
    starts = np.searchsorted(keys, np.arange(texts, dtype=np.uint64) * width)
    return SortedSets(keys, _bounds(starts, len(keys)), width, None)


def _bounds(starts: npt.NDArray[np.intp], total: int) -> npt.NDArray[np.int64]:
    bounds = np.empty(len(starts) + 1, dtype=np.int64)
    bounds[:-1] = starts
    bounds[-1] = total
    return bounds
