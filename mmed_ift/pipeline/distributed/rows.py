"""How items, rejects and samples travel through Ray: flat Arrow rows with JSON payloads.

Items are pydantic models of three kinds with different fields; Arrow needs one schema per
column.  So a row keeps the few fields the engine groups and sorts on as real columns (``seq``,
``kind``, ``lang``, ``source``, ``split``) and the whole model as JSON (``item``); a worker
rebuilds the model with ``model_validate`` by kind.  The JSON round trip is exact for these
models (strings, lists, dicts, None), so a sample built on a worker is the one the local engine
builds.

``seq`` is the global position of a record in the local engine's input order: source index in
the high bits, record index within the source in the low bits.  Every rule that depends on
order (survivor ties, the star/chain linking of large LSH buckets, the order of rejects) uses it,
which is what makes the distributed build give the local build's output row for row.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from mmed_ift.filters.base import Evidence, FilterStats, Rejection
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject, Sample

SEQ_SHIFT = 40
ITEM_MODELS: dict[str, type[MCQuestion] | type[QAPair] | type[Passage]] = {
    "mc": MCQuestion,
    "qa": QAPair,
    "passage": Passage,
}
KEPT = "kept"
REJECTED = "rejected"

#: every row of the item dataset between reading and writing
ITEM_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("kind", pa.string()),
        ("lang", pa.string()),
        ("source", pa.string()),
        ("split", pa.string()),
        ("item", pa.string()),
        ("status", pa.string()),
        ("stage", pa.string()),
        ("reason", pa.string()),
        ("reject", pa.string()),
        # the rejecting filter's evidence (JSON of its Evidence fields)
        ("evidence", pa.string()),
        # statistics of the filter batches this row was the first of: JSON {step: stats}
        ("filter_stats", pa.string()),
        # generated samples of a kept item: JSON list of Sample rows
        ("samples", pa.string()),
    ]
)

#: what the read stage emits: training items plus everything the driver accounts for itself
READ_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("role", pa.string()),  # training | held_out | reject | other_count
        ("source", pa.string()),
        ("split", pa.string()),
        ("payload", pa.string()),
    ]
)


def make_seq(source_index: int, record_index: int) -> int:
    if record_index >= 1 << SEQ_SHIFT:
        raise ValueError(f"a source with more than 2^{SEQ_SHIFT} records")
    return (source_index << SEQ_SHIFT) | record_index


def item_to_json(item: Item) -> str:
    return json.dumps(item.model_dump(mode="json"), ensure_ascii=False)


def item_from_json(kind: str, payload: str) -> Item:
    return ITEM_MODELS[kind].model_validate_json(payload)


def reject_to_json(reject: Reject) -> str:
    return json.dumps(reject.model_dump(), ensure_ascii=False)


def reject_from_json(payload: str) -> Reject:
    return Reject.model_validate_json(payload)


def samples_to_json(samples: list[Sample]) -> str:
    return json.dumps([sample.to_row() for sample in samples], ensure_ascii=False)


def item_row(seq: int, item: Item) -> dict[str, Any]:
    """A fresh, kept row of the item dataset."""
    return {
        "seq": seq,
        "kind": item.kind,
        "lang": item.lang,
        "source": item.source,
        "split": item.split,
        "item": item_to_json(item),
        "status": KEPT,
        "stage": "",
        "reason": "",
        "reject": "",
        "evidence": "",
        "filter_stats": "",
        "samples": "",
    }


def mark_rejected(row: dict[str, Any], reject: Reject, evidence: Evidence | None = None) -> None:
    row["status"] = REJECTED
    row["stage"] = reject.stage
    row["reason"] = reject.reason
    row["reject"] = reject_to_json(reject)
    row["evidence"] = json.dumps(evidence.to_dict(), ensure_ascii=False) if evidence is not None else ""


def mark_rejection(row: dict[str, Any], rejection: Rejection) -> None:
    mark_rejected(row, rejection.reject, rejection.evidence)


def add_stats(rows: list[dict[str, Any]], step: str, stats: FilterStats) -> None:
    """Attach one batch's statistics of ``step`` to the batch's first row (the driver merges
    every such cell; a batch with no rows has nothing to count)."""
    if not rows:
        return
    cell = json.loads(rows[0]["filter_stats"]) if rows[0]["filter_stats"] else {}
    cell[step] = stats.to_dict()
    rows[0]["filter_stats"] = json.dumps(cell, ensure_ascii=False, sort_keys=True)


def to_table(rows: list[dict[str, Any]], schema: pa.Schema = ITEM_SCHEMA) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)
