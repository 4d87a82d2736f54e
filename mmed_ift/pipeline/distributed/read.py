"""Sources into a Ray Dataset: one read task per located source, in parallel.

An adapter reads a whole upstream folder (some formats join several files), so the unit of
parallelism is the source.  The task classifies every record with the local engine's rules
(:func:`~mmed_ift.pipeline.sources.classify`: training item, held-out benchmark item, reject, other
language) and emits one row per record; records in languages outside the build are only counted (one
``other_count`` row per source), so they never cost memory downstream.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.distributed.rows import READ_SCHEMA, item_to_json, make_seq, reject_to_json, to_table
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.sources import Role, classified, read_split, record_selection
from mmed_ift.schemas import Reject
from mmed_ift.sources import registry
from mmed_ift.sources.rationale_join import RationaleIndex


def read_source_rows(
    name: str, folder: str, source_index: int, config: BuildConfig, rationales: RationaleIndex | None = None
) -> list[dict[str, Any]]:
    """Every record of one source as a row of :data:`READ_SCHEMA` (runs on a Ray worker), sorted
    by the local engine's rules (:func:`~mmed_ift.pipeline.sources.classify`)."""
    adapter = registry()[name]()
    rows: list[dict[str, Any]] = []
    other = 0
    for index, (role, result) in enumerate(classified(adapter, Path(folder), config, rationales)):
        seq = make_seq(source_index, index)
        if role is Role.OTHER_LANGUAGE:
            other += 1
        elif isinstance(result, Reject):
            rows.append({"seq": seq, "role": "reject", "source": name, "split": read_split(result),
                         "payload": reject_to_json(result)})  # fmt: skip
        else:
            payload = json.dumps({"kind": result.kind, "item": item_to_json(result)}, ensure_ascii=False)
            rows.append({"seq": seq, "role": role.value, "source": name, "split": result.split,
                         "payload": payload})  # fmt: skip
    rows.append({"seq": make_seq(source_index, (1 << 40) - 1), "role": "other_count", "source": name,
                 "split": "", "payload": str(other)})  # fmt: skip
    chosen = BuildReport()
    record_selection(adapter, chosen)
    if name in chosen.selection:
        rows.append({"seq": make_seq(source_index, (1 << 40) - 2), "role": "selection", "source": name,
                     "split": "", "payload": json.dumps(chosen.selection[name])})  # fmt: skip
    return rows


def read_batch(batch: pa.Table, config: BuildConfig, rationales: RationaleIndex | None = None) -> pa.Table:
    """``map_batches`` body: the batch holds source tasks (name, folder, index)."""
    rows: list[dict[str, Any]] = []
    for task in batch.to_pylist():
        rows.extend(read_source_rows(task["name"], task["folder"], task["index"], config, rationales))
    return to_table(rows, READ_SCHEMA)
