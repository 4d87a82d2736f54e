"""The decontamination index's fast paths give what the plain algorithms give.

``longest_common_substring`` replaces difflib's ``find_longest_match``, ``item_major_order``
replaces ``np.lexsort``, and :meth:`ShingleIndex.best` scores records in batches with an exact
join key; each is checked here against the slow form it replaced.
"""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters import decontam_index
from mmed_ift.filters.decontam import longest_common_substring
from mmed_ift.filters.decontam_index import (
    DENSE_PAIR_KEYS,
    RECORDS_PER_BATCH,
    ShingleIndex,
    _summed_by_key,
    best_of_each_run,
)
from mmed_ift.filters.decontam_search import DENSE_LOOKUP_KEYS, BucketedKeys, KeyTable, find_keys
from mmed_ift.filters.decontam_shingles import (
    Segments,
    _prepare_stem,
    grouped_item_order,
    item_major_order,
    item_shingles,
    masked_hashes,
    prepared_shingles,
    window_hashes,
)
from mmed_ift.text.normalize import normalize_text
from mmed_ift.text.shingles import mix64

WORDS = ["fiebre", "tos", "dolor", "agudo", "paciente", "años", "cuál", "diagnóstico", "más", "probable", "de", "la"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abc ", max_size=40), st.text(alphabet="abc ", max_size=40))
def test_longest_common_substring_is_difflibs_match(a: str, b: str) -> None:
    found = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    start, size = longest_common_substring(a, b)
    assert size == found.size
    assert a[start : start + size] == a[found.a : found.a + found.size]
    assert (start, size) == ((found.a, found.size) if found.size else (0, 0))


def test_longest_common_substring_prefers_the_earliest_in_the_first_text() -> None:
    assert longest_common_substring("xxabyycd", "cd ab") == (2, 2)
    assert longest_common_substring("abc", "xyz") == (0, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2**64 - 1)), max_size=60))
def test_item_major_order_sorts_like_lexsort(pairs: list[tuple[int, int]]) -> None:
    items = np.array([item for item, _ in pairs], dtype=np.int64)
    hashes = np.array([value for _, value in pairs], dtype=np.uint64)
    order = item_major_order(items, hashes)
    expected = np.lexsort((hashes, items))
    assert items[order].tolist() == items[expected].tolist()
    assert hashes[order].tolist() == hashes[expected].tolist()


def test_item_major_order_falls_back_when_top_bits_tie() -> None:
    # two hashes of item 1 that agree on every bit the packed key keeps, in the wrong order
    items = np.array([1, 1, 0, 1], dtype=np.int64)
    hashes = np.array([0xFFFF_0000_0000_0003, 0xFFFF_0000_0000_0001, 7, 0xFFFF_0000_0000_0002], dtype=np.uint64)
    order = item_major_order(items, hashes)
    assert items[order].tolist() == [0, 1, 1, 1]
    assert hashes[order].tolist() == [7, 0xFFFF_0000_0000_0001, 0xFFFF_0000_0000_0002, 0xFFFF_0000_0000_0003]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2**64 - 1)), min_size=1, max_size=60))
def test_grouped_item_order_sorts_runs_like_lexsort(pairs: list[tuple[int, int]]) -> None:
    # items in runs, as item_shingles makes them; hashes drawn over the whole range and, to
    # exercise equal pairs, repeated
    pairs = sorted([*pairs, pairs[0]], key=lambda pair: pair[0])
    items = np.array([item for item, _ in pairs], dtype=np.int64)
    hashes = np.array([value for _, value in pairs], dtype=np.uint64)
    found = grouped_item_order(items, hashes)
    expected = np.lexsort((hashes, items))
    if found is None:  # only when the rows would be mostly padding, or top bits tie
        counts = np.bincount(items)
        places = (int(counts.max()) - 1).bit_length()
        tops = {(item, value >> places) for item, value in pairs}
        assert len(counts) * int(counts.max()) > 2 * len(items) + 1024 or len(tops) < len(set(pairs))
        assert item_major_order(items, hashes).tolist() == expected.tolist()
        return
    order, by_hash = found
    assert order.tolist() == expected.tolist()  # equal pairs too: by their place, as lexsort
    assert by_hash.tolist() == hashes[expected].tolist()
    assert item_major_order(items, hashes).tolist() == expected.tolist()


