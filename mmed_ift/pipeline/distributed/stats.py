"""The build report of a distributed build, from per-row columns summed once at the end.

Workers cannot update the driver's :class:`~mmed_ift.pipeline.report.BuildReport` (and a retried
task would count twice if they could).  Instead every row carries its own contribution: status,
the stage and reason that rejected it (one ``groupby().count()`` over those columns gives the
per-source counts), its rejection with evidence, and - on the first row of each filter batch -
the batch's filter statistics.  The driver merges them and records each step as the local engine
does (:func:`~mmed_ift.pipeline.stages.record_step`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mmed_ift.filters.base import Filter, FilterStats, Rejection
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.stages import record_step

#: the columns the final stats are grouped by
STAT_COLUMNS = ["source", "split", "lang", "status", "stage", "reason"]


@dataclass(frozen=True)
class FoundRejection:
    """A rejection of the filter or generate stages, with its global order."""

    seq: int
    rejection: Rejection


def record_training(report: BuildReport, stats: Sequence[dict[str, Any]]) -> None:
    """Per source and split: read, kept (survived the filters) and rejected by stage:reason."""
    for row in stats:
        counts = report.splits[(row["source"], row["split"])]
        counts.read += row["count()"]
        if row["status"] == "kept" or row["stage"] == "generate":
            counts.kept += row["count()"]
        else:
            counts.rejected[f"{row['stage']}:{row['reason']}"] += row["count()"]


def merge_stats(
    steps: Sequence[Filter[Any]], cells: Sequence[str], known: dict[str, FilterStats]
) -> dict[str, FilterStats]:
    """Each step's statistics: the per-batch cells (JSON ``{step: stats}``) merged, plus ``known``
    (statistics the driver computed itself, e.g. a similarity graph's)."""
    merged: dict[str, FilterStats] = {step.name: known.get(step.name) or step.new_stats() for step in steps}
    by_name = {step.name: step for step in steps}
    for cell in cells:
        for name, data in json.loads(cell).items():
            merged[name].merge(type(by_name[name].new_stats()).from_dict(data))
    return merged


def record_steps(
    report: BuildReport,
    steps: Sequence[Filter[Any]],
    stats: Sequence[dict[str, Any]],
    rejections: Sequence[FoundRejection],
    step_stats: dict[str, FilterStats],
) -> None:
    """The ``filters`` section and the ``generate`` step, as the local engine fills them."""
    seen = sum(row["count()"] for row in stats)
    for step in steps:
        own = [found.rejection for found in rejections if found.rejection.reject.stage == step.name]
        record_step(report, step, seen, step_stats[step.name], own)
        seen -= len(own)
    by_stage: dict[str, Counter[str]] = defaultdict(Counter)
    for row in stats:
        if row["status"] == "rejected":
            by_stage[row["stage"]][row["reason"]] += row["count()"]
    counts = report.step("generate")
    counts.seen += seen
    counts.rejected.update(by_stage["generate"])
    counts.kept += seen - sum(by_stage["generate"].values())
