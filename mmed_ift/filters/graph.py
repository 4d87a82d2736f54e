"""The similarity-graph shape of a corpus filter (near-duplicates), in phases an engine can distribute.

1. :meth:`SimilarityGraphFilter.bucket_keys`: LSH bucket keys per item and band (a map);
2. candidate pairs: items sharing a bucket (:func:`~mmed_ift.text.minhash.pairs_from_buckets`
   on one machine, a shuffle by key on many);
3. :meth:`SimilarityGraphFilter.nodes` and :meth:`SimilarityGraphFilter.is_edge`: each item in a
   pair becomes a node (its shingle set, survivor rank, label); a pair whose nodes pass is an edge;
4. connected components of the edges (union-find here; large-star/small-star on Ray);
5. :meth:`SimilarityGraphFilter.resolve_component`: which members of a component are rejected.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.base import Evidence, Filter, FilterStats, Rejection, RejectReason, StepResult, split_outcomes
from mmed_ift.schemas import Item
from mmed_ift.text.minhash import clusters, pairs_from_buckets


@dataclass(frozen=True)
class Node:
    """What the similarity phases need of one item that is in a candidate pair."""

    order: int
    #: what ``is_edge`` compares, opaque to the engines (near dedup: shingle hashes and tokens,
    #: :func:`mmed_ift.text.distinct.pack`)
    shingles: bytes
    rank: tuple[int, str]  # survivor_key of the item
    label: str  # describe(item)


@dataclass(frozen=True)
class BucketKeys:
    """LSH bucket keys of a batch: ``keys[band][i]`` for item ``i``; items not ``usable`` (no
    text to compare) are in no bucket."""

    usable: npt.NDArray[np.bool_]
    keys: list[npt.NDArray[np.uint64]]


@dataclass
class GraphStats(FilterStats):
    """Counters of a similarity-graph filter."""

    candidate_pairs: int = 0
    confirmed_pairs: int = 0
    clusters: int = 0

    def merge(self, other: Any) -> None:
        self.candidate_pairs += other.candidate_pairs
        self.confirmed_pairs += other.confirmed_pairs
        self.clusters += other.clusters

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphStats:
        return cls(**data)


class SimilarityGraphFilter(Filter[GraphStats]):
    """Near-duplicates as a graph: LSH bucket keys give candidate pairs, :meth:`is_edge` verifies
    them, and each connected component keeps one member (:meth:`resolve_component`).

    The phases are what a distributed engine shuffles between; :meth:`process` runs them all on
    one machine, in batches of ``batch_size`` for the keys so memory holds one batch of shingles.
    """

    #: items per :meth:`bucket_keys` / :meth:`nodes` call: their shingle and signature arrays are
    #: the step's working memory (20k at a time: +139 MiB over what the chain held at the 200k
    #: bench corpus's near dedup, the build's peak; 4096: +88, the peak 50 MiB lower, same CPU).
    #: Outcomes do not depend on it: every key and node is per item.
    batch_size: ClassVar[int] = 4096
    #: the reason code of this filter's rejections
    reason: ClassVar[RejectReason] = "near_duplicate"

    def new_stats(self) -> GraphStats:
        return GraphStats()

    @abstractmethod
    def bucket_keys(self, items: Sequence[Item]) -> BucketKeys:
        """The LSH bucket keys of ``items``."""

    @abstractmethod
    def nodes(self, orders: Sequence[int], items: Sequence[Item]) -> list[Node]:
        """The node of each item (its shingle set, survivor rank and label)."""

    @abstractmethod
    def is_edge(self, left: Node, right: Node) -> bool:
        """Whether a candidate pair is a real near-duplicate."""

    @abstractmethod
    def resolve_component(self, members: Sequence[Node]) -> list[tuple[int, Evidence, str]]:
        """(order, evidence, detail) of every member of a component that does not survive."""

    def process(self, items: list[Item]) -> StepResult:
        stats = self.new_stats()
        usable = np.zeros(len(items), dtype=bool)
        keys: list[list[npt.NDArray[np.uint64]]] = []
        for start in range(0, len(items), self.batch_size):
            batch = self.bucket_keys(items[start : start + self.batch_size])
            usable[start : start + len(batch.usable)] = batch.usable
            keys.append(batch.keys)
        per_band = [np.concatenate(parts) for parts in zip(*keys, strict=True)] if keys else []
        del keys  # the batches' keys, a second copy of per_band's (~26 MiB at 184k records)
        pairs = pairs_from_buckets(per_band, usable)
        del per_band  # not needed past the pairs: gone before the nodes' shingles are made
        stats.candidate_pairs += len(pairs)
        needed = np.unique(pairs).tolist()
        nodes: dict[int, Node] = {}
        for start in range(0, len(needed), self.batch_size):
            chunk = needed[start : start + self.batch_size]
            nodes.update((node.order, node) for node in self.nodes(chunk, [items[index] for index in chunk]))
        edges = [(left, right) for left, right in pairs.tolist() if self.is_edge(nodes[left], nodes[right])]
        stats.confirmed_pairs += len(edges)
        components = clusters(len(items), edges)
        stats.clusters += len(components)
        rejected: dict[int, Rejection] = {}
        for members in components:
            for order, evidence, detail in self.resolve_component([nodes[index] for index in members]):
                rejected[order] = self.reject(items[order], self.reason, evidence, detail)
        return split_outcomes(items, rejected, stats)
