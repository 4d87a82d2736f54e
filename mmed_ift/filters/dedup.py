"""Exact and near-duplicate removal, within and across sources.

Exact: items whose normalised text (NFKC, case, whitespace, punctuation; see
:mod:`mmed_ift.filters.normalize`) is the same.  Near: MinHash LSH candidates (queried at a
lower threshold, ``lsh_threshold``, for recall) confirmed by the exact Jaccard similarity of
their shingle sets at ``threshold``; clusters are the connected components of confirmed pairs.

One member of each cluster survives, by a rule that does not depend on input order: prefer an
item with a rationale (it makes the richer MC samples), then the lowest id
(``stable_id(source, source_id)``).  MC items are compared on question + options.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.base import FilterStep, StepResult, item_text
from mmed_ift.filters.minhash import (
    LSHParams,
    candidate_pairs,
    clusters,
    jaccard,
    signatures,
    verified_pairs,
)
from mmed_ift.filters.normalize import normalize_text
from mmed_ift.filters.shingles import Shingler
from mmed_ift.schemas import Item, MCQuestion, stable_id


def survivor_key(item: Item) -> tuple[int, str]:
    """Smaller is better: items with a rationale first, then the lowest stable id."""
    has_rationale = isinstance(item, MCQuestion) and item.rationale is not None
    return (0 if has_rationale else 1, stable_id(item.source, item.source_id))


def describe(item: Item) -> str:
    return f"{item.source}:{item.source_id}"


@dataclass
class ExactDedup(FilterStep):
    """Drop items whose normalised text equals an earlier survivor's."""

    name: str = "exact_dedup"

    def __post_init__(self) -> None:
        self._groups = 0

    def process(self, items: list[Item]) -> StepResult:
        groups: dict[tuple[str, bytes], list[int]] = defaultdict(list)
        for index, item in enumerate(items):
            digest = hashlib.blake2b(normalize_text(item_text(item)).encode("utf-8"), digest_size=16).digest()
            groups[(item.kind, digest)].append(index)
        rejected_indices: dict[int, int] = {}
        for members in groups.values():
            if len(members) < 2:
                continue
            self._groups += 1
            keeper = min(members, key=lambda index: survivor_key(items[index]))
            rejected_indices.update({index: keeper for index in members if index != keeper})
        result = StepResult()
        for index, item in enumerate(items):
            survivor = rejected_indices.get(index)
            if survivor is None:
                result.kept.append(item)
            else:
                detail = f"same normalised text as {describe(items[survivor])}"
                result.rejected.append(self.reject(item, "exact_duplicate", detail))
        return result

    def report_details(self) -> dict[str, Any]:
        return {"duplicate_groups": self._groups}


@dataclass
class NearDupResult:
    """Clusters of near-duplicates among ``texts`` and the confirmed pairs behind them."""

    clusters: list[list[int]]
    pairs: list[tuple[int, int, float]]
    candidates: int


@dataclass
class NearDedupConfig:
    threshold: float = 0.8
    #: LSH is tuned for this lower threshold so that pairs just above ``threshold`` are found
    #: (at 0.7 about one pair in ten at Jaccard 0.81 is missed; at 0.6, under one in fifty)
    lsh_threshold: float = 0.6
    num_perm: int = 128
    bands: int | None = None
    rows: int | None = None
    word_n: int = 3
    char_n: int = 3
    seed: int = 1

    def lsh_params(self) -> LSHParams:
        if self.bands is not None and self.rows is not None:
            return LSHParams(self.num_perm, self.bands, self.rows)
        if self.bands is not None or self.rows is not None:
            raise ValueError("set both bands and rows, or neither")
        return LSHParams.for_threshold(self.lsh_threshold, self.num_perm)


def find_near_duplicates(
    texts: Sequence[str], langs: Sequence[str], config: NearDedupConfig, batch_size: int = 20_000
) -> NearDupResult:
    """The near-duplicate clusters among ``texts`` (the engine behind :class:`NearDedup`).

    Signatures are computed batch by batch and the shingles thrown away, so memory holds
    ``len(texts) x num_perm`` uint32 plus one batch; the few texts that end up in candidate
    pairs are shingled again for the exact Jaccard check.
    """
    shingler = Shingler(config.word_n, config.char_n)
    signature = np.empty((len(texts), config.num_perm), dtype=np.uint32)
    for start in range(0, len(texts), batch_size):
        batch = shingler.shingle(texts[start : start + batch_size], langs[start : start + batch_size])
        signature[start : start + batch_size] = signatures(batch, config.num_perm, config.seed)
    pairs = candidate_pairs(signature, config.lsh_params())
    del signature
    needed = np.unique(pairs).tolist()
    sets: dict[int, npt.NDArray[np.uint64]] = {}
    for start in range(0, len(needed), batch_size):
        chunk = needed[start : start + batch_size]
        batch = shingler.shingle([texts[index] for index in chunk], [langs[index] for index in chunk])
        sets.update({index: np.unique(batch.of(row)) for row, index in enumerate(chunk)})
    confirmed = verified_pairs(pairs, sets, config.threshold)
    return NearDupResult(clusters(len(texts), confirmed), confirmed, len(pairs))


@dataclass
class NearDedup(FilterStep):
    """MinHash LSH near-duplicate removal with exact-Jaccard confirmation."""

    config: NearDedupConfig = field(default_factory=NearDedupConfig)
    name: str = "near_dedup"

    def __post_init__(self) -> None:
        self._stats: Counter[str] = Counter()

    def process(self, items: list[Item]) -> StepResult:
        texts = [item_text(item) for item in items]
        langs = [item.lang for item in items]
        found = find_near_duplicates(texts, langs, self.config)
        self._stats["candidate_pairs"] += found.candidates
        self._stats["confirmed_pairs"] += len(found.pairs)
        self._stats["clusters"] += len(found.clusters)
        shingler = Shingler(self.config.word_n, self.config.char_n)
        rejected: dict[int, str] = {}
        for members in found.clusters:
            keeper = min(members, key=lambda index: survivor_key(items[index]))
            keeper_set = np.unique(shingler.shingle([texts[keeper]], [langs[keeper]]).hashes)
            for index in members:
                if index == keeper:
                    continue
                own = np.unique(shingler.shingle([texts[index]], [langs[index]]).hashes)
                similarity = jaccard(own, keeper_set)
                rejected[index] = (
                    f"near-duplicate of {describe(items[keeper])} (Jaccard {similarity:.2f}; cluster of {len(members)})"
                )
        result = StepResult()
        for index, item in enumerate(items):
            if index in rejected:
                result.rejected.append(self.reject(item, "near_duplicate", rejected[index]))
            else:
                result.kept.append(item)
        return result

    def report_details(self) -> dict[str, Any]:
        params = self.config.lsh_params()
        return {
            "threshold": self.config.threshold,
            "num_perm": params.num_perm,
            "bands": params.bands,
            "rows": params.rows,
            **dict(self._stats),
        }
