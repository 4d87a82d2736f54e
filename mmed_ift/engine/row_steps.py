"""Filter steps that judge each item on its own, as ``map_batches`` bodies.

PII scrub, language ID and decontamination need no other item of the corpus (decontamination
needs the benchmark index, which every worker gets once through the object store), so they run
where the rows are.  Each body uses the local engine's own step object, so the decision for an
item is the local one by construction, and writes the item's contribution to the step's report
details into a ``n_*`` column; the driver sums those columns (see :mod:`mmed_ift.engine.report`).
Rows already rejected by an earlier step pass through untouched.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pyarrow as pa

from mmed_ift.engine.rows import KEPT, item_from_json, item_to_json, mark_rejected, to_table
from mmed_ift.filters.base import item_text
from mmed_ift.filters.decontam import Decontaminate
from mmed_ift.filters.langid import LanguageIDFilter
from mmed_ift.filters.pii import PIIScrub


def pii_rows(rows: list[dict[str, Any]], step: PIIScrub) -> None:
    """Scrub in place; ``n_pii`` gets this item's replacements per kind (JSON, sorted keys)."""
    for row in rows:
        if row["status"] != KEPT:
            continue
        before = Counter(step.counts)
        result = step.process([item_from_json(row["kind"], row["item"])])
        delta = {kind: count - before[kind] for kind, count in step.counts.items() if count != before[kind]}
        if delta:
            row["item"] = item_to_json(result.kept[0])
            row["n_pii"] = json.dumps(delta, sort_keys=True)


def langid_rows(rows: list[dict[str, Any]], step: LanguageIDFilter) -> None:
    """``n_langid`` is ``checked`` or ``short`` (too short to judge) for every item judged."""
    for row in rows:
        if row["status"] != KEPT:
            continue
        item = item_from_json(row["kind"], row["item"])
        keep, why = step.verdict(item_text(item), item.lang)
        row["n_langid"] = "short" if why == "short" else "checked"
        if not keep:
            mark_rejected(row, step.reject(item, "wrong_language", why))


def decontam_rows(rows: list[dict[str, Any]], step: Decontaminate) -> None:
    """Batched index lookup; ``n_decontam`` names the benchmark a rejected item overlaps."""
    live = [row for row in rows if row["status"] == KEPT]
    if not live:
        return
    items = [item_from_json(row["kind"], row["item"]) for row in live]
    hits = step.index.check([item_text(item) for item in items], [item.lang for item in items])
    for row, item, hit in zip(live, items, hits, strict=True):
        if hit is None:
            continue
        detail = f"{hit.how} with {hit.benchmark} item {hit.benchmark_id}"
        mark_rejected(row, step.reject(item, "contaminated", detail))
        row["n_decontam"] = json.dumps([hit.benchmark, f"{item.source}:{item.source_id} ~ {hit.benchmark_id}"])


def apply_row_step(batch: pa.Table, step: Any) -> pa.Table:
    """``map_batches`` body for one per-item step (the step object travels with the task)."""
    rows = batch.to_pylist()
    if isinstance(step, PIIScrub):
        pii_rows(rows, step)
    elif isinstance(step, LanguageIDFilter):
        langid_rows(rows, step)
    elif isinstance(step, Decontaminate):
        decontam_rows(rows, step)
    else:
        raise TypeError(f"not a per-item step: {type(step).__name__}")
    return to_table(rows)
