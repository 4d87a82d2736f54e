"""Distributed pair verification and connected components, checked against the local functions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from mmed_ift.filters.near_dedup import NearDedup, NearDedupConfig
from mmed_ift.pipeline.distributed.components import EDGE_SCHEMA, connected_components
from mmed_ift.pipeline.distributed.rows import item_row, reject_from_json, to_table
from mmed_ift.pipeline.distributed.runner import similarity_graph
from mmed_ift.schemas import Item, MCQuestion
from mmed_ift.text.minhash import clusters
from tests.engine.corpus import long_stem


def _graph() -> tuple[int, list[tuple[int, int]]]:
    """Node indices and edges: a chain, two stars, disjoint pairs, a single pair, a random forest."""
    edges: list[tuple[int, int]] = [(index, index + 1) for index in range(24)]  # chain 0..24
    edges += [(30, leaf) for leaf in range(31, 41)]  # star around its smallest node
    edges += [(leaf, 59) for leaf in range(45, 59)]  # star around its largest node
    edges += [(60, 61), (62, 63), (64, 65)]  # disjoint single pairs
    edges += [(66, 67), (67, 68), (66, 68)]  # triangle
    rng = np.random.default_rng(7)
    for _ in range(70):  # sparse random graph on 70..149: several components, some cycles
        left, right = rng.integers(70, 150, size=2).tolist()
        if left != right:
            edges.append((min(left, right), max(left, right)))
    return 160, edges  # 150..159 are in no edge (singletons, which clusters leaves out)


@pytest.mark.parametrize("partitions", [1, 3])
def test_components_equal_local_clusters(ray_session: None, partitions: int) -> None:
    import ray.data

    count, edges = _graph()
    # seqs in scrambled order, so that the chain is not monotone in seq (the hard case for min-propagation)
    seqs = np.random.default_rng(3).permutation(count).astype(np.int64) * 977 + (3 << 40)
    pairs = np.array([sorted((seqs[a], seqs[b])) for a, b in edges], dtype=np.int64)
    dataset = ray.data.from_arrow(pa.table({"a": pairs[:, 0], "b": pairs[:, 1]}, schema=EDGE_SCHEMA))
    stars, rounds = connected_components(dataset, partitions)
    found: dict[int, set[int]] = {}
    for row in stars.take_all():
        assert row["a"] < row["b"]
        found.setdefault(int(row["a"]), {int(row["a"])}).add(int(row["b"]))
    expected = clusters(count, [(a, b, 1.0) for a, b in edges])
    assert sorted(sorted(members) for members in found.values()) == sorted(
        sorted(int(seqs[index]) for index in members) for members in expected
    )
    for root, members in found.items():
        assert root == min(members)  # the label is the smallest seq of the component
    assert len(stars.take_all()) == sum(len(members) - 1 for members in expected)  # one edge per member
    assert rounds <= 12


def _items() -> list[MCQuestion]:
    options = {"A": "Metformin", "B": "Insulin", "C": "Glipizide", "D": "Pioglitazone"}
    words = ("fever", "cough", "rash", "pain", "nausea", "fatigue")

    def question(index: int, text: str, rationale: str | None = None) -> MCQuestion:
        return MCQuestion(source="medqa", source_id=str(index), lang="en", split="train", question=text,
                          options=options, answer=["A"], rationale=rationale)  # fmt: skip

    items = [question(index, long_stem(1, f"{words[index % 6]}{index}")) for index in range(36)]  # one big family
    items[20] = question(20, items[20].question, rationale="first line")  # survivor by rationale, not by id
    items += [question(100 + topic, long_stem(topic, word)) for topic in range(2, 6) for word in ("fever", "cough")]
    items += [question(200 + index, f"Unrelated question number {index} about {words[index % 6]}?") for index in
              range(10)]  # fmt: skip
    return items


@pytest.mark.parametrize("partitions", [1, 3])
def test_near_dedup_equals_local_step(ray_session: None, partitions: int) -> None:
    """Banding, verification, clusters and survivors on Ray give the local step's rejects and counts."""
    import ray.data

    items = _items()
    local_step = NearDedup()
    local = local_step.process(items)
    rows = [item_row((1 << 40) | index, item) for index, item in enumerate(items)]
    dataset = ray.data.from_arrow(to_table(rows)).repartition(4)
    result, stats = similarity_graph(dataset, NearDedup(), partitions)
    out: list[dict[str, Any]] = sorted(result.take_all(), key=lambda row: row["seq"])
    assert [row["seq"] for row in out] == [row["seq"] for row in rows]
    rejected = [reject_from_json(row["reject"]) for row in out if row["status"] == "rejected"]
    assert [reject.model_dump() for reject in rejected] == [reject.model_dump() for reject in local.rejected]
    details = local_step.details(local.stats, local.rejections)
    assert (stats.candidate_pairs, stats.confirmed_pairs, stats.clusters) == (
        details["candidate_pairs"],
        details["confirmed_pairs"],
        details["clusters"],
    )
    assert len(rejected) == len(local.rejected) >= 35 + 4
    evidence = [row["evidence"] for row in out if row["status"] == "rejected"]
    assert evidence == [json.dumps(r.evidence.to_dict(), ensure_ascii=False) for r in local.rejections]


def test_near_dedup_distinct_records_equal_local_step(ray_session: None) -> None:
    """The distinct-record check (names, focus, content) rides in the node payload: Ray decides
    the labelled MedQuAD-like pairs exactly as the local step does."""
    import ray.data

    from mmed_ift.filters.near_dedup_eval import load_pairs

    pairs = load_pairs(Path(__file__).resolve().parents[1] / "filters" / "near_dedup_pairs.jsonl")
    items: list[Item] = [record for pair in pairs for record in (pair.left, pair.right)]
    local_step = NearDedup()
    local = local_step.process(list(items))
    jaccard_only = NearDedup(NearDedupConfig(distinct=None)).process(items)
    assert 0 < len(local.rejections) < len(jaccard_only.rejections)  # the check decides some pairs
    rows = [item_row((1 << 40) | index, item) for index, item in enumerate(items)]
    dataset = ray.data.from_arrow(to_table(rows)).repartition(3)
    result, stats = similarity_graph(dataset, NearDedup(), 3)
    out: list[dict[str, Any]] = sorted(result.take_all(), key=lambda row: row["seq"])
    rejected = [reject_from_json(row["reject"]) for row in out if row["status"] == "rejected"]
    assert [reject.model_dump() for reject in rejected] == [reject.model_dump() for reject in local.rejected]
    assert stats.confirmed_pairs == local_step.details(local.stats, local.rejections)["confirmed_pairs"]  # type: ignore[arg-type]
