"""MinHash signatures, LSH banding, exact Jaccard and clustering."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.text.minhash import (
    EMPTY,
    MAX_BUCKET_ALL_PAIRS,
    ROUNDS,
    LSHParams,
    band_keys,
    candidate_pairs,
    clusters,
    jaccard,
    optimal_bands_rows,
    pairs_in_runs,
    signatures,
    sorted_unique,
    verified_pairs,
)
from mmed_ift.text.pair_jaccard import dense_sets, packed_sets, pair_jaccards
from mmed_ift.text.shingles import ShingleBatch


def _batch(sets: list[npt.NDArray[np.uint64]]) -> ShingleBatch:
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(values) for values in sets], out=offsets[1:])
    hashes = np.concatenate(sets) if sets else np.zeros(0, dtype=np.uint64)
    return ShingleBatch(hashes.astype(np.uint64), offsets)


def _random_hashes(rng: np.random.Generator, size: int) -> npt.NDArray[np.uint64]:
    return np.unique(rng.integers(0, 2**64 - 1, size=size, dtype=np.uint64, endpoint=True))


def _pair_with_jaccard(
    rng: np.random.Generator, target: float, union: int = 400
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    pool = _random_hashes(rng, union)
    shared = round(target * len(pool))
    rest = pool[shared:]
    half = len(rest) // 2
    left = np.concatenate([pool[:shared], rest[:half]])
    right = np.concatenate([pool[:shared], rest[half:]])
    return rng.permutation(left), rng.permutation(right)


def _exact(left: npt.NDArray[np.uint64], right: npt.NDArray[np.uint64]) -> float:
    return jaccard(np.unique(left), np.unique(right))


# -- signatures ---------------------------------------------------------------------------


def test_identical_sets_give_identical_signatures() -> None:
    rng = np.random.default_rng(7)
    values = _random_hashes(rng, 50)
    shuffled = rng.permutation(values)
    with_repeats = np.concatenate([values, values[:10]])
    other = _random_hashes(rng, 50)
    signature = signatures(_batch([values, shuffled, with_repeats, other]), num_perm=64).values
    assert signature.shape == (4, 64)
    assert signature.dtype == np.uint32
    assert np.array_equal(signature[0], signature[1])
    assert np.array_equal(signature[0], signature[2])
    assert not np.array_equal(signature[0], signature[3])
    # same seed -> same signature; another seed -> another permutation family
    again = signatures(_batch([values]), num_perm=64).values
    assert np.array_equal(again[0], signature[0])
    assert not np.array_equal(signatures(_batch([values]), num_perm=64, seed=2).values[0], signature[0])


def test_empty_texts_get_empty_signatures() -> None:
    rng = np.random.default_rng(3)
    empty = np.zeros(0, dtype=np.uint64)
    values = _random_hashes(rng, 20)
    signature = signatures(_batch([empty, values, empty, empty, values]), num_perm=32).values
    assert (signature[[0, 2, 3]] == EMPTY).all()
    assert not (signature[1] == EMPTY).all()
    # an empty neighbour does not shift the segments of non-empty texts
    assert np.array_equal(signature[1], signature[4])
    assert np.array_equal(signature[1], signatures(_batch([values]), num_perm=32).values[0])
    assert (signatures(_batch([empty, empty]), num_perm=8).values == EMPTY).all()


@pytest.mark.parametrize("target", [0.2, 0.5, 0.8, 0.95])
def test_minhash_estimate_close_to_exact_jaccard(target: float) -> None:
    rng = np.random.default_rng(int(target * 1000))
    pairs = [_pair_with_jaccard(rng, target) for _ in range(5)]
    sets = [value for pair in pairs for value in pair]
    signature = signatures(_batch(sets), num_perm=256).values
    for index, (left, right) in enumerate(pairs):
        exact = _exact(left, right)
        assert abs(exact - target) < 0.02
        estimate = float((signature[2 * index] == signature[2 * index + 1]).mean())
        assert abs(estimate - exact) <= 0.1, (target, exact, estimate)


@pytest.mark.parametrize(("target", "union"), [(0.5, 12), (0.8, 20), (0.8, 60), (0.9, 400)])
def test_densified_columns_agree_with_probability_jaccard(target: float, union: int) -> None:
    """Small sets leave most of the 128 bins empty; the densified columns must still agree with
    probability equal to the Jaccard similarity (averaged over many pairs: no bias)."""
    rng = np.random.default_rng(union)
    pairs = [_pair_with_jaccard(rng, target, union) for _ in range(200)]
    signature = signatures(_batch([value for pair in pairs for value in pair]), num_perm=128).values
    assert not (signature == EMPTY).any()
    exact = np.mean([_exact(left, right) for left, right in pairs])
    agreement = float((signature[0::2] == signature[1::2]).mean())
    assert abs(agreement - exact) < 0.02, (target, union, exact, agreement)


def test_one_shingle_fills_every_column_and_seeds_differ() -> None:
    single = np.array([12345], dtype=np.uint64)
    signature = signatures(_batch([single]), num_perm=64).values[0]
    # its value of each round, copied into every empty bin
    assert 1 <= len(set(signature.tolist())) <= ROUNDS and EMPTY not in signature
    assert signatures(_batch([single]), num_perm=64, seed=2).values[0][0] != signature[0]


def test_disjoint_sets_rarely_share_columns() -> None:
    rng = np.random.default_rng(11)
    signature = signatures(_batch([_random_hashes(rng, 200), _random_hashes(rng, 200)]), num_perm=128).values
    assert float((signature[0] == signature[1]).mean()) < 0.05


# -- exact Jaccard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ([1, 2, 3], [1, 2, 3], 1.0),
        ([1, 2, 3], [4, 5], 0.0),
        ([1, 2, 3, 4], [3, 4, 5, 6], 2 / 6),
        ([1], [1, 2, 3, 4], 0.25),
        ([], [1, 2], 0.0),
        ([], [], 1.0),
        ([2**64 - 1, 5], [5, 2**64 - 1], 1.0),
    ],
)
def test_jaccard_exact(left: list[int], right: list[int], expected: float) -> None:
    a = np.unique(np.array(left, dtype=np.uint64))
    b = np.unique(np.array(right, dtype=np.uint64))
    assert jaccard(a, b) == pytest.approx(expected)
    assert jaccard(b, a) == pytest.approx(expected)


def test_verified_pairs() -> None:
    sets = {0: np.array([1, 2, 3], dtype=np.uint64), 1: np.array([1, 2, 3, 4], dtype=np.uint64)}
    pairs = np.array([[0, 1]], dtype=np.int64)
    assert verified_pairs(pairs, sets, 0.75) == [(0, 1, 0.75)]
    assert verified_pairs(pairs, sets, 0.76) == []


@given(
    st.lists(st.lists(st.integers(0, 30), max_size=25), min_size=2, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20),
)
def test_pair_jaccards_equal_jaccard_of_each_pair(texts: list[list[int]], pairs: list[tuple[int, int]]) -> None:
    """All pairs at once, from unsorted hashes with repeats, give exactly the per-pair values."""
    chosen = np.array([(a % len(texts), b % len(texts)) for a, b in pairs], dtype=np.int64).reshape(-1, 2)
    hashes = [np.array(values, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) for values in texts]
    found = pair_jaccards(chosen, _batch(hashes))
    expected = [jaccard(np.unique(hashes[a]), np.unique(hashes[b])) for a, b in chosen.tolist()]
    assert found.tolist() == expected


@given(
    st.lists(st.lists(st.integers(0, 23), max_size=12), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=20),
)
def test_pair_jaccards_with_hashes_that_share_their_high_bits(
    texts: list[list[int]], pairs: list[tuple[int, int]]
) -> None:
    """Hashes that differ only in their lowest bits (what the packed key drops): inside one text
    they send the step to the dense ids; across texts they must not count as shared."""
    chosen = np.array([(a % len(texts), b % len(texts)) for a, b in pairs], dtype=np.int64).reshape(-1, 2)
    bases = [np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)]
    hashes = [np.array([bases[value % 3] ^ np.uint64(value // 3) for value in text], dtype=np.uint64) for text in texts]
    found = pair_jaccards(chosen, _batch(hashes))
    expected = [jaccard(np.unique(hashes[a]), np.unique(hashes[b])) for a, b in chosen.tolist()]
    assert found.tolist() == expected


def test_packed_sets_give_way_to_dense_ids_when_a_text_holds_hashes_alike_in_their_high_bits() -> None:
    apart = _batch([np.array([1 << 40, 1 << 41], dtype=np.uint64), np.array([1 << 40], dtype=np.uint64)])
    alike = _batch([np.array([1 << 40, (1 << 40) | 1], dtype=np.uint64), np.array([1 << 40], dtype=np.uint64)])
    assert packed_sets(apart) is not None
    assert packed_sets(alike) is None
    assert dense_sets(alike).keys.tolist() == [0, 1, 2]  # (text 0: ids 0, 1), (text 1: id 0) at width 2
    pairs = np.array([[0, 1], [1, 0]], dtype=np.int64)
    assert pair_jaccards(pairs, alike).tolist() == [0.5, 0.5]
    assert pair_jaccards(pairs, apart).tolist() == [0.5, 0.5]


def test_sorted_unique() -> None:
    values = np.array([5, -1, 5, 3, 2**62, -1], dtype=np.int64)
    assert sorted_unique(values).tolist() == [-1, 3, 5, 2**62]
    assert sorted_unique(np.zeros(0, dtype=np.int64)).tolist() == []


# -- LSH parameters -------------------------------------------------------------------------


def test_lsh_params_validation() -> None:
    assert LSHParams() == LSHParams(128, 14, 9)
    LSHParams(num_perm=128, bands=16, rows=8)  # exactly num_perm is fine
    with pytest.raises(ValueError, match="exceeds num_perm"):
        LSHParams(num_perm=128, bands=16, rows=9)
    with pytest.raises(ValueError, match="exceeds num_perm"):
        LSHParams(num_perm=64, bands=14, rows=9)


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_lsh_params_for_threshold(threshold: float, num_perm: int) -> None:
    params = LSHParams.for_threshold(threshold, num_perm)
    assert params.num_perm == num_perm
    assert params.bands >= 1 and params.rows >= 1
    assert params.bands * params.rows <= num_perm
    # the S-curve's inflection point (1/b)^(1/r) sits near the threshold
    assert abs((1 / params.bands) ** (1 / params.rows) - threshold) < 0.15


def test_higher_threshold_means_more_rows() -> None:
    low = LSHParams.for_threshold(0.5)
    high = LSHParams.for_threshold(0.9)
    assert high.rows > low.rows
    assert high.bands < low.bands


# -- candidate pairs ------------------------------------------------------------------------


def test_candidate_pairs_identical_and_empty() -> None:
    rng = np.random.default_rng(5)
    values = _random_hashes(rng, 40)
    empty = np.zeros(0, dtype=np.uint64)
    sets = [_random_hashes(rng, 40), values, empty, _random_hashes(rng, 40), empty, values]
    signature = signatures(_batch(sets), num_perm=128)
    pairs = candidate_pairs(signature, LSHParams(128, 16, 8))
    assert pairs.tolist() == [[1, 5]]
    assert pairs.dtype == np.int64


def test_candidate_pairs_sorted_unique_and_three_way_bucket() -> None:
    rng = np.random.default_rng(8)
    values = _random_hashes(rng, 30)
    sets = [values, _random_hashes(rng, 30), values, values]
    signature = signatures(_batch(sets), num_perm=64)
    pairs = candidate_pairs(signature, LSHParams(64, 8, 8))
    assert pairs.tolist() == [[0, 2], [0, 3], [2, 3]]


def test_candidate_pairs_none() -> None:
    rng = np.random.default_rng(9)
    signature = signatures(_batch([_random_hashes(rng, 30) for _ in range(20)]), num_perm=128)
    assert candidate_pairs(signature, LSHParams(128, 14, 9)).shape == (0, 2)
    empty_only = signatures(_batch([np.zeros(0, dtype=np.uint64)] * 3), num_perm=128)
    assert candidate_pairs(empty_only, LSHParams(128, 14, 9)).shape == (0, 2)


def test_similar_sets_become_candidates_dissimilar_do_not() -> None:
    rng = np.random.default_rng(12)
    high = [_pair_with_jaccard(rng, 0.9) for _ in range(10)]
    low = [_pair_with_jaccard(rng, 0.3) for _ in range(10)]
    sets = [value for pair in high + low for value in pair]
    pairs = {tuple(pair) for pair in candidate_pairs(signatures(_batch(sets)), LSHParams.for_threshold(0.7)).tolist()}
    for index in range(10):
        assert (2 * index, 2 * index + 1) in pairs
    for index in range(10, 20):
        assert (2 * index, 2 * index + 1) not in pairs


def test_big_bucket_is_linked_without_all_pairs() -> None:
    size = 3000
    rng = np.random.default_rng(13)
    values = _random_hashes(rng, 25)
    signature = signatures(_batch([values] * size), num_perm=128)
    pairs = candidate_pairs(signature, LSHParams(128, 14, 9))
    assert size > MAX_BUCKET_ALL_PAIRS
    # all pairs would be ~4.5 million; a star + chain is linear in the bucket size
    assert len(pairs) <= 2 * size
    edges = [(int(left), int(right), 1.0) for left, right in pairs.tolist()]
    assert clusters(size, edges) == [list(range(size))]


def test_bucket_at_the_limit_gets_all_pairs() -> None:
    size = MAX_BUCKET_ALL_PAIRS
    values = _random_hashes(np.random.default_rng(14), 25)
    pairs = candidate_pairs(signatures(_batch([values] * size), num_perm=64), LSHParams(64, 4, 16))
    assert len(pairs) == size * (size - 1) // 2


# -- clusters -------------------------------------------------------------------------------


def test_clusters_connected_components() -> None:
    assert clusters(5, []) == []
    assert clusters(4, [(0, 1, 0.9)]) == [[0, 1]]
    result = clusters(8, [(0, 1, 0.9), (4, 5, 0.8), (6, 7, 0.85)])
    assert sorted(result) == [[0, 1], [4, 5], [6, 7]]


def test_clusters_transitive_chains() -> None:
    # 0-3, 3-5, 5-7 chain: 0 and 7 are never compared directly but are one cluster
    edges = [(5, 7, 0.8), (0, 3, 0.8), (3, 5, 0.8), (1, 2, 0.9)]
    assert sorted(clusters(9, edges)) == [[0, 3, 5, 7], [1, 2]]
    # two components merged late by a bridge edge
    edges = [(0, 1, 0.9), (2, 3, 0.9), (4, 5, 0.9), (1, 4, 0.8), (3, 5, 0.8)]
    assert clusters(6, edges) == [[0, 1, 2, 3, 4, 5]]
    # a long chain given in reverse order
    chain = [(index, index + 1, 0.9) for index in reversed(range(99))]
    assert clusters(100, chain) == [list(range(100))]


def test_signatures_carry_their_permutations_and_refuse_others() -> None:
    rng = np.random.default_rng(3)
    signature = signatures(_batch([_random_hashes(rng, 20)]), num_perm=32, seed=5)
    assert (signature.num_perm, signature.seed) == (32, 5)
    signature.require_compatible(32, 5)
    with pytest.raises(ValueError, match="cannot be compared"):
        signature.require_compatible(32, 1)
    with pytest.raises(ValueError, match="num_perm=128"):
        list(band_keys(signature, LSHParams(128, 16, 8)))


@pytest.mark.parametrize("num_perm", [16, 64, 128, 256])
def test_optimal_bands_rows_equal_datasketch(num_perm: int) -> None:
    """The LSH parameters are datasketch's own choice, computed without its private helper."""
    from datasketch import MinHashLSH

    compared = 0
    for threshold in (0.1, 0.3, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.95):
        try:
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        except ValueError:  # datasketch refuses settings that leave a single band
            continue
        assert optimal_bands_rows(threshold, num_perm) == (lsh.b, lsh.r), threshold
        compared += 1
    assert compared >= 5


