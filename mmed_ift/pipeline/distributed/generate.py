"""Template generation as a ``map_batches`` body: a kept item's samples go into its row.

Samples stay attached to the item row (``samples``: JSON list of ``Sample.to_row()``) until the
writer needs them, so the row count never changes in the middle of the pipeline and the item's
status and its samples cannot drift apart.  A sample that fails validation rejects the item at
stage ``generate`` with the local engine's reason and detail.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mmed_ift.generate.template import TemplateOptions
from mmed_ift.pipeline.distributed.rows import KEPT, item_from_json, mark_rejected, samples_to_json, to_table
from mmed_ift.pipeline.stages import template_samples
from mmed_ift.schemas import Reject

SAMPLE_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("lang", pa.string()),
        ("split", pa.string()),
        ("task", pa.string()),
        ("source", pa.string()),
        ("id", pa.string()),
        ("seq", pa.int64()),
        ("pos", pa.int32()),
        ("row", pa.string()),
    ]
)


def generate_batch(batch: pa.Table, options: TemplateOptions | None = None) -> pa.Table:
    rows = batch.to_pylist()
    for row in rows:
        if row["status"] != KEPT:
            continue
        made = template_samples(item_from_json(row["kind"], row["item"]), options)
        if isinstance(made, Reject):
            mark_rejected(row, made)
        else:
            row["samples"] = samples_to_json(made)
    return to_table(rows)


def explode_samples(batch: pa.Table) -> pa.Table:
    """``map_batches`` body: one row per sample of the kept items, with its sort and group keys."""
    import json

    out: dict[str, list[Any]] = {name: [] for name in SAMPLE_SCHEMA.names}
    columns = (batch["samples"].to_pylist(), batch["split"].to_pylist(), batch["seq"].to_pylist())
    for payload, split, seq in zip(*columns, strict=True):
        if not payload:
            continue
        for position, sample in enumerate(json.loads(payload)):
            out["dataset"].append(sample["dataset"])
            out["lang"].append(sample["lang"])
            out["split"].append(split)
            out["task"].append(sample["task"])
            out["source"].append(sample["provenance"]["source"])
            out["id"].append(sample["id"])
            out["seq"].append(seq)
            out["pos"].append(position)
            out["row"].append(json.dumps(sample, ensure_ascii=False))
    return pa.table(out, schema=SAMPLE_SCHEMA)