def test_grouped_item_order_declines_what_it_cannot_sort() -> None:
    # items out of order; two hashes of one item equal on the kept top bits, in the wrong order
    assert grouped_item_order(np.array([1, 0], dtype=np.int64), np.array([1, 2], dtype=np.uint64)) is None
    tie = np.array([0xFFFF_0000_0000_0003, 0xFFFF_0000_0000_0002], dtype=np.uint64)  # one place: bit 0
    assert grouped_item_order(np.array([0, 0], dtype=np.int64), tie) is None
    assert item_major_order(np.array([0, 0], dtype=np.int64), tie).tolist() == [1, 0]
    # one long item among many short ones: the rows would be mostly padding
    items = np.r_[np.zeros(3000, dtype=np.int64), np.arange(1, 3001, dtype=np.int64)]
    hashes = np.arange(len(items), dtype=np.uint64)[::-1].copy()
    assert grouped_item_order(items, hashes) is None
    assert item_major_order(items, hashes).tolist() == np.lexsort((hashes, items)).tolist()
    # the largest key itself (all top bits set, the last place) is a pair like any other
    top = np.array([2**64 - 1, 2**64 - 1, 5], dtype=np.uint64)
    found = grouped_item_order(np.array([0, 0, 0], dtype=np.int64), top)
    assert found is not None and found[0].tolist() == [2, 0, 1]


def _question(rng: np.random.Generator, words: int) -> str:
    return " ".join(rng.choice(WORDS, size=words).tolist()) + "?"


def test_batched_best_scores_each_record_as_alone_and_as_score_does() -> None:
    rng = np.random.default_rng(7)
    bench = [Segments(_question(rng, 30), tuple(_question(rng, 2) for _ in range(4))) for _ in range(40)]
    index = ShingleIndex(bench, ["es"] * len(bench), max_df=16, candidates=3)
    records = [
        bench[int(rng.integers(len(bench)))] if at % 7 == 0 else Segments(_question(rng, 30), (_question(rng, 2),))
        for at in range(RECORDS_PER_BATCH + 300)  # more than one batch
    ]
    langs, mc = ["es"] * len(records), [at % 2 == 0 for at in range(len(records))]
    together = index.best(records, langs, mc)
    assert sum(match is not None and match.score > 0.99 for match in together) >= len(records) // 7
    for at in range(0, len(records), 97):
        [alone] = index.best([records[at]], [langs[at]], [mc[at]])
        assert alone == together[at]
        if alone is not None:
            exact = index.score(records[at], langs[at], mc[at], alone.bench)
            assert abs(exact.score - alone.score) < 1e-9
            assert abs(exact.question - alone.question) < 1e-9


def test_shared_shingles_found_by_byte_map_or_bitmap_give_the_same_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    # the byte map (a cell per index key and record) against the bitmap of 32 records a word
    rng = np.random.default_rng(11)
    # a case and a question: a record's question part is then part of its stem only
    bench = [
        Segments(_question(rng, 20) + " " + _question(rng, 10), tuple(_question(rng, 2) for _ in range(4)))
        for _ in range(40)
    ]
    index = ShingleIndex(bench, ["es"] * len(bench), max_df=16, candidates=3)
    records = [
        Segments(bench[at % 40].stem[: 40 + at], bench[at % 40].rest[: at % 5])
        if at % 3
        else Segments(_question(rng, 30), (_question(rng, 2),))
        for at in range(300)
    ]
    langs, mc = ["es"] * len(records), [at % 2 == 0 for at in range(len(records))]
    by_bytes = index.best(records, langs, mc)
    assert sum(match is not None for match in by_bytes) > 100
    assert any(match is not None and 0.0 < match.question < 1.0 for match in by_bytes)
    monkeypatch.setattr(decontam_index, "BYTE_MAP_CELLS", 0)
    assert index.best(records, langs, mc) == by_bytes


