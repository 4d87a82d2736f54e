"""The decontamination index is built with little memory, into the arrays the plain way gave.

:func:`benchmark_shingles` shingles the benchmark a slice of items at a time, :func:`postings`
takes the inverted index from one stable sort (int32 where exact), and :class:`ShingleIndex` keeps
a weight per distinct hash instead of one per shingle; each is checked against the form it
replaced (one ``item_shingles`` call, ``np.unique`` and ``np.searchsorted``, a weight per shingle).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.decontam_index import ShingleIndex
from mmed_ift.filters.decontam_postings import benchmark_shingles, postings
from mmed_ift.filters.decontam_shingles import Segments, item_shingles

WORDS = ["fiebre", "tos", "dolor", "agudo", "paciente", "años", "cuál", "más", "发热", "咳嗽", "患者", "诊断", "ab"]


def _segments(draw: st.DrawFn) -> Segments:
    words = st.lists(st.sampled_from(WORDS), max_size=8)
    stem = " ".join(draw(words)) + ". " + " ".join(draw(words)) + " ?"
    return Segments(stem, tuple(" ".join(option) for option in draw(st.lists(words, max_size=4))))


@st.composite
def _benchmark(draw: st.DrawFn) -> tuple[list[Segments], list[str]]:
    size = draw(st.integers(0, 9))
    segments = [_segments(draw) for _ in range(size)]
    return segments, [draw(st.sampled_from(["es", "zh", "ja", "en"])) for _ in range(size)]


@settings(max_examples=200, deadline=None)
@given(_benchmark(), st.integers(1, 4), st.sampled_from([None, 4]))
def test_benchmark_shingles_are_one_item_shingles_call(
    benchmark: tuple[list[Segments], list[str]], per_slice: int, n: int | None
) -> None:
    # a slice of zh/ja items alone hashes as they do beside es items in one call
    segments, langs = benchmark
    hashes, items, stem, tail = item_shingles(segments, langs, n)
    got, counts, got_stem, got_tail = benchmark_shingles(segments, langs, n, per_slice)
    assert got.tolist() == hashes.tolist()
    assert np.repeat(np.arange(len(segments)), counts).tolist() == items.tolist()
    assert len(counts) == len(segments)
    assert (got_stem.tolist(), got_tail.tolist()) == (stem.tolist(), tail.tolist())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([3, 7, 2**63, 2**64 - 1, 12345]), unique=True, max_size=5), max_size=8))
def test_postings_are_np_unique_of_the_stable_hash_order(per_item: list[list[int]]) -> None:
    # each item's distinct hashes, sorted, items ascending: as item_shingles gives them
    hashes = np.array([h for row in per_item for h in sorted(row)], dtype=np.uint64)
    items = np.repeat(np.arange(len(per_item), dtype=np.int32), [len(row) for row in per_item])
    keys, df, start, post_items, rank = postings(hashes.copy(), items)
    order = np.argsort(hashes, kind="stable")
    expected_keys, first, counts = np.unique(hashes[order], return_index=True, return_counts=True)
    assert keys.tolist() == expected_keys.tolist()
    assert (df.tolist(), start.tolist()) == (counts.tolist(), first.tolist())
    assert post_items.tolist() == items[order].tolist()
    assert rank.tolist() == np.searchsorted(expected_keys, hashes).tolist()
    assert (df.dtype, start.dtype, post_items.dtype, rank.dtype) == (np.int64, np.int64, np.int32, np.int32)


def test_the_index_weighs_each_shingle_by_its_hash_to_the_bit() -> None:
    """Per-key weights gathered by rank are the weights of each shingle's hash, and the items'
    masses the sums of those in the items' hash order, the same floats as before."""
    rng = np.random.default_rng(3)
    words = [w for w in WORDS if w.isascii()]
    segments = [
        Segments(" ".join(rng.choice(words, 12)) + ". " + " ".join(rng.choice(words, 4)) + " ?", ("tos", "dolor agudo"))
        for _ in range(40)
    ]
    index = ShingleIndex(segments, ["es"] * len(segments), max_df=16, candidates=3)
    hashes, items, stem, tail = item_shingles(segments, ["es"] * len(segments))
    weights = index.weights(hashes)
    assert index._key_weight[index._item_rank].tobytes() == weights.tobytes()
    assert index.mass.tobytes() == np.bincount(items, weights=weights, minlength=40).tobytes()
    in_stem = np.bincount(items, weights=np.where(stem, weights, 0.0), minlength=40)
    in_tail = np.bincount(items, weights=np.where(tail, weights, 0.0), minlength=40)
    assert (index.stem_mass.tobytes(), index.tail_mass.tobytes()) == (in_stem.tobytes(), in_tail.tobytes())
    for at in range(40):
        theirs, their_stem, their_tail = index.hashes_of(at)
        assert theirs.tolist() == hashes[items == at].tolist()
        assert (their_stem.tolist(), their_tail.tolist()) == (stem[items == at].tolist(), tail[items == at].tolist())
