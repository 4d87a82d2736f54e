"""A similarity-graph filter after its candidate pairs: verification and clusters on Ray Data.

Banding and pair generation are in :mod:`mmed_ift.pipeline.distributed.dedup`; every decision is
the filter's (:class:`~mmed_ift.filters.graph.SimilarityGraphFilter`: ``nodes``, ``is_edge``,
``resolve_component``).  Everything after them is a
chain of hash-partitioned joins (``groupby(part).map_groups``, vectorised within a partition),
so nothing proportional to the candidates goes through the driver:

1. **shingle join** (by the record's seq): the kept rows and both endpoints of every candidate
   pair meet; each record that is in a pair becomes the filter's node once there and emits one
   *node* row (seq, shingle set, survivor rank, label) and one
   *half* row per pair it is in (the pair and its own shingle set);
2. **verification** (by the pair): the two halves of a pair meet; the pair is an edge when the
   exact Jaccard of the two sets (:func:`mmed_ift.text.minhash.jaccard`) reaches the threshold;
3. **connected components**: large-star / small-star rounds over the edge list
   (:func:`connected_components`) until neither changes an edge; every component is then a
   star around its smallest seq, which is the component's label;
4. **survivors** (by seq, then by label): node rows get their label, and a component's members
   meet; the filter's ``resolve_component`` decides (for near dedup, the smallest
   ``(survivor_key, seq)`` survives - the local ``min`` over members in
   seq order - and every other member gets the local detail text (Jaccard to the keeper,
   cluster size);
5. **apply** (by seq): the (seq, detail) rows are joined back onto the item rows.

The clusters are the connected components of the same verified pairs as the local
``clusters``, so the survivors and the reject details are the local ones.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mmed_ift.errors import BuildError
from mmed_ift.filters.graph import GraphStats, Node, SimilarityGraphFilter
from mmed_ift.pipeline.distributed.components import (
    connected_components,
    ints,
    pair_part,
    seq_part,
    table_of,
)
from mmed_ift.pipeline.distributed.rows import ITEM_SCHEMA, KEPT, item_from_json, mark_rejected, to_table

NODE = -1  # ``other`` of a node row in the shingle join

#: stage 1 input: kept rows (other = NODE) and pair endpoints (seq, other = the partner)
JOIN_SCHEMA = pa.schema(
    [("part", pa.int32()), ("seq", pa.int64()), ("other", pa.int64()), ("kind", pa.string()), ("item", pa.string())]
)
#: stage 1 output: node rows (other = NODE) and halves (other = the partner)
SHINGLED_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("other", pa.int64()),
        ("shingles", pa.large_binary()),  # sorted unique uint64 shingle hashes
        ("rank", pa.int8()),  # Node.rank[0]
        ("stable", pa.string()),  # Node.rank[1]
        ("describe", pa.string()),  # Node.label
    ]
)
HALF_SCHEMA = pa.schema(
    [("part", pa.int32()), ("a", pa.int64()), ("b", pa.int64()), ("side", pa.int8()), ("shingles", pa.large_binary())]
)
VERIFIED_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("ok", pa.int64())])
LABEL_JOIN_SCHEMA = pa.schema(
    [
        ("part", pa.int32()),
        ("seq", pa.int64()),
        ("label", pa.int64()),  # NODE on node rows
        ("shingles", pa.large_binary()),
        ("rank", pa.int8()),
        ("stable", pa.string()),
        ("describe", pa.string()),
    ]
)
DECISION_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("keeper", pa.int64()), ("detail", pa.string()), ("evidence", pa.string())]
)
APPLY_SCHEMA = pa.schema([*ITEM_SCHEMA, pa.field("part", pa.int32()), pa.field("detail", pa.string())])


# -- 1. shingle join -----------------------------------------------------------------------------


def node_join_rows(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: the kept rows, as node rows of the shingle join."""
    kept = batch.filter(pc.equal(batch["status"], KEPT))
    seqs = ints(kept, "seq")
    return table_of(JOIN_SCHEMA, part=seq_part(seqs, partitions), seq=seqs, other=np.full(len(seqs), NODE),
                  kind=kept["kind"], item=kept["item"])  # fmt: skip