def test_the_byte_map_kept_between_batches_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    # the byte map is reused from batch to batch (cleared where a batch wrote): a record of a
    # later batch must not find the shingles an earlier batch's record held in its row
    rng = np.random.default_rng(5)
    bench = [Segments(_question(rng, 25), tuple(_question(rng, 2) for _ in range(4))) for _ in range(30)]
    index = ShingleIndex(bench, ["es"] * len(bench), max_df=16, candidates=3)
    copies = [Segments(bench[at].stem, bench[at].rest) for at in range(30)]
    halves = [Segments(bench[at].stem[: len(bench[at].stem) // 2], bench[at].rest[:1]) for at in range(30)]
    langs, mc = ["es"] * 30, [True] * 30
    index.best(copies, langs, mc)  # every cell of these rows written, then cleared
    after = index.best(halves, langs, mc)
    assert sum(match is not None for match in after) > 20
    fresh = ShingleIndex(bench, ["es"] * len(bench), max_df=16, candidates=3)
    assert after == fresh.best(halves, langs, mc)
    monkeypatch.setattr(decontam_index, "BYTE_MAP_CELLS", 0)
    assert after == fresh.best(halves, langs, mc)


def test_pairs_summed_densely_or_by_sorting_give_the_same_bits() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 5000, size=20000).astype(np.int64)
    weights = rng.random(20000) * 7.0
    dense = _summed_by_key(keys, weights, 5000)
    unique, inverse = np.unique(keys, return_inverse=True)
    assert dense[0].tolist() == unique.tolist()
    assert dense[1].tolist() == np.bincount(inverse, weights=weights).tolist()  # equal to the bit
    sparse = _summed_by_key(keys, weights, DENSE_PAIR_KEYS + 1)
    assert sparse[0].tolist() == dense[0].tolist() and sparse[1].tolist() == dense[1].tolist()
    table = KeyTable()
    for space in (5000, 10**6):  # a dense sum still, then keys spread thin: sorted, found in the table
        for _ in range(2):  # the table is reused as a build reuses it
            by_table = _summed_by_key(keys, weights, space, table)
            assert by_table[0].tolist() == dense[0].tolist() and by_table[1].tolist() == dense[1].tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.25, np.inf])), max_size=80),
    st.integers(1, 4),
)
def test_best_of_each_run_keeps_what_lexsort_keeps(pairs: list[tuple[int, float]], count: int) -> None:
    # few distinct values: ties within a run are the rule, not the exception
    pairs.sort(key=lambda pair: pair[0])
    runs = np.array([run for run, _ in pairs], dtype=np.int64)
    values = np.array([value for _, value in pairs], dtype=np.float64)
    order = np.lexsort((-values, runs))
    first_of_run = np.searchsorted(runs[order], runs[order])
    expected = order[np.arange(len(order)) - first_of_run < count]
    assert best_of_each_run(runs, values, count).tolist() == expected.tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=60),
    st.lists(st.integers(0, 2**64 - 1), max_size=40),
    st.integers(0, 60),
)
def test_bucketed_search_is_searchsorted(keys: list[int], queries: list[int], narrow: int) -> None:
    # ``narrow`` bits shifted off: narrow key ranges, repeated keys and crowded buckets too
    sorted_keys = np.sort(np.array(keys, dtype=np.uint64) >> np.uint64(narrow))
    wanted = np.array(queries + keys[:5], dtype=np.uint64) >> np.uint64(narrow)
    expected = np.searchsorted(sorted_keys, wanted)
    assert BucketedKeys(sorted_keys).searchsorted(wanted).tolist() == expected.tolist()
    signed, signed_wanted = (sorted_keys >> np.uint64(1)).astype(np.int64), (wanted >> np.uint64(1)).astype(np.int64)
    expected = np.searchsorted(signed, signed_wanted)  # non-negative int64 keys (the join keys)
    assert BucketedKeys(signed).searchsorted(signed_wanted).tolist() == expected.tolist()


