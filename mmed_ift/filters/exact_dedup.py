"""Exact duplicate removal: items whose normalised text is the same (NFKC, case, whitespace,
punctuation; see :mod:`mmed_ift.text.normalize`), within and across sources.

Items of different kinds never match (an MC question and a QA pair are different samples).  One
member of each group survives (:func:`~mmed_ift.filters.base.survivor_key`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from mmed_ift.filters.base import (
    Evidence,
    FilterStats,
    KeyGroupFilter,
    Rejection,
    StepResult,
    describe,
    normalized_item_text,
    split_outcomes,
    survivor_key,
)
from mmed_ift.schemas import Item


@dataclass
class ExactStats(FilterStats):
    duplicate_groups: int = 0

    def merge(self, other: Any) -> None:
        self.duplicate_groups += other.duplicate_groups

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExactStats:
        return cls(**data)


@dataclass(frozen=True)
class ExactDuplicateEvidence(Evidence):
    kept: str  # the surviving item (source:source_id)


@dataclass
class ExactDedup(KeyGroupFilter[ExactStats]):
    """Drop items whose normalised text equals another's; the best-ranked one survives."""

    evidence_type: ClassVar[type[Evidence]] = ExactDuplicateEvidence

    name: str = "exact_dedup"

    def new_stats(self) -> ExactStats:
        return ExactStats()

    def group_key(self, item: Item) -> str:
        """The kind and a digest of the normalised text (built once per item and shared with the
        other steps inside :func:`~mmed_ift.filters.base.texts_once`)."""
        digest = hashlib.blake2b(normalized_item_text(item).encode("utf-8"), digest_size=16).hexdigest()
        return f"{item.kind}:{digest}"

    def process(self, items: list[Item]) -> StepResult:
        """:meth:`KeyGroupFilter.process` with the items grouped by (kind, normalised text)
        itself, in comprehensions: equal keys are equal digests (barring a 128-bit BLAKE2
        collision), and a digest, its hex and an f-string per item were most of the step's CPU
        apart from the normalisation.  A dict built from the reversed keys maps each key to its
        first position; the items elsewhere are the duplicates, grouped with that first one."""
        keys = list(zip([item.kind for item in items], [normalized_item_text(item) for item in items], strict=True))
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
        stats = self.new_stats()
        if len(first) == len(keys):
            return split_outcomes(items, {}, stats)
        groups: dict[int, list[tuple[int, Item]]] = {}
        for index, at in enumerate([first[key] for key in keys]):
            if at != index:
                groups.setdefault(at, [(at, items[at])]).append((index, items[index]))
        rejected: dict[int, Rejection] = {}
        for members in groups.values():
            rejected.update(self.resolve_group(members, stats))
        return split_outcomes(items, rejected, stats)

    def resolve_group(self, members: Sequence[tuple[int, Item]], stats: ExactStats) -> list[tuple[int, Rejection]]:
        stats.duplicate_groups += 1
        keeper_order, keeper = min(members, key=lambda member: (survivor_key(member[1]), member[0]))
        detail = f"same normalised text as {describe(keeper)}"
        evidence = ExactDuplicateEvidence(describe(keeper))
        return [
            (order, self.reject(item, "exact_duplicate", evidence, detail))
            for order, item in members
            if order != keeper_order
        ]
