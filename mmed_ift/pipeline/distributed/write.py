"""Parquet shards in the Hub layout, streamed from a dataset sorted by (dataset, lang, split, id).

The local writer sorts each (language, split) by id and cuts shards of ``max_rows``; here the
cluster sorts once and the driver streams the sorted rows into the same files with the same
``pyarrow`` calls, holding one shard at a time.  Shard names need the shard count up front
(``-of-00003``), which comes from the per-group counts computed before writing.  The result is
byte-identical to the local engine's files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mmed_ift.hub.layout import (
    DATASET_FOLDERS,
    DEFAULT_MAX_ROWS_PER_SHARD,
    OUTPUT_SPLITS,
    SAMPLE_FEATURES,
    published_splits,
    shard_paths,
)

GroupKey = tuple[str, str, str]


class ShardWriter:
    """Receives sample rows in (dataset, lang, split, id) order and writes the shards."""

    def __init__(self, staging: Path, counts: Mapping[GroupKey, int], max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD):
        self.staging = staging
        self.counts = counts
        self.max_rows = max_rows
        self._group: GroupKey | None = None
        self._paths: list[str] = []
        self._shard = 0
        self._rows: list[dict[str, Any]] = []

    def add(self, key: GroupKey, row: dict[str, Any]) -> None:
        if key != self._group:
            self._flush()
            self._group, self._shard = key, 0
            _dataset, lang, split = key
            self._paths = shard_paths(lang, split, self.counts[key], self.max_rows)
        self._rows.append(row)
        if len(self._rows) == self.max_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._rows or self._group is None:
            return
        target = self.staging / DATASET_FOLDERS[self._group[0]] / self._paths[self._shard]
        target.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(self._rows, schema=SAMPLE_FEATURES.arrow_schema)
        pq.write_table(table, target, compression="zstd")
        self._shard += 1
        self._rows = []

    def close(self) -> None:
        self._flush()


def write_sorted(staging: Path, batches: Iterable[pa.Table], counts: Mapping[GroupKey, int]) -> None:
    """Write every sample of ``batches`` (already sorted) into ``staging``'s dataset folders."""
    writer = ShardWriter(staging, counts)
    for batch in batches:
        for dataset, lang, split, row in zip(
            batch["dataset"].to_pylist(), batch["lang"].to_pylist(), batch["split"].to_pylist(),
            batch["row"].to_pylist(), strict=True,
        ):  # fmt: skip
            if split not in OUTPUT_SPLITS:
                continue  # the local writer publishes train and validation only
            writer.add((dataset, lang, split), json.loads(row))
    writer.close()


def split_targets(counts: Mapping[GroupKey, int]) -> dict[GroupKey, str]:
    """(dataset, lang, upstream split) -> published split, by :func:`published_splits` per dataset."""
    targets: dict[GroupKey, str] = {}
    for dataset in {key[0] for key in counts}:
        per_lang: dict[str, dict[str, int]] = {}
        for (name, lang, split), rows in counts.items():
            if name == dataset:
                per_lang.setdefault(lang, {})[split] = rows
        for (lang, split), target in published_splits(per_lang).items():
            targets[(dataset, lang, split)] = target
    return targets


def retarget_splits(batch: pa.Table, targets: Mapping[GroupKey, str]) -> pa.Table:
    """``map_batches`` body: each sample row's ``split`` becomes the split it is published under."""
    keys = zip(batch["dataset"].to_pylist(), batch["lang"].to_pylist(), batch["split"].to_pylist(), strict=True)
    published = [targets.get(key, key[2]) for key in keys]
    index = batch.schema.get_field_index("split")
    return batch.set_column(index, "split", pa.array(published, pa.string()))


def output_counts(counts: Mapping[GroupKey, int]) -> dict[str, dict[str, dict[str, int]]]:
    """``write_dataset_folder``'s return value, per dataset: lang -> split -> rows."""
    out: dict[str, dict[str, dict[str, int]]] = {dataset: {} for dataset in DATASET_FOLDERS}
    for (dataset, lang, split), rows in sorted(counts.items()):
        if split in OUTPUT_SPLITS and rows:
            out[dataset].setdefault(lang, {})[split] = rows
    return {dataset: {lang: dict(sorted(per.items(), key=lambda kv: OUTPUT_SPLITS.index(kv[0])))
                      for lang, per in sorted(langs.items())} for dataset, langs in out.items()}  # fmt: skip


# -- writing on the workers ----------------------------------------------------------------------


def _num_rows(block: pa.Table) -> int:
    return int(block.num_rows)


def _slice(block: pa.Table, start: int, stop: int) -> pa.Table:
    return block.slice(start, stop - start).select(["row"])


def _write_shard(target: str, *pieces: pa.Table) -> str:
    rows = [json.loads(row) for piece in pieces for row in piece["row"].to_pylist()]
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=SAMPLE_FEATURES.arrow_schema), path, compression="zstd")
    return target


def shard_ranges(
    counts: Mapping[GroupKey, int], max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD
) -> list[tuple[int, int, str]]:
    """(first row, end row, relative path) of every shard, in the global sorted row order.

    Rows are sorted by (dataset, lang, split, id), so group ``k`` starts after the rows of every
    group sorting before it, including the splits that are not published (they are skipped).
    """
    ranges: list[tuple[int, int, str]] = []
    offset = 0
    for key in sorted(counts):
        dataset, lang, split = key
        if split in OUTPUT_SPLITS and counts[key]:
            for index, relative in enumerate(shard_paths(lang, split, counts[key], max_rows)):
                start = offset + index * max_rows
                ranges.append(
                    (start, min(start + max_rows, offset + counts[key]), f"{DATASET_FOLDERS[dataset]}/{relative}")
                )
        offset += counts[key]
    return ranges


def write_on_workers(
    staging: Path, ordered: Any, counts: Mapping[GroupKey, int], max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD
) -> None:
    """Write the shards in parallel, one Ray task per shard, from the sorted dataset's blocks.

    The driver only computes which rows of which blocks make each shard (from the blocks' row
    counts); the rows themselves go from the blocks to the shard's task.  ``staging`` must be
    visible to every worker (always true on a local instance; a shared volume on a cluster).
    """
    import ray

    blocks = ordered.to_arrow_refs()
    count_rows = ray.remote(num_cpus=0.25)(_num_rows)
    sizes = ray.get([count_rows.remote(block) for block in blocks])
    block_starts = [0]
    for size in sizes:
        block_starts.append(block_starts[-1] + size)
    slice_block = ray.remote(_slice)
    write_shard = ray.remote(_write_shard)
    pending = []
    for start, stop, relative in shard_ranges(counts, max_rows):
        pieces = []
        for index, block in enumerate(blocks):
            low, high = max(start, block_starts[index]), min(stop, block_starts[index + 1])
            if low < high:
                pieces.append(slice_block.remote(block, low - block_starts[index], high - block_starts[index]))
        pending.append(write_shard.remote(str(staging / relative), *pieces))
    ray.get(pending)
