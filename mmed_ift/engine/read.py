"""Sources into a Ray Dataset: one read task per located source, in parallel.

An adapter reads a whole upstream folder (some formats join several files), so the unit of
parallelism is the source.  The task classifies every record exactly as the local engine's
``read_sources`` does (training item, held-out benchmark item, reject, other language) and emits
one row per record; records in languages outside the build are only counted (one
``other_count`` row per source), so they never cost memory downstream.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from mmed_ift.engine.rows import READ_SCHEMA, item_to_json, make_seq, reject_to_json, to_table
from mmed_ift.errors import BuildError, SourceNotFoundError
from mmed_ift.schemas import Reject
from mmed_ift.sources import registry


def read_source_rows(name: str, folder: str, source_index: int, languages: list[str]) -> list[dict[str, Any]]:
    """Every record of one source as a row of :data:`READ_SCHEMA` (runs on a Ray worker)."""
    adapter = registry()[name]()
    wanted = set(languages)
    rows: list[dict[str, Any]] = []
    other = 0
    try:
        for index, result in enumerate(adapter.read(Path(folder))):
            seq = make_seq(source_index, index)
            if result.lang is not None and result.lang not in wanted:
                other += 1
                continue
            if isinstance(result, Reject):
                split = result.split or "unknown"
                rows.append({"seq": seq, "role": "reject", "source": name, "split": split,
                             "payload": reject_to_json(result)})  # fmt: skip
                continue
            training = adapter.spec.training and result.split not in adapter.spec.eval_splits
            payload = json.dumps({"kind": result.kind, "item": item_to_json(result)}, ensure_ascii=False)
            rows.append({"seq": seq, "role": "training" if training else "held_out", "source": name,
                         "split": result.split, "payload": payload})  # fmt: skip
    except SourceNotFoundError as error:
        raise BuildError(str(error)) from None
    rows.append({"seq": make_seq(source_index, (1 << 40) - 1), "role": "other_count", "source": name,
                 "split": "", "payload": str(other)})  # fmt: skip
    return rows


def read_batch(batch: pa.Table, languages: list[str]) -> pa.Table:
    """``map_batches`` body: the batch holds source tasks (name, folder, index)."""
    rows: list[dict[str, Any]] = []
    for task in batch.to_pylist():
        rows.extend(read_source_rows(task["name"], task["folder"], task["index"], languages))
    return to_table(rows, READ_SCHEMA)
