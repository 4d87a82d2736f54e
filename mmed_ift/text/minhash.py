"""MinHash signatures and LSH banding over numpy arrays, for hundreds of thousands of records.

The textbook loop (``MinHash().update(shingle)`` per shingle, then ``MinHashLSH.insert``) spends
its time in Python calls.  Here a batch's shingle hashes are one array.  Signatures use
one-permutation hashing with optimal densification (:func:`signatures`): every shingle is hashed
once and lands in one of ``num_perm`` bins, so a signature costs O(shingles + num_perm) instead
of the O(shingles x num_perm) of ``num_perm`` separate permutations; the probability that two
signatures agree in a column is still the Jaccard similarity of the two sets.

Banding: ``bands x rows`` columns; records whose band values all agree in any band are
candidates.  Candidates are then checked with the *exact* Jaccard similarity of their shingle
sets, so the LSH threshold only trades speed for recall and never admits a false pair.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from mmed_ift.text.shingles import ShingleBatch, mix64

U32 = npt.NDArray[np.uint32]
_Scalar = TypeVar("_Scalar", bound=np.generic)
EMPTY = np.uint32(0xFFFFFFFF)
#: larger buckets are linked as a chain + star instead of all pairs (a boilerplate text shared
#: by thousands of records would otherwise produce millions of candidate pairs)
MAX_BUCKET_ALL_PAIRS = 32
#: one-permutation hashing rounds: each shingle lands in this many bins (one per round).  Two
#: rounds leave fewer bins to densify, which lowers the variance for short texts at no cost
#: (measured: the labelled near-dedup pairs missed by LSH under 1 of 40 seeds with one round,
#: under none with two; CPU the same, since densification shrinks as hashing grows)
ROUNDS = 2


@dataclass(frozen=True)
class LSHParams:
    num_perm: int = 128
    bands: int = 14
    rows: int = 9

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = 128) -> LSHParams:
        """Bands x rows minimising false positives + negatives at ``threshold`` (datasketch's rule)."""
        bands, rows = optimal_bands_rows(threshold, num_perm)
        return cls(num_perm, bands, rows)

    def __post_init__(self) -> None:
        if self.num_perm < 1 or self.bands < 1 or self.rows < 1:
            raise ValueError(
                f"num_perm, bands and rows must be positive, got {self.num_perm}, {self.bands}, {self.rows}"
            )
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")


@cache
def optimal_bands_rows(
    threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """The (bands, rows) with the least weighted false-positive + false-negative area at ``threshold``.

    The rule of datasketch's ``MinHashLSH``: for every ``b x r <= num_perm`` integrate the
    probability ``1 - (1 - s^r)^b`` that two sets of similarity ``s`` share a band, below the
    threshold (false positives) and its complement above it (false negatives).  The integrand is
    a polynomial of degree ``b * r <= num_perm``, so Gauss-Legendre quadrature with
    ``num_perm // 2 + 1`` nodes is exact; this avoids scipy (a second of import time) and
    datasketch's private helper.  ``tests/text`` checks the choice against datasketch's.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"LSH threshold must be in (0, 1), got {threshold}")
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    best, choice = float("inf"), (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = _integral(nodes, weights, 0.0, threshold, bands, rows, complement=False)
            fn = _integral(nodes, weights, threshold, 1.0, bands, rows, complement=True)
            error = fp * fp_weight + fn * fn_weight
            if error < best:
                best, choice = error, (bands, rows)
    return choice


def _integral(
    nodes: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    low: float,
    high: float,
    bands: int,
    rows: int,
    complement: bool,
) -> float:
    s = (high - low) / 2 * nodes + (high + low) / 2
    shared = 1.0 - (1.0 - s**rows) ** bands
    values = 1.0 - shared if complement else shared
    return float((high - low) / 2 * np.dot(weights, values))


@dataclass(frozen=True)
class Signatures:
    """MinHash signatures with the ``(num_perm, seed)`` that made them.

    Signatures of other permutations are not comparable (as datasketch refuses to compare
    MinHashes of different seeds); :meth:`require_compatible` turns that mistake into an error
    instead of a silent zero similarity.
    """

    values: npt.NDArray[np.uint32]
    num_perm: int
    seed: int

    def __len__(self) -> int:
        return len(self.values)

    def usable(self) -> npt.NDArray[np.bool_]:
        """Rows of texts that had at least one shingle (the others are all ``EMPTY``)."""
        usable: npt.NDArray[np.bool_] = ~(self.values == EMPTY).all(axis=1)
        return usable

    def require_compatible(self, num_perm: int, seed: int) -> None:
        if (self.num_perm, self.seed) != (num_perm, seed):
            raise ValueError(
                f"MinHash signatures of (num_perm={self.num_perm}, seed={self.seed}) cannot be compared with"
                f" (num_perm={num_perm}, seed={seed})"
            )


def signatures(batch: ShingleBatch, num_perm: int = 128, seed: int = 1) -> Signatures:
    """``(texts, num_perm)`` MinHash signatures; a text with no shingles gets all-``EMPTY``.

    One-permutation hashing with optimal densification (Li, Owen and Zhang 2012; Shrivastava
    2017), in :data:`ROUNDS` rounds: in each round every shingle is hashed once (re-mixed with
    ``seed`` and the round); the high bits pick one of ``num_perm`` bins and the low 32 bits are
    its value there; column ``k`` is the least value in bin ``k`` over all rounds.  An empty bin
    borrows the value of the first non-empty bin along a fixed pseudo-random probe sequence of its
    own (the same sequence for every text).  Either way the probability that two texts agree in a
    column is their Jaccard similarity (``tests/text/test_minhash.py`` checks it for small sets).
    O(shingles x rounds + num_perm) per text instead of O(shingles x num_perm): the
    k-permutation form spent 128 passes over every shingle hash.
    """
    count = len(batch.offsets) - 1
    out = np.full((count, num_perm), EMPTY, dtype=np.uint32)
    sizes = np.diff(batch.offsets)
    if not len(batch.hashes):
        return Signatures(out, num_perm, seed)
    # a few thousand texts at a time: the per-shingle and per-empty-bin index arrays of a whole
    # batch cost ~5 KB a text at once (the near-dedup step's peak); each row is its own, so the
    # signatures are the same
    for start in range(0, count, SIGNATURE_ROWS):
        stop = min(count, start + SIGNATURE_ROWS)
        hashes = batch.hashes[batch.offsets[start] : batch.offsets[stop]]
        _fill(out[start:stop], hashes, sizes[start:stop], seed)
    return Signatures(out, num_perm, seed)


#: texts whose signatures :func:`signatures` computes at once
SIGNATURE_ROWS = 4096


def _fill(out: U32, hashes: npt.NDArray[np.uint64], sizes: npt.NDArray[np.int64], seed: int) -> None:
    """The signatures of the texts of ``out`` (a C-contiguous block of rows, written in place)
    from their concatenated shingle ``hashes`` (``sizes`` per text)."""
    count, num_perm = out.shape
    rows = np.repeat(np.arange(count, dtype=np.uint64) * np.uint64(num_perm), sizes)
    flat = out.reshape(-1)  # a view: a block of whole rows is contiguous
    for round_ in range(ROUNDS):
        hashed = mix64(hashes ^ _seed_key(seed, -1 - round_))
        with np.errstate(over="ignore"):
            # multiply-high: an unbiased bin in [0, num_perm) from the high 32 bits
            bins = ((hashed >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)
        # values stay below EMPTY, which marks an empty bin
        values = np.minimum(hashed & np.uint64(0xFFFFFFFF), np.uint64(EMPTY - 1)).astype(np.uint32)
        np.minimum.at(flat, (rows + bins).astype(np.intp), values)
    _densify(out, sizes > 0, seed)


def _seed_key(seed: int, attempt: int) -> np.uint64:
    """A 64-bit key per (seed, probe attempt): the family of hash functions a seed selects."""
    return np.uint64(mix64(np.array([(seed * 0x100000001 + attempt) % 2**64], dtype=np.uint64))[0])


def _probe(columns: npt.NDArray[np.intp], attempt: int, seed: int, num_perm: int) -> npt.NDArray[np.intp]:
    """The bin that bin ``column`` probes on ``attempt`` (the same for every text)."""
    if attempt < _TABLE_ATTEMPTS:
        probed: npt.NDArray[np.intp] = _probe_table(seed, num_perm)[attempt][columns]
        return probed
    return _probe_hash(columns, attempt, seed, num_perm)


def _probe_hash(columns: npt.NDArray[np.intp], attempt: int, seed: int, num_perm: int) -> npt.NDArray[np.intp]:
    """The probe of ``attempt`` for each of ``columns``: its own hash function per attempt."""
    with np.errstate(over="ignore"):
        probe = mix64(columns.astype(np.uint64) ^ _seed_key(seed, attempt))
        return ((probe >> np.uint64(32)) * np.uint64(num_perm) >> np.uint64(32)).astype(np.intp)


_TABLE_ATTEMPTS = 64


@cache
def _probe_table(seed: int, num_perm: int) -> npt.NDArray[np.intp]:
    """``_probe_hash`` for the first attempts, as a lookup table (most bins are filled by then)."""
    columns = np.arange(num_perm, dtype=np.intp)
    return np.stack([_probe_hash(columns, attempt, seed, num_perm) for attempt in range(_TABLE_ATTEMPTS)])


def _densify(out: U32, usable: npt.NDArray[np.bool_], seed: int) -> None:
    """Fill the empty bins of the ``usable`` rows of ``out`` (texts with at least one shingle):
    bin ``i`` on attempt ``t`` probes bin ``h(i, t) mod num_perm`` and takes its value if that bin
    had a shingle of its own (Shrivastava 2017, "optimal densification").  Bins that had a shingle
    are never written, so reading them from ``out`` while filling is safe."""
    num_perm = out.shape[1]
    flat = out.reshape(-1)
    had = flat != EMPTY
    rows, columns = np.nonzero((out == EMPTY) & usable[:, None])
    bases = rows * num_perm
    attempt = 1
    while len(columns):
        target = bases + _probe(columns, attempt, seed, num_perm)
        found = had[target]
        hit = np.flatnonzero(found)
        flat[bases[hit] + columns[hit]] = flat[target[hit]]
        missing = np.flatnonzero(~found)
        bases, columns = bases[missing], columns[missing]
        attempt += 1


def band_keys(signature: Signatures, params: LSHParams) -> Iterator[npt.NDArray[np.uint64]]:
    """One uint64 key per record and band: equal keys mean equal band values (up to 2^-64)."""
    if signature.num_perm != params.num_perm:
        raise ValueError(f"LSH bands for num_perm={params.num_perm} over signatures of num_perm={signature.num_perm}")
    mix = np.array([0x9E3779B97F4A7C15 + 2 * i for i in range(params.rows)], dtype=np.uint64)
    for band in range(params.bands):
        columns = signature.values[:, band * params.rows : (band + 1) * params.rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            yield mix64((columns * mix).sum(axis=1, dtype=np.uint64) + np.uint64(band))


def candidate_pairs(signature: Signatures, params: LSHParams) -> npt.NDArray[np.int64]:
    """``(pairs, 2)`` record indices ``i < j`` that share a band; empty texts are never candidates."""
    return pairs_from_buckets(list(band_keys(signature, params)), signature.usable())


def pairs_from_buckets(
    per_band: Sequence[npt.NDArray[np.uint64]], usable: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """``(pairs, 2)`` indices ``i < j`` of usable records sharing a bucket key in any band,
    sorted and unique."""
    count = len(usable)
    index = np.flatnonzero(usable).astype(np.int64)
    found = [pairs_in_runs([keys[index]], index) for keys in per_band]
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    unique = sorted_unique(pairs[:, 0] * count + pairs[:, 1])
    return np.stack([unique // count, unique % count], axis=1)


def pairs_in_runs(keys: Sequence[npt.NDArray[Any]], members: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Unique ``(a, b)``, ``a < b``, of ``members`` that agree on every array of ``keys`` (a
    bucket); each bucket contributes :func:`bucket_pairs` of its sorted members.  The one
    bucketing rule of both engines (a partition of band rows on Ray is one call)."""
    if len(members) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    if len(keys) == 1 and bool((members[1:] > members[:-1]).all()):
        order = np.argsort(keys[0], kind="stable")  # the same order, without lexsort's cost
    else:
        order = np.lexsort((members, *reversed(keys)))
    ordered = [key[order] for key in keys]
    members = members[order]
    change = np.zeros(len(members) - 1, dtype=bool)
    for key in ordered:
        change |= np.diff(key) != 0
    starts = np.concatenate(([0], np.flatnonzero(change) + 1))
    sizes = np.diff(np.concatenate((starts, [len(members)])))
    found: list[npt.NDArray[np.int64]] = []
    twos = starts[sizes == 2]
    if len(twos):
        found.append(np.stack([members[twos], members[twos + 1]], axis=1))
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
        found.append(bucket_pairs(members[start : start + size]))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    low, high = int(pairs.min()), int(pairs.max())
    if low < 0 or high >= 2**31:  # (a, b) does not fit one int64 key: the slower row-wise unique
        rows: npt.NDArray[np.int64] = np.unique(pairs, axis=0)
        return rows
    width = np.int64(high + 1)
    unique = sorted_unique(pairs[:, 0] * width + pairs[:, 1])
    return np.stack([unique // width, unique % width], axis=1)


def bucket_pairs(members: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The pairs one LSH bucket (``members`` sorted) contributes: all pairs up to
    :data:`MAX_BUCKET_ALL_PAIRS` members, a star around the first plus a chain above that (the
    connected components are the same; the pair count stays linear)."""
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


def verified_pairs(
    pairs: npt.NDArray[np.int64], sets: Mapping[int, npt.NDArray[np.uint64]], threshold: float
) -> list[tuple[int, int, float]]:
    """The candidate pairs whose exact Jaccard similarity reaches ``threshold``."""
    kept = []
    for left, right in pairs.tolist():
        similarity = jaccard(sets[left], sets[right])
        if similarity >= threshold:
            kept.append((left, right, similarity))
    return kept


def sorted_unique(values: npt.NDArray[_Scalar]) -> npt.NDArray[_Scalar]:
    """``np.unique`` by sorting (numpy 2's hash-based ``unique`` is several times slower, on
    millions of mostly distinct values and on many small arrays alike)."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    unique: npt.NDArray[_Scalar] = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    return unique


def clusters(count: int, edges: Sequence[tuple[int, int] | tuple[int, int, float]]) -> list[list[int]]:
    """Connected components (union-find) of ``edges`` over ``count`` nodes, each sorted;
    singletons are left out.  An edge is ``(left, right)`` or ``(left, right, similarity)``."""
    parent = list(range(count))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for edge in edges:
        root_left, root_right = find(edge[0]), find(edge[1])
        if root_left != root_right:
            parent[max(root_left, root_right)] = min(root_left, root_right)
    groups: dict[int, list[int]] = {}
    for edge in edges:
        for node in edge[:2]:
            groups.setdefault(find(int(node)), [])
    for node in range(count):
        root = find(node)
        if root in groups:
            groups[root].append(node)
    return [sorted(members) for members in groups.values() if len(members) > 1]