def test_bucketed_search_of_shingle_hashes() -> None:
    rng = np.random.default_rng(11)
    keys = np.unique(rng.integers(0, 2**63, 50_000, dtype=np.int64).astype(np.uint64) * np.uint64(2))
    queries = np.concatenate([keys[::3], rng.integers(0, 2**63, 20_000, dtype=np.int64).astype(np.uint64)])
    assert np.array_equal(BucketedKeys(keys).searchsorted(queries), np.searchsorted(keys, queries))


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 5_000), max_size=80), st.lists(st.integers(0, 5_000), max_size=60))
def test_find_keys_finds_what_searchsorted_finds(keys: set[int], queries: list[int]) -> None:
    sorted_keys = np.array(sorted(keys), dtype=np.int64)
    wanted = np.array(queries + sorted(keys)[:5], dtype=np.int64)
    expected = np.isin(wanted, sorted_keys)
    at = np.searchsorted(sorted_keys, wanted)
    for space in (5_001, DENSE_LOOKUP_KEYS + 1):  # the dense table, then the bucketed search
        position, hit = find_keys(sorted_keys, wanted, space)
        assert hit.tolist() == expected.tolist()
        assert position[hit].tolist() == at[hit].tolist()
        assert ((position >= 0) & (position < max(len(sorted_keys), 1))).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sets(st.integers(0, 3_000), max_size=60), st.lists(st.integers(0, 3_000), max_size=40)), max_size=4
    )
)
def test_key_table_finds_what_find_keys_finds_call_after_call(calls: list[tuple[set[int], list[int]]]) -> None:
    table = KeyTable(limit=2_000)  # spaces of 1,000 (the table, grown) and 3,001 (over its limit)
    for keys, queries in calls:
        space = 1_000 if max(keys | set(queries), default=0) < 1_000 else 3_001
        sorted_keys = np.array(sorted(keys), dtype=np.int64)
        wanted = np.array(queries + sorted(keys)[:5], dtype=np.int64)
        position, hit = table.find(sorted_keys, wanted, space)
        expected_position, expected_hit = find_keys(sorted_keys, wanted, space)
        assert hit.tolist() == expected_hit.tolist()
        assert position[hit].tolist() == expected_position[expected_hit].tolist()
    assert (table._table == -1).all()  # every entry written was put back


def _shingle_by_hand(text: str, start: int, n: int) -> int:
    """One shingle's hash term by term (the formula ``prepared_shingles`` vectorises), over its
    own ``n`` characters, whatever the other shingles of its batch."""
    combined, mask = 0, 2**64 - 1
    for k in range(n):
        term = ((ord(text[start + k]) + k + 1) * (0x9E3779B97F4A7C15 ^ (k * 0x1F))) & mask
        combined = (combined * 31 + term) & mask
    return int(mix64(np.array([combined], dtype=np.uint64) ^ np.uint64(0x6D6D6564DEC0))[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="ab cé中", max_size=12), st.sampled_from(["en", "zh"])), max_size=6))
def test_prepared_shingles_hash_each_window_as_by_hand(texts: list[tuple[str, str]]) -> None:
    # all-en batches of texts of n characters or more take the contiguous-window path
    prepared, langs = [text for text, _ in texts], [lang for _, lang in texts]
    hashes, owner, _ = prepared_shingles(prepared, langs)
    ns = [3 if lang == "zh" else 5 for lang in langs]
    expected = [
        (_shingle_by_hand(text, start, min(n, len(text))), at)
        for at, (text, n) in enumerate(zip(prepared, ns, strict=True))
        for start in range(max(len(text) - n + 1, 1) if text else 0)
    ]
    assert list(zip(hashes.tolist(), owner.tolist(), strict=True)) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 0x10FFFF), min_size=1, max_size=30), st.integers(1, 6))
