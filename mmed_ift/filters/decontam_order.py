"""The (item, hash) order of :func:`~mmed_ift.filters.decontam_shingles.item_shingles`: a batch's
shingle pairs sorted by item, then hash, without a ``lexsort`` (kept apart so that each module stays
short enough to read: the shingler prepares and hashes, this module only orders)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def item_major_order(items: I64, hashes: U64) -> I64:
    """The order that sorts (item, hash) pairs by item, then hash (``np.lexsort((hashes, items))``
    up to the order of equal pairs), in one sort of one 64-bit key: the item number in the high
    bits, the hash's top bits below it, the pair's position in the low bits.  Two different
    hashes of one item that agree on those top bits would be left unordered; the result is
    checked, and such a batch is sorted by ``lexsort`` instead (a batch of 256 records leaves
    about 39 bits for the hash: about one batch in 10^4)."""
    return item_major_sorted(items, hashes)[0]


#: items in runs (:func:`grouped_item_order`) are sorted row by row while the padded rows hold at
#: most this many times the pairs (a batch of similar records: about 1.2)
ROW_SORT_PADDING = 2


def grouped_item_order(items: I64, hashes: U64) -> tuple[I64, U64] | None:
    """:func:`item_major_order` of pairs whose items are in order already (each item's pairs one
    run, as :func:`item_shingles` makes them), by sorting each item's hashes alone: one row per
    item, padded to the longest with the largest key, sorted along the rows in one call.  Why:
    a sort of 400 keys per row (a record's shingles) is several times faster than one sort of a
    batch's 100,000 (the comparisons are ``log 400`` per key instead of ``log 100,000``, and a
    row stays in cache).  The key is the hash's top bits over the pair's place in its run, so
    equal pairs keep their order, as in ``lexsort``; two different hashes of one item that agree
    on those top bits (about 52 bits) would be left unordered, and None is returned (checked),
    as it is when the items are not in order or the rows would be mostly padding.  Returns the
    order and the hashes in it."""
    if len(items) == 0 or int(items[0]) < 0 or not bool(np.all(items[1:] >= items[:-1])):
        return None
    counts = np.bincount(items)
    width = int(counts.max())
    if len(counts) * width > ROW_SORT_PADDING * len(items) + 1024:
        return None
    places = max(width - 1, 0).bit_length()
    starts = np.cumsum(counts) - counts
    # ``starts[items]`` and the pair's cell ``items * width + local`` of the rows, the items being
    # in runs: one repeat of a value per item each, not a gather per pair (nor a 2-D scatter)
    every = np.arange(len(items), dtype=np.int64)
    run_start = np.repeat(starts, counts)
    local = every - run_start
    key = (hashes >> np.uint64(places)) << np.uint64(places)
    key |= local.astype(np.uint64)
    rows = np.full((len(counts), width), np.iinfo(np.uint64).max, dtype=np.uint64)
    rows.reshape(-1)[every + np.repeat(np.arange(len(counts), dtype=np.int64) * width - starts, counts)] = key
    rows.sort(axis=1)
    # a row's first ``count`` keys are its pairs' (the padding is the largest key: a pair's key
    # equal to it is the same number, wherever it lands among them)
    ordered = rows[np.arange(width, dtype=np.int64) < counts[:, None]]
    order = run_start + (ordered & np.uint64((1 << places) - 1)).astype(np.int64)
    by_hash = hashes[order]
    if not np.all((by_hash[1:] >= by_hash[:-1]) | (items[1:] != items[:-1])):
        return None
    return order, by_hash


def item_major_sorted(items: I64, hashes: U64) -> tuple[I64, I64, U64]:
    """:func:`item_major_order`, with ``items`` and ``hashes`` in that order (gathered once, for
    the order's check and for the caller)."""
    if len(items) == 0:
        return np.zeros(0, dtype=np.int64), items, hashes
    grouped = grouped_item_order(items, hashes)
    if grouped is not None:  # the items were in order: they still are
        return grouped[0], items, grouped[1]
    bits = max(int(items.max()), 0).bit_length()
    places = max(len(items) - 1, 0).bit_length()
    if bits > 32 or int(items.min()) < 0 or bits + places > 32:
        order = np.lexsort((hashes, items))
        return order, items[order], hashes[order]
    # the pair's position in the lowest bits: sorting the keys themselves (a vectorised sort of
    # plain integers, faster than an argsort) gives the order too
    key = (hashes >> np.uint64(bits + places)) << np.uint64(places)
    if bits:
        key |= items.astype(np.uint64) << np.uint64(64 - bits)
    key |= np.arange(len(items), dtype=np.uint64)
    key.sort()
    order = (key & np.uint64((1 << places) - 1)).astype(np.int64)
    by_item, by_hash = items[order], hashes[order]
    later_item = by_item[1:] > by_item[:-1]
    if not np.all(later_item | ((by_item[1:] == by_item[:-1]) & (by_hash[1:] >= by_hash[:-1]))):
        order = np.lexsort((hashes, items))
        return order, items[order], hashes[order]
    return order.astype(np.int64, copy=False), by_item, by_hash
