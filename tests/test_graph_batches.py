"""Near dedup's outcome does not depend on how many items its phases take at a time."""

from __future__ import annotations

from unittest import mock

from mmed_ift.filters.near_dedup import NearDedup
from mmed_ift.schemas import Item, QAPair

_STEM = "A 45-year-old woman presents with fatigue, weight gain, cold intolerance and dry skin for months"


def _items() -> list[Item]:
    items: list[Item] = []
    for index in range(12):
        variant = _STEM if index % 3 else _STEM.replace("months", "several months now")
        question, answer = f"{variant} ({index % 4})?", f"Hypothyroidism, case {index % 2}."
        items.append(QAPair(source="medquad", source_id=f"q{index}", lang="en", split="train",
                            question=question, answer=answer))  # fmt: skip
    return items


def test_batches_change_no_outcome() -> None:
    whole = NearDedup().process(_items())
    assert whole.rejections  # the corpus has near-duplicates, spread over every batch below
    for size in (1, 5, 7):
        with mock.patch.object(NearDedup, "batch_size", size):
            batched = NearDedup().process(_items())
        assert [item.source_id for item in batched.kept] == [item.source_id for item in whole.kept]
        assert [r.reject for r in batched.rejections] == [r.reject for r in whole.rejections]
        assert batched.stats == whole.stats
