"""Corpus filters as partitioned shuffles: key groups, and the bucket phase of similarity graphs.

Both shapes need to see every member of a group at once.  Rows (or, for a similarity graph, one
small row per record and band) get a partition number from their key's hash and are grouped by
it, so a ``map_groups`` call gets a whole partition - tens of thousands of keys - and does the
grouping vectorised inside it, instead of one Python call per key.  The decisions are the
filter's own (:meth:`~mmed_ift.filters.base.KeyGroupFilter.resolve_group`,
:func:`~mmed_ift.text.minhash.pairs_in_runs`), called with the global ``seq`` as the order, so
ties go where they go on one machine.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mmed_ift.filters.base import KeyGroupFilter
from mmed_ift.filters.graph import SimilarityGraphFilter
from mmed_ift.pipeline.distributed.rows import KEPT, add_stats, item_from_json, mark_rejection, to_table
from mmed_ift.schemas import Item
from mmed_ift.text.minhash import pairs_in_runs

PAIR_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64())])
BAND_SCHEMA = pa.schema([("band", pa.int32()), ("key", pa.uint64()), ("seq", pa.int64()), ("part", pa.int32())])


# -- key groups ------------------------------------------------------------------------------------


def key_partition(key: str, partitions: int) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little") % partitions


def add_group_partition(batch: pa.Table, step: KeyGroupFilter[Any], partitions: int) -> pa.Table:
    """``map_batches`` body: adds ``gkey`` (the filter's group key) and ``part`` to every row."""
    keys: list[str] = []
    for row in batch.select(["status", "kind", "item"]).to_pylist():
        keys.append(step.group_key(item_from_json(row["kind"], row["item"])) if row["status"] == KEPT else "")
    parts = [key_partition(key, partitions) if key else 0 for key in keys]
    return batch.append_column("gkey", pa.array(keys, pa.string())).append_column("part", pa.array(parts, pa.int32()))


def resolve_group_partition(batch: pa.Table, step: KeyGroupFilter[Any]) -> pa.Table:
    """``map_groups`` body: one partition's rows; the filter resolves each group of equal keys."""
    rows = batch.to_pylist()
    groups: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row["status"] == KEPT:
            groups[row["gkey"]].append(index)
    stats = step.new_stats()
    for members in groups.values():
        if len(members) < 2:
            continue
        by_seq = {rows[index]["seq"]: index for index in members}
        group: list[tuple[int, Item]] = [
            (rows[index]["seq"], item_from_json(rows[index]["kind"], rows[index]["item"])) for index in members
        ]
        for seq, rejection in step.resolve_group(group, stats):
            mark_rejection(rows[by_seq[seq]], rejection)
    for row in rows:
        del row["gkey"], row["part"]
    add_stats(rows, step.name, stats)
    return to_table(rows)


# -- similarity graphs: buckets ------------------------------------------------------------------


def band_rows(batch: pa.Table, step: SimilarityGraphFilter, partitions: int) -> pa.Table:
    """``map_batches`` body: one (band, key, seq, part) row per kept, usable record and band."""
    live = [row for row in batch.select(["seq", "status", "kind", "item"]).to_pylist() if row["status"] == KEPT]
    if not live:
        return BAND_SCHEMA.empty_table()
    found = step.bucket_keys([item_from_json(row["kind"], row["item"]) for row in live])
    seqs = np.array([row["seq"] for row in live], dtype=np.int64)[found.usable]
    columns: dict[str, list[npt.NDArray[Any]]] = {"band": [], "key": [], "seq": []}
    for band, keys in enumerate(found.keys):
        columns["band"].append(np.full(len(seqs), band, dtype=np.int32))
        columns["key"].append(keys[found.usable])
        columns["seq"].append(seqs)
    key = np.concatenate(columns["key"]) if columns["key"] else np.zeros(0, dtype=np.uint64)
    return pa.table(
        {
            "band": np.concatenate(columns["band"]) if columns["band"] else np.zeros(0, dtype=np.int32),
            "key": key,
            "seq": np.concatenate(columns["seq"]) if columns["seq"] else np.zeros(0, dtype=np.int64),
            "part": (key % np.uint64(partitions)).astype(np.int32),
        },
        schema=BAND_SCHEMA,
    )


def pairs_of_partition(batch: pa.Table) -> pa.Table:
    """``map_groups`` body: candidate pairs of one band partition (records sharing a bucket)."""
    pairs = pairs_in_runs([batch["band"].to_numpy(), batch["key"].to_numpy()], batch["seq"].to_numpy())
    return pa.table({"a": pairs[:, 0], "b": pairs[:, 1]}, schema=PAIR_SCHEMA)