def test_pairs_in_runs_with_large_member_ids() -> None:
    """The distributed engine's members are ``source << 40 | record``: pairs stay exact."""
    members = np.array([(3 << 40) | 7, (1 << 40) | 2, (3 << 40) | 1, 5], dtype=np.int64)
    keys = np.array([9, 9, 4, 9], dtype=np.uint64)
    band = np.zeros(4, dtype=np.int32)
    found = pairs_in_runs([band, keys], members).tolist()
    assert found == [[5, (1 << 40) | 2], [5, (3 << 40) | 7], [(1 << 40) | 2, (3 << 40) | 7]]
    assert pairs_in_runs([keys], np.array([0, 1, 2, 3], dtype=np.int64)).tolist() == [[0, 1], [0, 3], [1, 3]]


def test_signatures_a_block_of_rows_at_a_time_equal_the_whole_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """``signatures`` fills blocks of ``SIGNATURE_ROWS`` texts (to bound the index arrays' memory):
    the same signatures as one block, across block edges and with empty texts among them."""
    from mmed_ift.text import minhash
    from mmed_ift.text.shingles import Shingler

    texts = [f"words {index} of text {index % 7} " * (index % 5) for index in range(50)]
    batch = Shingler().shingle(texts, ["en"] * len(texts))
    whole = minhash.signatures(batch, 64, 3).values
    monkeypatch.setattr(minhash, "SIGNATURE_ROWS", 7)
    blocks = minhash.signatures(batch, 64, 3).values
    assert (whole == minhash.EMPTY).all(axis=1).any()  # empty texts are among them
    assert np.array_equal(blocks, whole)
