"""MinHash signatures and LSH banding over numpy arrays, for hundreds of thousands of records.

The textbook loop (``MinHash().update(shingle)`` per shingle, then ``MinHashLSH.insert``) spends
its time in Python calls.  Here a batch's shingle hashes are one array and each permutation is
one vectorised pass: ``np.minimum.reduceat(h * a_k + b_k, offsets)`` gives permutation ``k`` of
every signature in the batch at once (the 1-D per-permutation form; the 2-D broadcast is slower,
see ../shared/OFFLINE-NOTES.md section 6).  Permutations are ``a*h + b`` over uint32 with
wraparound and odd ``a``, on well-mixed 64-bit shingle hashes folded to 32 bits.

Banding: ``bands x rows`` columns; records whose band values all agree in any band are
candidates.  Candidates are then checked with the *exact* Jaccard similarity of their shingle
sets, so the LSH threshold only trades speed for recall and never admits a false pair.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from datasketch.lsh import _optimal_param

from mmed_ift.filters.shingles import ShingleBatch, _finalize

U32 = npt.NDArray[np.uint32]
EMPTY = np.uint32(0xFFFFFFFF)
#: larger buckets are linked as a chain + star instead of all pairs (a boilerplate text shared
#: by thousands of records would otherwise produce millions of candidate pairs)
MAX_BUCKET_ALL_PAIRS = 32


@dataclass(frozen=True)
class LSHParams:
    num_perm: int = 128
    bands: int = 14
    rows: int = 9

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = 128) -> LSHParams:
        """Bands x rows minimising false positives + negatives at ``threshold`` (datasketch's rule)."""
        bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
        return cls(num_perm, int(bands), int(rows))

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")


def permutations(num_perm: int, seed: int = 1) -> tuple[U32, U32]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32)
    return a, b


def signatures(batch: ShingleBatch, num_perm: int = 128, seed: int = 1) -> npt.NDArray[np.uint32]:
    """``(texts, num_perm)`` MinHash signatures; a text with no shingles gets all-``EMPTY``."""
    a, b = permutations(num_perm, seed)
    count = len(batch.offsets) - 1
    out = np.full((count, num_perm), EMPTY, dtype=np.uint32)
    sizes = np.diff(batch.offsets)
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty) == 0:
        return out
    folded = (batch.hashes ^ (batch.hashes >> np.uint64(32))).astype(np.uint32)
    # reduceat needs strictly the starts of non-empty segments, in order
    starts = batch.offsets[:-1][nonempty]
    with np.errstate(over="ignore"):
        for k in range(num_perm):
            out[nonempty, k] = np.minimum.reduceat(folded * a[k] + b[k], starts)
    return out


def band_keys(signature: npt.NDArray[np.uint32], params: LSHParams) -> Iterator[npt.NDArray[np.uint64]]:
    """One uint64 key per record and band: equal keys mean equal band values (up to 2^-64)."""
    mix = np.array([0x9E3779B97F4A7C15 + 2 * i for i in range(params.rows)], dtype=np.uint64)
    for band in range(params.bands):
        columns = signature[:, band * params.rows : (band + 1) * params.rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            yield _finalize((columns * mix).sum(axis=1, dtype=np.uint64) + np.uint64(band))


def candidate_pairs(signature: npt.NDArray[np.uint32], params: LSHParams) -> npt.NDArray[np.int64]:
    """``(pairs, 2)`` record indices ``i < j`` that share a band; empty texts are never candidates."""
    count = len(signature)
    usable = ~(signature == EMPTY).all(axis=1)
    found: list[npt.NDArray[np.int64]] = []
    for keys in band_keys(signature, params):
        index = np.flatnonzero(usable)
        order = index[np.argsort(keys[index], kind="stable")]
        sorted_keys = keys[order]
        boundary = np.flatnonzero(np.diff(sorted_keys) != 0) + 1
        group_starts = np.concatenate(([0], boundary))
        group_sizes = np.diff(np.concatenate((group_starts, [len(order)])))
        pairs_of_two = group_starts[group_sizes == 2]
        if len(pairs_of_two):
            found.append(np.stack([order[pairs_of_two], order[pairs_of_two + 1]], axis=1))
        for start, size in zip(group_starts[group_sizes > 2], group_sizes[group_sizes > 2], strict=True):
            members = np.sort(order[start : start + size])
            found.append(_bucket_pairs(members))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    pairs.sort(axis=1)
    unique = np.unique(pairs[:, 0] * count + pairs[:, 1])
    return np.stack([unique // count, unique % count], axis=1)


def _bucket_pairs(members: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    if len(members) <= MAX_BUCKET_ALL_PAIRS:
        left, right = np.triu_indices(len(members), k=1)
        return np.stack([members[left], members[right]], axis=1)
    star = np.stack([np.full(len(members) - 1, members[0]), members[1:]], axis=1)
    chain = np.stack([members[:-1], members[1:]], axis=1)
    return np.concatenate([star, chain])


def jaccard(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """Exact Jaccard similarity of two *sorted unique* shingle-hash arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


class ShingleSets:
    """Sorted unique shingle hashes per record, computed on first use (only candidates need them)."""

    def __init__(self, batch: ShingleBatch) -> None:
        self._batch = batch
        self._cache: dict[int, npt.NDArray[np.uint64]] = {}

    def __getitem__(self, index: int) -> npt.NDArray[np.uint64]:
        found = self._cache.get(index)
        if found is None:
            found = np.unique(self._batch.of(index))
            self._cache[index] = found
        return found


def verified_pairs(
    pairs: npt.NDArray[np.int64], sets: Mapping[int, npt.NDArray[np.uint64]] | ShingleSets, threshold: float
) -> list[tuple[int, int, float]]:
    """The candidate pairs whose exact Jaccard similarity reaches ``threshold``."""
    kept = []
    for left, right in pairs.tolist():
        similarity = jaccard(sets[left], sets[right])
        if similarity >= threshold:
            kept.append((left, right, similarity))
    return kept


def clusters(count: int, edges: list[tuple[int, int, float]]) -> list[list[int]]:
    """Connected components (union-find) of the verified pairs; singletons are left out."""
    parent = list(range(count))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right, _ in edges:
        root_left, root_right = find(left), find(right)
        if root_left != root_right:
            parent[max(root_left, root_right)] = min(root_left, root_right)
    groups: dict[int, list[int]] = {}
    for left, right, _ in edges:
        for node in (left, right):
            groups.setdefault(find(node), [])
    for node in range(count):
        root = find(node)
        if root in groups:
            groups[root].append(node)
    return [sorted(members) for members in groups.values() if len(members) > 1]
