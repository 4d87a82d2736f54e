"""Item-against-item matching of training records with benchmark items, by rare shared text.

Why this shape: a benchmark leak is a *question* that reappears (often edited: a typo fixed, an
option changed, options reordered or re-lettered), not a phrase.  Exams share stock phrasing
("Parmi les propositions suivantes, une seule est fausse, laquelle ?", vignette boilerplate such
as "心音と呼吸音とに異常を認めない。"), so matching any long shared phrase removes different
questions, while an exact n-gram of whole words misses a repeat with one edited word.

So each item is cut into *segments* (the stem, and each option on its own: option order and
letters do not matter), each segment into overlapping character shingles of its normalised text
(5 characters for space-delimited languages, 3 for zh/ja: one edit breaks only a few), hashed once
per record.  A shingle weighs its IDF over the benchmark items, ``log((N+1)/max(df, 1))``: a stock
phrase that occurs in many questions carries almost no evidence.  For a training item T and a
benchmark item B, ``shared`` is the weight of the shingles they have in common and

* an MC item is scored ``shared / max(mass(T), mass(B))``: both items are mostly the same text;
  and its *question part* (the last sentence of the stem - for a case series, the question after
  the shared case - with the options) gets its own score, ``question``, the same ratio over the
  shingles of that part only: two questions on the same long clinical case share most of their
  text, yet are different items;
* any other record (knowledge QA, passage) ``max(shared / mass(B), shared_stem / mass(stem of B))``:
  it contains the benchmark question, with or without its options.

Candidates come from an inverted index of the benchmark shingles; only shingles in at most
``max_df`` benchmark items are looked up (rare ones: a stock phrase would pair every question
with every other), the ``candidates`` best candidates per record are then scored exactly on all
their shingles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.decontam_postings import Ranks, benchmark_shingles, item_masses, postings
from mmed_ift.filters.decontam_search import BucketedKeys, KeyTable
from mmed_ift.filters.decontam_shingles import Segments, item_shingles

U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: training records scored together by :meth:`ShingleIndex.best`
RECORDS_PER_BATCH = 1024
#: up to this many possible (record, benchmark item) keys, pairs are summed in a dense array
DENSE_PAIR_KEYS = 1 << 22
#: with a lookup table at hand, pairs are summed densely only while the possible keys are at
#: most this many times the keys there are (a longer bincount and scan cost more than a sort)
SPARSE_PAIR_RATIO = 8
#: up to this many (index key, record of a batch) cells, :meth:`ShingleIndex._found` marks a
#: batch's shingles one byte a cell (16 MB: in cache for the bench's 17,000 keys x 256 records)
BYTE_MAP_CELLS = 1 << 24


def _summed_by_key(keys: I64, weights: F64, key_space: int, table: KeyTable | None = None) -> tuple[I64, F64]:
    """The distinct keys (sorted) and the sum of the weights of each: ``np.unique`` then
    ``np.bincount`` over the inverse, or, when the keys are few enough (``key_space``) and not
    spread thin over it, one ``bincount`` over the keys themselves without sorting them.  With a
    ``table``, a sparse batch's keys are sorted alone and each key's place among the distinct
    ones read from that table (no argsort, no binary search): a batch of 256 records against
    6,000 benchmark items has ~1.5 million possible keys for ~25,000 pairs, and two bincounts
    and a scan that long cost several times the sort.  Every path adds each key's weights in
    the order they come, so the sums are the same to the bit."""
    if key_space <= DENSE_PAIR_KEYS and (table is None or key_space <= SPARSE_PAIR_RATIO * len(keys)):
        present = np.flatnonzero(np.bincount(keys, minlength=key_space))
        totals = np.bincount(keys, weights=weights, minlength=key_space)
        return present.astype(np.int64, copy=False), totals[present].astype(np.float64, copy=False)
    if table is not None and key_space <= table.limit:
        ordered = np.sort(keys)
        distinct = np.ones(len(ordered), dtype=bool)
        np.not_equal(ordered[1:], ordered[:-1], out=distinct[1:])
        unique_keys = ordered[distinct]
        inverse, _ = table.find(unique_keys, keys, key_space)
    else:
        unique_keys, inverse = np.unique(keys, return_inverse=True)
    return unique_keys, np.bincount(inverse, weights=weights, minlength=len(unique_keys)).astype(np.float64)


def best_of_each_run(runs: I64, values: F64, count: int) -> I64:
    """Positions of the ``count`` largest ``values`` of each run of equal ``runs`` (sorted), by run,
    then value (largest first), then position: what ``order = np.lexsort((-values, runs))`` keeps
    of each run's first ``count``.  ``count`` rounds of a maximum per run (the first position
    holding it wins, as in the stable sort), each a few linear passes, instead of sorting every
    candidate pair of a batch (tens of thousands) to keep three per record.  ``values`` hold no NaN."""
    if len(runs) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]])
    run = np.repeat(np.arange(len(starts), dtype=np.int64), np.diff(np.r_[starts, len(runs)]))
    left = np.array(values, dtype=np.float64)
    picks: list[I64] = []
    for _ in range(count):
        best = np.maximum.reduceat(left, starts)[run]
        holders = np.flatnonzero((left == best) & (left != -np.inf))
        if len(holders) == 0:
            break
        of_run = run[holders]
        first = holders[np.r_[True, of_run[1:] != of_run[:-1]]]
        left[first] = -np.inf
        picks.append(first)
    chosen = np.concatenate(picks)
    rounds = np.repeat(np.arange(len(picks), dtype=np.int64), [len(pick) for pick in picks])
    return chosen[np.lexsort((rounds, run[chosen]))].astype(np.int64, copy=False)


class Match(NamedTuple):
    """The best benchmark item of one record, with its score and the mass it shares (a named
    tuple: one is made per record of a build, at a third of a frozen dataclass's cost)."""

    bench: int
    score: float
    shared: float
    #: the score of the question part alone (MC records; 1.0 for others, which have none)
    question: float = 1.0


class ShingleIndex:
    """Inverted index of the benchmark items' shingles, with IDF weights."""

    def __init__(
        self, segments: Sequence[Segments], langs: Sequence[str], max_df: int, candidates: int, n: int | None = None
    ) -> None:
        self.size = len(segments)
        self.max_df = max_df
        self.candidates = candidates
        self.n = n
        hashes, counts, stem, tail = benchmark_shingles(segments, langs, n)
        # per-item shingles, in each item's hash order (exact scoring): each is kept as its
        # position among the distinct hashes (``_item_rank``), the hash itself being ``_keys`` there
        self._item_offsets = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(counts, out=self._item_offsets[1:])
        items: Ranks = np.repeat(np.arange(self.size, dtype=np.int32 if self.size < 2**31 else np.int64), counts)
        self._item_stem, self._item_tail = stem, tail
        # postings: unique hash -> benchmark items
        self._keys, self._df, self._post_start, self._post_items, self._item_rank = postings(hashes, items)
        del hashes, items
        self._bucketed = BucketedKeys(self._keys)
        #: the (record, benchmark item) lookup table of :func:`_summed_by_key`, kept from one
        #: batch to the next
        self._pair_table = KeyTable()
        #: the byte map of :meth:`_found`, all zeros between batches
        self._cells = np.zeros(0, dtype=np.uint8)
        #: the weight of a shingle held by no other benchmark item (the unit of ``min_shared``)
        self.max_weight = float(np.log(self.size + 1.0))
        #: each distinct hash's weight (:meth:`weights` of ``_keys``, elementwise the same
        #: numbers): a benchmark shingle's weight is this at its rank, a gather from a table of
        #: the distinct hashes instead of an array of float64 per shingle kept for the index's life
        self._key_weight: F64 = np.log((self.size + 1.0) / np.maximum(self._df, 1))
        #: the weight of a shingle held by ``df`` benchmark items, at ``df`` (0 to the index's
        #: size): a record's shingle weights are one gather from this instead of a logarithm
        #: each (the same numbers: numpy computes each element alone)
        self._df_weight: F64 = np.log((self.size + 1.0) / np.maximum(np.arange(self.size + 1), 1))
        self.mass, self.stem_mass, self.tail_mass = item_masses(
            self._item_offsets, self._item_rank, self._key_weight, stem, tail
        )

    def df(self, hashes: U64) -> I64:
        """How many benchmark items hold each hash (0 for unknown hashes)."""
        return self._lookup(hashes)[0]

    def _lookup(self, hashes: U64, presorted: bool = False) -> tuple[I64, I64]:
        """df of each hash and its position among the index keys (``np.searchsorted``'s), found
        by the bucket of its high bits (:class:`~mmed_ift.filters.decontam_search.BucketedKeys`:
        the keys are hashes, spread evenly), in any order (``presorted``: kept for callers; the
        search no longer needs sorted runs)."""
        if len(self._keys) == 0:
            return np.zeros(len(hashes), dtype=np.int64), np.zeros(len(hashes), dtype=np.int64)
        position = self._bucketed.searchsorted(hashes)
        np.minimum(position, len(self._keys) - 1, out=position)
        return np.where(self._keys[position] == hashes, self._df[position], 0).astype(np.int64), position

    def weights(self, hashes: U64) -> F64:
        """Each hash's IDF weight, ``log((N + 1) / max(df, 1))``."""
        return self._df_weight[self.df(hashes)]

    def hashes_of(self, bench: int) -> tuple[U64, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        span = slice(self._item_offsets[bench], self._item_offsets[bench + 1])
        return self._keys[self._item_rank[span]], self._item_stem[span], self._item_tail[span]

    def best(
        self,
        segments: Sequence[Segments],
        langs: Sequence[str],
        mc: Sequence[bool],
        threshold: float = 0.0,
        question_threshold: float = 0.0,
    ) -> list[Match | None]:
        """The best-scoring benchmark item of each record (None: no candidate at all, or - with
        ``threshold`` - none whose score can reach it: those are never scored exactly).  An MC
        candidate whose question part scores under ``question_threshold`` ranks after the others.

        Records are scored :data:`RECORDS_PER_BATCH` at a time: a record's result depends only on
        itself and the index, and joins over a few hundred thousand shingles stay in cache."""
        found: list[Match | None] = [None] * len(segments)
        if self.size == 0 or not segments:
            return found
        for start in range(0, len(segments), RECORDS_PER_BATCH):
            stop = start + RECORDS_PER_BATCH
            found[start:stop] = self._best_of_batch(
                segments[start:stop], langs[start:stop], mc[start:stop], threshold, question_threshold
            )
        return found

    def _best_of_batch(
        self,
        segments: Sequence[Segments],
        langs: Sequence[str],
        mc: Sequence[bool],
        threshold: float,
        question_threshold: float,
    ) -> list[Match | None]:
        found: list[Match | None] = [None] * len(segments)
        hashes, owner, _, tail = item_shingles(segments, langs, self.n)
        # sorted within each record already: a sequential walk without sorting the batch first
        df, key_position = self._lookup(hashes, presorted=True)
        weights: F64 = self._df_weight[df]
        own_mass: F64 = np.bincount(owner, weights=weights, minlength=len(segments)).astype(np.float64)
        own_tail: F64 = np.bincount(owner, weights=np.where(tail, weights, 0.0), minlength=len(segments)).astype(
            np.float64
        )
        rare = (df > 0) & (df <= self.max_df)
        rare_owner, rare_weight = owner[rare], weights[rare]
        starts = self._post_start[key_position[rare]]
        counts = df[rare]
        # each rare shingle's postings, one (record, benchmark item) key per posting
        pair_owner = np.repeat(rare_owner * self.size, counts)
        pair_bench = self._post_items[
            np.arange(len(pair_owner), dtype=np.int64) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
        ]
        keys = pair_owner + pair_bench
        unique_keys, rough = _summed_by_key(
            keys, np.repeat(rare_weight, counts), len(segments) * self.size, self._pair_table
        )
        by_owner = unique_keys // self.size
        kept = best_of_each_run(by_owner, rough, self.candidates)
        if threshold > 0.0:
            kept = kept[
                self._may_reach(kept, by_owner, unique_keys, rough, weights, owner, df, own_mass, mc, threshold)
            ]
        records, benches = by_owner[kept], unique_keys[kept] % self.size
        is_mc = np.asarray(mc, dtype=bool)[records]
        shared, part_shared = self._shared(key_position, df, owner, tail, records, benches, is_mc)
        # an MC pair's part is its question part, any other pair's its benchmark stem
        stem_shared, tail_shared = part_shared, part_shared
        mass, stem_mass = self.mass[benches], self.stem_mass[benches]
        whole = shared / np.maximum(np.where(is_mc, np.maximum(mass, own_mass[records]), mass), 1e-9)
        in_stem = np.where(is_mc, -1.0, stem_shared / np.maximum(stem_mass, 1e-9))
        question = np.where(
            is_mc, tail_shared / np.maximum(np.maximum(self.tail_mass[benches], own_tail[records]), 1e-9), 1.0
        )
        use_stem = in_stem > whole
        scores = np.where(use_stem, in_stem, whole)
        evidence = np.where(use_stem, stem_shared, shared)
        rank = scores - (question < question_threshold)
        best = np.lexsort((-rank, records))
        firsts = best[np.r_[True, records[best][1:] != records[best][:-1]]] if len(best) else best
        # each column converted once (``tolist``: the same ints and floats as ``int()`` and
        # ``float()`` of each element, without a numpy scalar per value)
        columns = (records[firsts], benches[firsts], scores[firsts], evidence[firsts], question[firsts])
        for record, bench, score, shared, asked in zip(*(column.tolist() for column in columns), strict=True):
            found[record] = Match(bench, score, shared, asked)
        return found

    def _may_reach(
        self,
        kept: I64,
        by_owner: I64,
        unique_keys: I64,
        rough: F64,
        weights: F64,
        owner: I64,
        df: I64,
        own_mass: F64,
        mc: Sequence[bool],
        threshold: float,
    ) -> npt.NDArray[np.bool_]:
        """Whether each candidate pair's score can reach ``threshold``: its shared weight is at
        most its rare shared weight plus the record's weight in common shingles (df > max_df)."""
        common = np.bincount(owner, weights=np.where(df > self.max_df, weights, 0.0), minlength=len(own_mass))
        records, benches = by_owner[kept], unique_keys[kept] % self.size
        bound = rough[kept] + common[records]
        mass = self.mass[benches]
        is_mc = np.asarray(mc, dtype=bool)[records]
        as_mc = np.minimum(bound, mass) / np.maximum(np.maximum(mass, own_mass[records]), 1e-9)
        as_text = bound / np.maximum(np.minimum(mass, self.stem_mass[benches]), 1e-9)
        return np.where(is_mc, as_mc, as_text) >= threshold

    def _shared(
        self,
        key_position: I64,
        df: I64,
        owner: I64,
        tail: npt.NDArray[np.bool_],
        records: I64,
        benches: I64,
        is_mc: npt.NDArray[np.bool_],
    ) -> tuple[F64, F64]:
        """Shared weight (all, in the benchmark stem, and between the two question parts) of each
        (record, benchmark item) pair, in one vectorised join: every benchmark shingle of a pair
        is looked up among the record's shingles that the index knows, in a bitmap of the batch
        indexed by (the shingle's position among the index keys, the record): one bit per record
        of the batch, 32 to a word, built with one ``bincount`` (the bits of a word are distinct
        powers of two, so their float sum is exact) and a second for the records' question parts.
        Why a bitmap: the index's distinct shingles times a batch's records is millions of
        possible (record, shingle) keys, a table that size (or a binary search) is cache misses
        at every lookup, while the bitmap is the distinct shingles times 8 words, in cache.  The
        shingles found are those of the exact join, taken in the same order (pair, then the
        benchmark item's hash order), so every sum is the same to the bit.  A batch against a
        small index (the bench's) marks one byte per (key, record) instead: :meth:`_found`."""
        lengths = self._item_offsets[benches + 1] - self._item_offsets[benches]
        at = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(
            self._item_offsets[benches] - (np.cumsum(lengths) - lengths), lengths
        )
        known = df > 0  # a shingle no benchmark item holds cannot be shared
        rank = self._item_rank[at]
        found, in_tail = self._found(key_position[known], owner[known], tail[known], rank, records, lengths)
        at = at[found]
        pair = np.repeat(np.arange(len(benches), dtype=np.int64), lengths)[found]
        weight = self._key_weight[rank[found]]
        shared = np.bincount(pair, weights=weight, minlength=len(benches))
        # the part each pair is scored on: an MC pair's question parts (both items'), any other
        # pair's benchmark stem; a pair's sum takes its shingles in the same order either way
        if is_mc.all():
            in_part = self._item_tail[at] & in_tail
        elif not is_mc.any():
            in_part = self._item_stem[at]
        else:
            in_part = np.where(is_mc[pair], self._item_tail[at] & in_tail, self._item_stem[at])
        part_shared = np.bincount(pair, weights=np.where(in_part, weight, 0.0), minlength=len(benches))
        return shared.astype(np.float64), part_shared.astype(np.float64)

    def _found(
        self, positions: I64, own_records: I64, own_tail: npt.NDArray[np.bool_], rank: Ranks, records: I64, lengths: I64
    ) -> tuple[I64, npt.NDArray[np.bool_]]:
        """Which benchmark shingles (``rank``: their positions among the index keys, ``lengths``
        of them for each pair's record) the pair's record holds too, and whether in its question
        part: (places in ``rank``, that flag of each found), from the record shingles the index
        knows (``positions`` among its keys).  A batch whose (key, record) cells fit in
        :data:`BYTE_MAP_CELLS` is one byte a cell (one scatter, one gather: bit 0 held, bit 1 in
        the question part); a larger one is a bitmap of 32 records to a word (a byte map that
        size would be cache misses at every lookup)."""
        width = int(own_records.max()) + 1 if len(own_records) else 1
        keys = len(self._keys)
        if keys * width <= BYTE_MAP_CELLS:
            # record-major cells (one row of the index keys per record): a pair's lookups stay in
            # its record's row, in key order (a benchmark item's hashes are sorted), and the
            # batch's pairs come record by record, so the gather walks the rows instead of
            # jumping across the whole map; the map is kept between batches and only the cells
            # a batch wrote are cleared
            if len(self._cells) < keys * width:
                self._cells = np.zeros(max(keys * width, min(2 * len(self._cells), BYTE_MAP_CELLS)), dtype=np.uint8)
            cells = self._cells
            written = own_records * keys + positions
            # a (shingle, record) pair is unique in a batch: each cell is written once
            cells[written] = own_tail.astype(np.uint8) * np.uint8(2) + np.uint8(1)
            try:
                got = cells[np.repeat(records * keys, lengths) + rank]
            finally:
                cells[written] = 0
            found = np.flatnonzero(got)
            return found, (got[found] & np.uint8(2)).astype(bool)
        words = (width - 1 >> 5) + 1
        slot = positions * words + (own_records >> 5)
        bits = np.ldexp(1.0, (own_records & 31).astype(np.int32))
        space = len(self._keys) * words
        present = np.bincount(slot, weights=bits, minlength=space).astype(np.uint32)
        in_tail = np.bincount(slot, weights=np.where(own_tail, bits, 0.0), minlength=space).astype(np.uint32)
        wanted = rank.astype(np.int64) * words + np.repeat(records >> 5, lengths)
        shift = np.repeat((records & 31).astype(np.uint32), lengths)
        # only the shingles found add weight: skipping the others' +0.0 leaves every sum the same
        found = np.flatnonzero((present[wanted] >> shift) & np.uint32(1))
        return found, ((in_tail[wanted[found]] >> shift[found]) & np.uint32(1)).astype(bool)

    def score(self, segments: Segments, lang: str, mc: bool, bench: int) -> Match:
        """The score of one record against one given benchmark item (evaluation, evidence)."""
        mine, _, _, tail = item_shingles([segments], [lang], self.n)
        own = self.weights(mine)
        theirs, stem, their_tail = self.hashes_of(bench)
        position = np.minimum(np.searchsorted(mine, theirs), max(len(mine) - 1, 0))
        common = mine[position] == theirs if len(mine) else np.zeros(len(theirs), dtype=bool)
        weights = self.weights(theirs[common])
        shared = float(weights.sum())
        mass = float(self.mass[bench])
        if mc:
            in_tails = (their_tail & tail[position])[common] if len(mine) else np.zeros(0, dtype=bool)
            own_tail = float(own[tail].sum())
            question = float(weights[in_tails].sum()) / max(float(self.tail_mass[bench]), own_tail, 1e-9)
            return Match(bench, shared / max(mass, float(own.sum()), 1e-9), shared, question)
        whole = Match(bench, shared / max(mass, 1e-9), shared)
        stem_shared = float(weights[stem[common]].sum())
        in_stem = Match(bench, stem_shared / max(float(self.stem_mass[bench]), 1e-9), stem_shared)
        return in_stem if in_stem.score > whole.score else whole
