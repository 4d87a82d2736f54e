"""Near-duplicate removal: MinHash LSH candidates confirmed by exact Jaccard, within and across sources.

LSH is queried at a lower threshold (``lsh_threshold``) for recall; every candidate pair is then
confirmed by the *exact* Jaccard similarity of the two shingle sets at ``threshold``, so LSH only
trades speed for recall and never admits a false pair.  A pair that passes is still two records
when the tokens they do not share name different things (:mod:`mmed_ift.text.distinct`:
templated pages about different diseases, different MedQuAD focus); ``distinct=None`` turns that
check off.  Clusters are the connected components of confirmed pairs; one member survives
(:func:`~mmed_ift.filters.base.survivor_key`).  MC items compare question + options.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.base import Evidence, Rejection, describe, item_text, normalized_item_text, survivor_key
from mmed_ift.filters.graph import BucketKeys, GraphStats, Node, SimilarityGraphFilter
from mmed_ift.filters.options import DEFAULT_NEAR_THRESHOLD
from mmed_ift.schemas import Item, Passage, QAPair
from mmed_ift.text.distinct import DistinctRules, Tokens, distinct, pack, question_focus, tokens, unpack
from mmed_ift.text.minhash import (
    LSHParams,
    band_keys,
    clusters,
    jaccard,
    pairs_from_buckets,
    signatures,
    sorted_unique,
)
from mmed_ift.text.pair_jaccard import pair_jaccards
from mmed_ift.text.shingles import ShingleBatch, Shingler

DEFAULT_THRESHOLD = DEFAULT_NEAR_THRESHOLD
#: how far below ``threshold`` LSH is tuned: at 0.7 about one pair in ten at Jaccard 0.81 is
#: missed; at 0.6, under one in fifty
LSH_MARGIN = 0.2
DEFAULT_LSH_THRESHOLD = 0.6


def lsh_threshold_for(threshold: float) -> float:
    """The LSH threshold that gives ``threshold`` its recall (never below 0.05)."""
    return max(0.05, threshold - LSH_MARGIN)


@dataclass
class NearDedupConfig:
    threshold: float = DEFAULT_THRESHOLD
    #: LSH is tuned for this lower threshold so that pairs just above ``threshold`` are found
    lsh_threshold: float = DEFAULT_LSH_THRESHOLD
    num_perm: int = 128
    bands: int | None = None
    rows: int | None = None
    word_n: int = 3
    char_n: int = 3
    seed: int = 1
    #: when a pair above ``threshold`` is still two records (names, focus, content); None: never
    distinct: DistinctRules | None = field(default_factory=DistinctRules)

    def lsh_params(self) -> LSHParams:
        if self.bands is not None and self.rows is not None:
            return LSHParams(self.num_perm, self.bands, self.rows)
        if self.bands is not None or self.rows is not None:
            raise ValueError("set both bands and rows, or neither")
        return LSHParams.for_threshold(self.lsh_threshold, self.num_perm)

    def shingler(self) -> Shingler:
        return Shingler(self.word_n, self.char_n)


@dataclass(frozen=True)
class NearDuplicateEvidence(Evidence):
    kept: str  # the surviving item (source:source_id)
    jaccard: float  # exact Jaccard similarity to the survivor
    cluster_size: int


@dataclass
class NearDupResult:
    """Clusters of near-duplicates among ``texts`` and the confirmed pairs behind them."""

    clusters: list[list[int]]
    pairs: list[tuple[int, int, float]]
    candidates: int


def shingle_sets(shingler: Shingler, texts: Sequence[str], langs: Sequence[str]) -> list[npt.NDArray[np.uint64]]:
    """Sorted unique shingle hashes of each text."""
    batch = shingler.shingle(texts, langs)
    return [sorted_unique(batch.of(index)) for index in range(len(texts))]


def _normalized(items: Sequence[Item]) -> list[str]:
    """The items' normalised texts from the chain's cache, for :meth:`Shingler.shingle_normalized`
    (what the shingler would make of their raw texts, with nothing normalised or primed again)."""
    return [normalized_item_text(item) for item in items]


def find_near_duplicates(
    texts: Sequence[str], langs: Sequence[str], config: NearDedupConfig, batch_size: int = 20_000
) -> NearDupResult:
    """The near-duplicate clusters among ``texts`` (what :class:`NearDedup` decides on), for
    callers with plain texts such as ``bench/bench_dedup.py``.

    Each batch is shingled once: its band keys (``bands`` x 8 bytes a record) and its shingle
    hashes (8 bytes a shingle, about 1 KB a record) are kept and the signatures dropped, so the
    exact-Jaccard check reads the candidates' shingles instead of normalising and shingling them
    a second time.
    """
    shingler = config.shingler()
    params = config.lsh_params()
    usable = np.zeros(len(texts), dtype=bool)
    keys: list[list[npt.NDArray[np.uint64]]] = []
    batches: list[ShingleBatch] = []
    for start in range(0, len(texts), batch_size):
        batch = shingler.shingle(texts[start : start + batch_size], langs[start : start + batch_size])
        signature = signatures(batch, config.num_perm, config.seed)
        usable[start : start + len(signature)] = signature.usable()
        keys.append(list(band_keys(signature, params)))
        batches.append(batch)
    pairs = pairs_from_buckets([np.concatenate(parts) for parts in zip(*keys, strict=True)] if keys else [], usable)
    del keys
    needed = sorted_unique(pairs.reshape(-1))
    cuts = np.searchsorted(needed, np.arange(0, len(texts) + batch_size, batch_size))
    shingles = ShingleBatch.concatenate(
        [batch.take(needed[cuts[at] : cuts[at + 1]] - at * batch_size) for at, batch in enumerate(batches)]
    )
    del batches
    similarity = pair_jaccards(np.searchsorted(needed, pairs), shingles)
    kept = np.flatnonzero(similarity >= config.threshold)
    confirmed = [
        (left, right, value)
        for (left, right), value in zip(pairs[kept].tolist(), similarity[kept].tolist(), strict=True)
    ]
    return NearDupResult(clusters(len(texts), confirmed), confirmed, len(pairs))


@dataclass
class NearDedup(SimilarityGraphFilter):
    """MinHash LSH near-duplicate removal with exact-Jaccard confirmation."""

    evidence_type: ClassVar[type[Evidence]] = NearDuplicateEvidence

    config: NearDedupConfig = field(default_factory=NearDedupConfig)
    name: str = "near_dedup"

    def bucket_keys(self, items: Sequence[Item]) -> BucketKeys:
        shingled = self.config.shingler().shingle_normalized(_normalized(items), [item.lang for item in items])
        signature = signatures(shingled, self.config.num_perm, self.config.seed)
        return BucketKeys(signature.usable(), list(band_keys(signature, self.config.lsh_params())))

    def nodes(self, orders: Sequence[int], items: Sequence[Item]) -> list[Node]:
        """Each node's payload is its shingle set and, for the distinct-record check, its tokens
        (:func:`~mmed_ift.text.distinct.pack`: one blob, so any engine carries it unchanged)."""
        normalized = _normalized(items)
        batch = self.config.shingler().shingle_normalized(normalized, [item.lang for item in items])
        sets = [sorted_unique(batch.of(index)) for index in range(len(items))]
        texts = [item_text(item) for item in items] if self.config.distinct is not None else normalized
        nodes = []
        for order, item, text, values in zip(orders, items, texts, sets, strict=True):
            found = tokens(text, _title(item), item.lang) if self.config.distinct is not None else _NO_TOKENS
            nodes.append(Node(order, pack(values, found), survivor_key(item), describe(item)))
        return nodes

    def is_edge(self, left: Node, right: Node) -> bool:
        left_set, left_tokens = unpack(left.shingles)
        right_set, right_tokens = unpack(right.shingles)
        if jaccard(left_set, right_set) < self.config.threshold:
            return False
        rules = self.config.distinct
        return rules is None or distinct(left_tokens, right_tokens, rules) is None

    def resolve_component(self, members: Sequence[Node]) -> list[tuple[int, Evidence, str]]:
        keeper = min(members, key=lambda node: (node.rank, node.order))
        out: list[tuple[int, Evidence, str]] = []
        for node in members:
            if node is keeper:
                continue
            score = similarity(node, keeper)
            evidence = NearDuplicateEvidence(keeper.label, round(score, 4), len(members))
            detail = f"near-duplicate of {keeper.label} (Jaccard {score:.2f}; cluster of {len(members)})"
            out.append((node.order, evidence, detail))
        return out

    def details(self, stats: GraphStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        params = self.config.lsh_params()
        return {
            "threshold": self.config.threshold,
            "num_perm": params.num_perm,
            "bands": params.bands,
            "rows": params.rows,
            **stats.to_dict(),
        }


def similarity(left: Node, right: Node) -> float:
    """Exact Jaccard similarity of two nodes' shingle sets."""
    return jaccard(unpack(left.shingles)[0], unpack(right.shingles)[0])


def _title(item: Item) -> str | None:
    """What a record is about, where the source says: MedQuAD's focus (or the X of its templated
    question), a passage's title."""
    if isinstance(item, QAPair):
        return item.title or question_focus(item.question)
    if isinstance(item, Passage):
        return item.title
    return None


_NO_TOKENS = Tokens(0, *(np.zeros(0, dtype=np.uint64),) * 3)