def test_window_hashes_are_the_term_by_term_combination(chars: list[int], n: int) -> None:
    # the unrolled multiply-adds against the recurrence, every window full (mod 2**64)
    codes = np.array([*chars, *[0] * n], dtype=np.uint64)
    starts = np.arange(len(chars), dtype=np.int64)
    full = np.full(len(chars), n, dtype=np.int64)
    assert window_hashes(codes, n).tolist() == masked_hashes(codes, starts, full, n).tolist()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(WORDS), st.lists(st.sampled_from(WORDS), max_size=6), st.sampled_from(WORDS)),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), max_size=4),
)
def test_item_shingles_flag_each_hash_as_a_plain_merge(
    stems: list[tuple[str, list[str], str]], options: list[list[str]]
) -> None:
    # each (item, hash) once, sorted, in the stem if any of its occurrences is, in the question
    # part if any is: against a dictionary filled occurrence by occurrence
    segments = [
        Segments(f"{first} {' '.join(case)}. {last} {' '.join(case[:2])} ?", tuple(" ".join(o) for o in options))
        for first, case, last in stems
    ]
    hashes, items, stem, tail = item_shingles(segments, ["es"] * len(segments))
    expected: dict[tuple[int, int], tuple[bool, bool]] = {}
    for at, parts in enumerate(segments):
        prepared, start = _prepare_stem(parts.stem, normalize_text(parts.stem), "es")
        texts = [prepared, *(normalize_text(text) for text in parts.rest)]
        starts = [start] + [0] * len(parts.rest)
        one, text_of, in_tail = prepared_shingles(texts, ["es"] * len(texts), starts)
        for key, text, flag in zip(one.tolist(), text_of.tolist(), in_tail.tolist(), strict=True):
            was_stem, was_tail = expected.get((at, key), (False, False))
            expected[(at, key)] = (was_stem or text == 0, was_tail or flag)
    assert list(zip(items.tolist(), hashes.tolist(), strict=True)) == sorted(expected)
    assert list(zip(stem.tolist(), tail.tolist(), strict=True)) == [expected[key] for key in sorted(expected)]


def test_weights_gathered_by_df_are_the_logarithms_of_each() -> None:
    # a record's shingle weights come from a table by df: the very floats of the formula, for
    # every df an index of this size can give, in arrays of any length (numpy's SIMD or not)
    rng = np.random.default_rng(3)
    bench = [Segments(_question(rng, 12), (_question(rng, 2),)) for _ in range(40)]
    index = ShingleIndex(bench, ["es"] * len(bench), max_df=16, candidates=3)
    for df in (np.arange(index.size + 1), rng.integers(0, index.size + 1, 1001), np.array([0]), np.array([7])):
        expected = np.log((index.size + 1.0) / np.maximum(df, 1))
        assert index._df_weight[df].view(np.uint64).tolist() == expected.view(np.uint64).tolist()


@pytest.mark.parametrize("kinds", ["mixed", "all mc", "no mc"])
def test_shared_weights_are_the_plain_joins_to_the_bit(kinds: str) -> None:
    """``ShingleIndex._shared`` (a bitmap of the batch) sums, for each (record, benchmark item)
    pair, the weights of the benchmark item's shingles the record holds, in the item's hash
    order: the same sums, to the bit, as adding them one by one in that order; the second sum is
    an MC pair's question parts and any other pair's benchmark stem."""
    rng = np.random.default_rng(5)
    bench = [Segments(_question(rng, 30), tuple(_question(rng, 2) for _ in range(4))) for _ in range(30)]
    index = ShingleIndex(bench, ["es"] * len(bench), max_df=16, candidates=3)
    records = [bench[at % 30] if at % 3 else Segments(_question(rng, 25), (_question(rng, 2),)) for at in range(70)]
    hashes, owner, _, tail = item_shingles(records, ["es"] * len(records))
    df, key_position = index._lookup(hashes)
    pairs = [(record, int(rng.integers(30))) for record in range(70) for _ in range(2)] + [
        (69, at % 30) for at in range(40)
    ]
    is_mc = np.array([kinds == "all mc" or (kinds == "mixed" and record % 2 == 0) for record, _ in pairs])
    got = index._shared(
        key_position, df, owner, tail, *(np.array(side, dtype=np.int64) for side in zip(*pairs, strict=True)), is_mc
    )
    for at, (record, bench_at) in enumerate(pairs):
        own = {
            h: bool(t) for h, o, t in zip(hashes.tolist(), owner.tolist(), tail.tolist(), strict=True) if o == record
        }
        theirs, stem, their_tail = index.hashes_of(bench_at)
        weights = index.weights(theirs)
        expected = [0.0, 0.0, 0.0]
        for h, w, in_stem, in_tail in zip(
            theirs.tolist(), weights.tolist(), stem.tolist(), their_tail.tolist(), strict=True
        ):
            if h in own:
                expected[0] += w
                expected[1] += w if in_stem else 0.0
                expected[2] += w if in_tail and own[h] else 0.0
        assert [float(sums[at]) for sums in got] == [expected[0], expected[2] if is_mc[at] else expected[1]]