def endpoint_join_rows(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: both endpoints of every candidate pair ``(a, b)``."""
    a, b = ints(batch, "a"), ints(batch, "b")
    seqs, others = np.concatenate([a, b]), np.concatenate([b, a])
    empty = pa.array([""] * len(seqs), pa.string())
    return table_of(JOIN_SCHEMA, part=seq_part(seqs, partitions), seq=seqs, other=others, kind=empty, item=empty)


def shingle_partition(batch: pa.Table, step: SimilarityGraphFilter) -> pa.Table:
    """``map_groups`` body: the nodes of the records that are in a pair; node rows and halves."""
    other = ints(batch, "other")
    ends = batch.filter(pa.array(other != NODE))
    if not ends.num_rows:
        return SHINGLED_SCHEMA.empty_table()
    end_seqs = ints(ends, "seq")
    nodes = batch.filter(pa.array((other == NODE) & np.isin(ints(batch, "seq"), end_seqs)))
    nodes = nodes.take(pa.array(np.argsort(ints(nodes, "seq"), kind="stable")))
    node_seqs = ints(nodes, "seq")
    position = np.minimum(np.searchsorted(node_seqs, end_seqs), max(len(node_seqs) - 1, 0))
    if not len(node_seqs) or not (node_seqs[position] == end_seqs).all():
        raise BuildError(f"{step.name}: a candidate pair names a record that is not kept")
    items = [item_from_json(kind, item) for kind, item in zip(nodes["kind"].to_pylist(), nodes["item"].to_pylist(),
                                                                strict=True)]  # fmt: skip
    made = step.nodes(node_seqs.tolist(), items)
    blobs = pa.array([node.shingles for node in made], pa.large_binary())
    count, halves = len(made), len(end_seqs)
    return table_of(
        SHINGLED_SCHEMA,
        seq=np.concatenate([node_seqs, end_seqs]),
        other=np.concatenate([np.full(count, NODE), ints(ends, "other")]),
        shingles=pa.concat_arrays([blobs, blobs.take(pa.array(position))]),
        rank=np.concatenate(
            [np.array([node.rank[0] for node in made], dtype=np.int8), np.zeros(halves, dtype=np.int8)]
        ),
        stable=pa.array([node.rank[1] for node in made] + [""] * halves, pa.string()),
        describe=pa.array([node.label for node in made] + [""] * halves, pa.string()),
    )


def node_rows(batch: pa.Table) -> pa.Table:
    return batch.filter(pc.equal(batch["other"], NODE))


def half_rows(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: a record's half of each of its pairs, keyed by the pair."""
    halves = batch.filter(pc.not_equal(batch["other"], NODE))
    seq, other = ints(halves, "seq"), ints(halves, "other")
    a, b = np.minimum(seq, other), np.maximum(seq, other)
    return table_of(HALF_SCHEMA, part=pair_part(a, b, partitions), a=a, b=b, side=(seq == b).astype(np.int8),
                  shingles=halves["shingles"])  # fmt: skip


# -- 2. verification -----------------------------------------------------------------------------


def verify_partition(batch: pa.Table, step: SimilarityGraphFilter) -> pa.Table:
    """``map_groups`` body: every distinct pair once, ``ok`` when the filter calls it an edge."""
    a, b, side = ints(batch, "a"), ints(batch, "b"), ints(batch, "side")
    order = np.lexsort((side, b, a))
    a, b, side = a[order], b[order], side[order]
    blobs = batch["shingles"].take(pa.array(order)).to_pylist()
    pairs: dict[tuple[int, int], list[bytes | None]] = {}
    for left, right, which, blob in zip(a.tolist(), b.tolist(), side.tolist(), blobs, strict=True):
        pairs.setdefault((left, right), [None, None])[which] = blob
    out_a: list[int] = []
    out_b: list[int] = []
    ok: list[int] = []
    for (left, right), (left_set, right_set) in pairs.items():
        if left_set is None or right_set is None:
            raise BuildError(f"near dedup: pair ({left}, {right}) lost a half")
        out_a.append(left)
        out_b.append(right)
        ok.append(int(step.is_edge(Node(left, left_set, (0, ""), ""), Node(right, right_set, (0, ""), ""))))
    return table_of(VERIFIED_SCHEMA, a=np.array(out_a, dtype=np.int64), b=np.array(out_b, dtype=np.int64),
                  ok=np.array(ok, dtype=np.int64))  # fmt: skip


def edge_rows(batch: pa.Table) -> pa.Table:
    return batch.filter(pc.equal(batch["ok"], 1)).select(["a", "b"])


# -- 4. survivors --------------------------------------------------------------------------------


def label_rows(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: star edge ``(root, member)`` -> labels of ``member`` and of ``root``."""
    root, member = ints(batch, "a"), ints(batch, "b")
    seqs, labels = np.concatenate([member, root]), np.concatenate([root, root])
    count = len(seqs)
    return table_of(LABEL_JOIN_SCHEMA, part=seq_part(seqs, partitions), seq=seqs, label=labels,
                  shingles=pa.array([b""] * count, pa.large_binary()), rank=np.zeros(count, dtype=np.int8),
                  stable=pa.array([""] * count, pa.string()), describe=pa.array([""] * count, pa.string()))  # fmt: skip


def node_label_rows(batch: pa.Table, partitions: int) -> pa.Table:
    seqs = ints(batch, "seq")
    return table_of(LABEL_JOIN_SCHEMA, part=seq_part(seqs, partitions), seq=seqs, label=np.full(len(seqs), NODE),
                  shingles=batch["shingles"], rank=batch["rank"], stable=batch["stable"],
                  describe=batch["describe"])  # fmt: skip


def attach_labels(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_groups`` body: node rows that have a label, re-keyed by the label."""
    label = ints(batch, "label")
    labels = batch.filter(pa.array(label != NODE))
    seqs_with_label, first = np.unique(ints(labels, "seq"), return_index=True)
    label_of = ints(labels, "label")[first]
    nodes = batch.filter(pa.array((label == NODE) & np.isin(ints(batch, "seq"), seqs_with_label)))
    node_seqs = ints(nodes, "seq")
    component = label_of[np.searchsorted(seqs_with_label, node_seqs)]
    return table_of(LABEL_JOIN_SCHEMA, part=seq_part(component, partitions), seq=node_seqs, label=component,
                  shingles=nodes["shingles"], rank=nodes["rank"], stable=nodes["stable"],
                  describe=nodes["describe"])  # fmt: skip


def component_decisions(batch: pa.Table, step: SimilarityGraphFilter) -> pa.Table:
    """``map_groups`` body: per component, which members the filter rejects, with detail and evidence."""
    rows = sorted(batch.to_pylist(), key=lambda row: (row["label"], row["seq"]))
    out: dict[str, list[Any]] = {"seq": [], "keeper": [], "detail": [], "evidence": []}
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end]["label"] == rows[start]["label"]:
            end += 1
        members = [
            Node(row["seq"], row["shingles"], (row["rank"], row["stable"]), row["describe"]) for row in rows[start:end]
        ]
        decided = {order: (evidence, detail) for order, evidence, detail in step.resolve_component(members)}
        for node in members:
            out["seq"].append(node.order)
            evidence, detail = decided.get(node.order, (None, ""))
            out["keeper"].append(int(evidence is None))
            out["detail"].append(detail)
            out["evidence"].append(json.dumps(evidence.to_dict(), ensure_ascii=False) if evidence is not None else "")
        start = end
    return pa.Table.from_pydict(out, schema=DECISION_SCHEMA)


# -- 5. apply ------------------------------------------------------------------------------------


def item_apply_rows(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: item rows with their seq's partition and no detail."""
    batch = batch.select(ITEM_SCHEMA.names)
    return batch.append_column("part", pa.array(seq_part(ints(batch, "seq"), partitions))).append_column(
        "detail", pa.nulls(batch.num_rows, pa.string())
    )


def decision_apply_rows(batch: pa.Table, partitions: int) -> pa.Table:
    """``map_batches`` body: the rejected members, as rows with only seq, part and detail."""
    rejected = batch.filter(pc.equal(batch["keeper"], 0))
    seqs = ints(rejected, "seq")
    columns = {field.name: pa.nulls(len(seqs), field.type) for field in APPLY_SCHEMA}
    columns.update(
        seq=pa.array(seqs, pa.int64()),
        part=pa.array(seq_part(seqs, partitions)),
        detail=rejected["detail"].combine_chunks(),
        evidence=rejected["evidence"].combine_chunks(),
    )
    return pa.table(columns, schema=APPLY_SCHEMA)


def apply_partition(batch: pa.Table, step: SimilarityGraphFilter) -> pa.Table:
    """``map_groups`` body: reject the item rows that a decision row names."""
    is_decision = pc.is_valid(batch["detail"])
    decided = batch.filter(is_decision)
    items = batch.filter(pc.invert(is_decision)).select(ITEM_SCHEMA.names).cast(ITEM_SCHEMA)
    if not decided.num_rows:
        return items
    decisions = {
        seq: (detail, evidence)
        for seq, detail, evidence in zip(
            decided["seq"].to_pylist(), decided["detail"].to_pylist(), decided["evidence"].to_pylist(), strict=True
        )
    }
    rows = items.to_pylist()
    for row in rows:
        found = decisions.get(row["seq"])
        if found is None or row["status"] != KEPT:
            continue
        detail, evidence = found
        item = item_from_json(row["kind"], row["item"])
        rejection = step.reject(item, step.reason, step.evidence_from_dict(json.loads(evidence)), detail)
        mark_rejected(row, rejection.reject, rejection.evidence)
    return to_table(rows)


# -- the whole step ------------------------------------------------------------------------------


def _shuffle(ds: Any, num_partitions: int, body: Any, **kwargs: Any) -> Any:
    """``body`` over each hash partition (``part``) of ``ds``, with ``kwargs``."""
    return ds.groupby("part", num_partitions=num_partitions).map_groups(body, batch_format="pyarrow", fn_kwargs=kwargs)


def near_decisions(ds: Any, pairs: Any, step: SimilarityGraphFilter, partitions: int) -> tuple[Any, GraphStats]:
    """Verify the candidate ``pairs`` (a dataset of ``(a, b)`` seqs), cluster, and reject on ``ds``."""
    stats = GraphStats()
    per = {"partitions": partitions}
    joined = ds.map_batches(node_join_rows, batch_format="pyarrow", fn_kwargs=per).union(
        pairs.map_batches(endpoint_join_rows, batch_format="pyarrow", fn_kwargs=per)
    )
    shingled = _shuffle(joined, partitions, shingle_partition, step=step).materialize()
    halves = shingled.map_batches(half_rows, batch_format="pyarrow", fn_kwargs=per)
    verified = _shuffle(halves, partitions, verify_partition, step=step).materialize()
    stats.candidate_pairs = verified.count()
    stats.confirmed_pairs = int(verified.sum("ok") or 0) if stats.candidate_pairs else 0
    if not stats.confirmed_pairs:
        return ds, stats
    edges = verified.map_batches(edge_rows, batch_format="pyarrow")
    stars, _rounds = connected_components(edges, partitions)
    labelled = stars.map_batches(label_rows, batch_format="pyarrow", fn_kwargs=per).union(
        shingled.map_batches(node_rows, batch_format="pyarrow").map_batches(
            node_label_rows, batch_format="pyarrow", fn_kwargs=per
        )
    )
    members = _shuffle(labelled, partitions, attach_labels, partitions=partitions)
    decided = _shuffle(members, partitions, component_decisions, step=step).materialize()
    stats.clusters = int(decided.sum("keeper") or 0)
    applied = ds.map_batches(item_apply_rows, batch_format="pyarrow", fn_kwargs=per).union(
        decided.map_batches(decision_apply_rows, batch_format="pyarrow", fn_kwargs=per)
    )
    return _shuffle(applied, partitions, apply_partition, step=step), stats
