"""``run_filters(..., consume=True)`` (the local build's call) lets go of a step's rejected items
during the chain, with the same outcome as the call that leaves the caller's list alone."""

from __future__ import annotations

import gc
import weakref

from mmed_ift.filters.base import StepResult
from mmed_ift.filters.exact_dedup import ExactDedup
from mmed_ift.pipeline import stages
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item
from tests.chain_items import two_duplicates_and_one


class _Watch(dict):  # type: ignore[type-arg]
    """Dies with the item it is put in (the models take no weak references)."""


def test_consumed_input_is_emptied_and_the_outcome_is_the_same() -> None:
    expected = stages.run_filters([ExactDedup(), ExactDedup()], two_duplicates_and_one(), BuildReport(), progress=False)
    given = two_duplicates_and_one()
    got = stages.run_filters([ExactDedup(), ExactDedup()], given, BuildReport(), progress=False, consume=True)
    assert got == expected and given == []
    kept = two_duplicates_and_one()
    stages.run_filters([ExactDedup()], kept, BuildReport(), progress=False)
    assert len(kept) == 3  # without consume the caller's list is left alone


def test_a_rejected_item_is_let_go_of_before_the_next_step() -> None:
    items = two_duplicates_and_one()
    watch = _Watch()
    duplicate = min(items[:2], key=lambda item: item.source_id == "a")  # the one exact dedup rejects
    object.__setattr__(duplicate, "__pydantic_private__", watch)
    gone = weakref.ref(watch)
    del watch, duplicate
    alive: list[bool] = []

    class Probe(ExactDedup):
        def process(self, batch: list[Item]) -> StepResult:
            gc.collect()
            alive.append(gone() is not None)
            return super().process(batch)

    kept, rejects = stages.run_filters([ExactDedup(), Probe()], items, BuildReport(), progress=False, consume=True)
    assert len(kept) == 2 and len(rejects) == 1 and alive == [False]


def test_a_step_that_returns_its_input_list_keeps_it() -> None:
    class Identity(ExactDedup):
        def process(self, batch: list[Item]) -> StepResult:
            return StepResult(kept=batch, stats=self.new_stats())

    given = two_duplicates_and_one()
    kept, _ = stages.run_filters([Identity(), ExactDedup()], given, BuildReport(), progress=False, consume=True)
    assert len(kept) == 2
