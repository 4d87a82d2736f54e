"""Any item filter as a ``map_batches`` body: the engine runs filters it does not know.

The body rebuilds the batch's kept items, asks the filter for one outcome per item
(:meth:`~mmed_ift.filters.base.ItemFilter.judge`), and writes back rewritten items and
rejections (with their evidence); the batch's statistics ride on its first row
(``filter_stats``) until the driver merges them.  Rows already rejected by an earlier step pass
through untouched.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mmed_ift.filters.base import ItemFilter, Rejection
from mmed_ift.pipeline.distributed.rows import KEPT, add_stats, item_from_json, item_to_json, mark_rejection, to_table


def apply_item_filter(batch: pa.Table, step: ItemFilter[Any]) -> pa.Table:
    """``map_batches`` body for one item filter (the filter object travels with the task)."""
    rows = batch.to_pylist()
    live = [row for row in rows if row["status"] == KEPT]
    stats = step.new_stats()
    if live:
        items = [item_from_json(row["kind"], row["item"]) for row in live]
        for row, item, outcome in zip(live, items, step.judge(items, stats), strict=True):
            if isinstance(outcome, Rejection):
                mark_rejection(row, outcome)
            elif outcome is not item:
                row["item"] = item_to_json(outcome)
    add_stats(rows, step.name, stats)
    return to_table(rows)
