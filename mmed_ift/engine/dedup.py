"""Exact and near-duplicate removal as partitioned shuffles.

Both steps need to see every member of a duplicate group at once.  Rows (or, for MinHash, one
small row per record and band) are given a partition number from their key's hash and grouped by
it, so a ``map_groups`` call gets a whole partition - tens of thousands of keys - and does the
grouping vectorised inside it, instead of one Python call per key.

The local rules are kept exactly:

* exact: groups of (kind, normalised-text digest); the keeper is the smallest
  ``(survivor_key, seq)``, i.e. :func:`mmed_ift.filters.dedup.survivor_key` with ties going to the
  earlier record, as ``min`` over the local list does;
* near: the same band keys as :func:`mmed_ift.filters.minhash.band_keys`; within a bucket, all
  pairs up to :data:`MAX_BUCKET_ALL_PAIRS` members and the star + chain over ``seq`` order above
  (the local order, so the same pairs); the candidate pairs are then checked with exact Jaccard
  and joined into clusters by further shuffles (:mod:`mmed_ift.engine.near`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mmed_ift.engine.rows import KEPT, item_from_json, mark_rejected, to_table
from mmed_ift.filters.base import item_text
from mmed_ift.filters.dedup import ExactDedup, NearDedupConfig, describe, survivor_key
from mmed_ift.filters.minhash import EMPTY, MAX_BUCKET_ALL_PAIRS, band_keys, signatures
from mmed_ift.filters.normalize import normalize_text
from mmed_ift.filters.shingles import Shingler

PAIR_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64())])
BAND_SCHEMA = pa.schema([("band", pa.int32()), ("key", pa.uint64()), ("seq", pa.int64()), ("part", pa.int32())])


# -- exact ---------------------------------------------------------------------------------------


def exact_key(kind: str, text: str) -> str:
    digest = hashlib.blake2b(normalize_text(text).encode("utf-8"), digest_size=16).hexdigest()
    return f"{kind}:{digest}"


def add_exact_partition(batch: pa.Table, partitions: int) -> pa.Table:
    """Adds ``xkey`` (kind + digest) and ``part`` (its partition) to every row."""
    keys: list[str] = []
    for row in batch.select(["status", "kind", "item"]).to_pylist():
        if row["status"] != KEPT:
            keys.append("")
            continue
        keys.append(exact_key(row["kind"], item_text(item_from_json(row["kind"], row["item"]))))
    parts = [int(key[-8:], 16) % partitions if key else 0 for key in keys]
    return batch.append_column("xkey", pa.array(keys, pa.string())).append_column("part", pa.array(parts, pa.int32()))


def exact_dedup_partition(batch: pa.Table, step: ExactDedup) -> pa.Table:
    """``map_groups`` body: one partition's rows; duplicates rejected, ``n_exact`` on keepers."""
    rows = batch.to_pylist()
    groups: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row["status"] == KEPT:
            groups[row["xkey"]].append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        items = {index: item_from_json(rows[index]["kind"], rows[index]["item"]) for index in members}
        keeper = min(members, key=lambda index: (survivor_key(items[index]), rows[index]["seq"]))
        rows[keeper]["n_exact"] = 1
        for index in members:
            if index != keeper:
                detail = f"same normalised text as {describe(items[keeper])}"
                mark_rejected(rows[index], step.reject(items[index], "exact_duplicate", detail))
    for row in rows:
        del row["xkey"], row["part"]
    return to_table(rows)


# -- near: bands ---------------------------------------------------------------------------------


def band_rows(batch: pa.Table, config: NearDedupConfig, partitions: int) -> pa.Table:
    """``map_batches`` body: one (band, key, seq, part) row per kept, non-empty record and band."""
    live = [row for row in batch.select(["seq", "status", "kind", "lang", "item"]).to_pylist() if row["status"] == KEPT]
    if not live:
        return BAND_SCHEMA.empty_table()
    items = [item_from_json(row["kind"], row["item"]) for row in live]
    shingled = Shingler(config.word_n, config.char_n).shingle(
        [item_text(item) for item in items], [item.lang for item in items]
    )
    signature = signatures(shingled, config.num_perm, config.seed)
    usable = ~(signature == EMPTY).all(axis=1)
    seqs = np.array([row["seq"] for row in live], dtype=np.int64)[usable]
    params = config.lsh_params()
    columns: dict[str, list[npt.NDArray[Any]]] = {"band": [], "key": [], "seq": []}
    for band, keys in enumerate(band_keys(signature, params)):
        columns["band"].append(np.full(len(seqs), band, dtype=np.int32))
        columns["key"].append(keys[usable])
        columns["seq"].append(seqs)
    key = np.concatenate(columns["key"])
    return pa.table(
        {
            "band": np.concatenate(columns["band"]),
            "key": key,
            "seq": np.concatenate(columns["seq"]),
            "part": (key % np.uint64(partitions)).astype(np.int32),
        },
        schema=BAND_SCHEMA,
    )


def bucket_pairs(members: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Pairs of one bucket (``members`` sorted): the rule of ``minhash._bucket_pairs``."""
    if len(members) <= MAX_BUCKET_ALL_PAIRS:
        left, right = np.triu_indices(len(members), k=1)
        return np.stack([members[left], members[right]], axis=1)
    star = np.stack([np.full(len(members) - 1, members[0]), members[1:]], axis=1)
    chain = np.stack([members[:-1], members[1:]], axis=1)
    return np.concatenate([star, chain])


def partition_pairs(
    band: npt.NDArray[np.int32], key: npt.NDArray[np.uint64], seq: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Unique ``(a, b)`` seq pairs, ``a < b``, of records sharing a (band, key) bucket."""
    if len(seq) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((seq, key, band))
    band, key, seq = band[order], key[order], seq[order]
    change = (np.diff(band) != 0) | (np.diff(key) != 0)
    starts = np.concatenate(([0], np.flatnonzero(change) + 1))
    sizes = np.diff(np.concatenate((starts, [len(seq)])))
    found: list[npt.NDArray[np.int64]] = []
    twos = starts[sizes == 2]
    if len(twos):
        found.append(np.stack([seq[twos], seq[twos + 1]], axis=1))
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
        found.append(bucket_pairs(seq[start : start + size]))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


def pairs_of_partition(batch: pa.Table) -> pa.Table:
    """``map_groups`` body: candidate pairs of one band partition."""
    pairs = partition_pairs(batch["band"].to_numpy(), batch["key"].to_numpy(), batch["seq"].to_numpy())
    return pa.table({"a": pairs[:, 0], "b": pairs[:, 1]}, schema=PAIR_SCHEMA)


# -- near: decisions --------------------------------------------------------------------------


def apply_near_decisions(batch: pa.Table, decisions: dict[int, str], step_name: str) -> pa.Table:
    """Reject the rows of ``batch`` that ``decisions`` (seq -> detail) names as near-duplicates."""
    seqs = batch["seq"].to_pylist()
    if not any(seq in decisions for seq in seqs):
        return batch
    from mmed_ift.schemas import Reject

    rows = batch.to_pylist()
    for row in rows:
        detail = decisions.get(row["seq"])
        if detail is None or row["status"] != KEPT:
            continue
        item = item_from_json(row["kind"], row["item"])
        reject = Reject(stage=step_name, reason="near_duplicate", detail=detail, source=item.source,
                        location=item.location, source_id=item.source_id, lang=item.lang, split=item.split)  # fmt: skip
        mark_rejected(row, reject)
    return to_table(rows)
