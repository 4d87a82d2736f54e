"""The filter chain hands freed heap pages back after every step, once the step's result is let go of."""

from __future__ import annotations

import weakref
from unittest import mock

from mmed_ift.filters.base import StepResult
from mmed_ift.filters.exact_dedup import ExactDedup
from mmed_ift.pipeline import stages
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item
from tests.chain_items import two_duplicates_and_one


def test_memory_is_released_after_each_step_once_its_result_is_gone() -> None:
    events: list[str] = []
    results: list[weakref.ref[StepResult]] = []

    class Step(ExactDedup):
        def process(self, items: list[Item]) -> StepResult:
            result = super().process(items)
            events.append("step")
            results.append(weakref.ref(result))
            return result

    def release() -> bool:
        events.append("release" if results[-1]() is None else "release-with-result-alive")
        return True

    with mock.patch.object(stages, "release_free_memory", side_effect=release):
        kept, rejects = stages.run_filters([Step(), Step()], two_duplicates_and_one(), BuildReport(), progress=False)
    assert events == ["step", "release", "step", "release"]
    assert len(kept) == 2 and len(rejects) == 1  # the outcome is unchanged


def test_same_outcome_as_without_release() -> None:
    with mock.patch.object(stages, "release_free_memory", return_value=False):
        expected = stages.run_filters([ExactDedup()], two_duplicates_and_one(), BuildReport(), progress=False)
    assert stages.run_filters([ExactDedup()], two_duplicates_and_one(), BuildReport(), progress=False) == expected
