"""The build report of a distributed build, from per-row columns summed once at the end.

Workers cannot update the driver's :class:`~mmed_ift.report.BuildReport` (and a retried task
would count twice if they could).  Instead every row carries its own contribution (status, the
stage and reason that rejected it, the ``n_*`` columns of :mod:`mmed_ift.engine.row_steps`); one
``groupby().count()`` over those columns gives the table this module turns into exactly the
counts and details the local engine records step by step.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mmed_ift.engine.near import NearDecisions
from mmed_ift.filters.base import FilterStep
from mmed_ift.filters.decontam import Decontaminate
from mmed_ift.filters.dedup import ExactDedup, NearDedup
from mmed_ift.filters.langid import LanguageIDFilter
from mmed_ift.filters.pii import PIIScrub
from mmed_ift.report import BuildReport
from mmed_ift.schemas import Reject

#: the columns the final stats are grouped by
STAT_COLUMNS = ["source", "split", "lang", "status", "stage", "reason", "n_pii", "n_langid", "n_exact"]


@dataclass(frozen=True)
class FilteredReject:
    """A reject of the filter or generate stages, with what the report needs beside it."""

    seq: int
    reject: Reject
    decontam: list[str] | None


def record_training(report: BuildReport, stats: Sequence[dict[str, Any]]) -> None:
    """Per source and split: read, kept (survived the filters) and rejected by stage:reason."""
    for row in stats:
        counts = report.splits[(row["source"], row["split"])]
        counts.read += row["count()"]
        if row["status"] == "kept" or row["stage"] == "generate":
            counts.kept += row["count()"]
        else:
            counts.rejected[f"{row['stage']}:{row['reason']}"] += row["count()"]


def record_steps(
    report: BuildReport,
    steps: Sequence[FilterStep],
    stats: Sequence[dict[str, Any]],
    rejects: Sequence[FilteredReject],
    near: dict[str, NearDecisions],
) -> None:
    """The ``filters`` section and the ``generate`` step, as ``run_filters`` would fill them."""
    total = sum(row["count()"] for row in stats)
    by_stage: dict[str, Counter[str]] = defaultdict(Counter)
    for row in stats:
        if row["status"] == "rejected":
            by_stage[row["stage"]][row["reason"]] += row["count()"]
    seen = total
    for step in steps:
        counts = report.step(step.name)
        counts.seen += seen
        counts.rejected.update(by_stage[step.name])
        counts.kept += seen - sum(by_stage[step.name].values())
        counts.extra = step_details(step, stats, [r for r in rejects if r.reject.stage == step.name], near)
        seen = counts.kept
    generate = report.step("generate")
    generate.seen += seen
    generate.rejected.update(by_stage["generate"])
    generate.kept += seen - sum(by_stage["generate"].values())


def step_details(
    step: FilterStep,
    stats: Sequence[dict[str, Any]],
    rejects: Sequence[FilteredReject],
    near: dict[str, NearDecisions],
) -> dict[str, Any]:
    """``step.report_details()`` as the local engine would have it after processing the corpus."""
    if isinstance(step, PIIScrub):
        replaced: Counter[str] = Counter()
        changed = 0
        for row in stats:
            if row["n_pii"]:
                changed += row["count()"]
                for kind, count in json.loads(row["n_pii"]).items():
                    replaced[kind] += count * row["count()"]
        return {**step.report_details(), "replaced": dict(replaced), "items_changed": changed}
    if isinstance(step, LanguageIDFilter):
        checked: Counter[str] = Counter()
        short: Counter[str] = Counter()
        for row in stats:
            if row["n_langid"]:
                checked[row["lang"]] += row["count()"]
            if row["n_langid"] == "short":
                short[row["lang"]] += row["count()"]
        confusions = Counter(f"{r.reject.lang}->{r.reject.detail.split()[3]}" for r in rejects)
        return {**step.report_details(), "checked": dict(checked), "too_short_to_judge": dict(short),
                "rejected_as": dict(confusions)}  # fmt: skip
    if isinstance(step, ExactDedup):
        return {"duplicate_groups": sum(row["count()"] for row in stats if row["n_exact"])}
    if isinstance(step, NearDedup):
        found = near[step.name]
        params = step.config.lsh_params()
        return {"threshold": step.config.threshold, "num_perm": params.num_perm, "bands": params.bands,
                "rows": params.rows, "candidate_pairs": found.candidates, "confirmed_pairs": found.confirmed,
                "clusters": found.clusters}  # fmt: skip
    if isinstance(step, Decontaminate):
        removed: Counter[str] = Counter()
        examples: dict[str, list[str]] = defaultdict(list)
        for found_reject in sorted(rejects, key=lambda r: r.seq):
            assert found_reject.decontam is not None
            benchmark, example = found_reject.decontam
            removed[benchmark] += 1
            if len(examples[benchmark]) < 5:
                examples[benchmark].append(example)
        details = step.report_details()
        details["benchmarks"] = {name: {"items": size, "removed": removed[name]}
                                 for name, size in sorted(step.index.sizes.items())}  # fmt: skip
        details["examples"] = dict(examples)
        return details
    raise TypeError(f"no distributed form of filter step {type(step).__name__}")
