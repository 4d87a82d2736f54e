"""Applying a :class:`CompositionPolicy` to a build's samples, and what it leaves to the LLM.

Only training rows are composed; validation and test splits are benchmarks and stay whole.
Rows a policy does not select are not rejects (nothing is wrong with them): they are counted per
group in the build report's ``composition`` section (available vs selected), and the policy that
made the choice is recorded beside them, so a release can be redone or explained.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.compose.select import copies, copies_per_row
from mmed_ift.compose.targets import Allocation, GroupKey, allocate, round_to
from mmed_ift.schemas import Sample

#: dataset → language → split → samples, as the build groups them
Grouped = Mapping[str, Mapping[str, Mapping[str, Sequence[Sample]]]]
TRAIN = "train"


@dataclass
class Gap:
    """Rows the LLM must write for one language, dataset and task, and from which language."""

    lang: str
    dataset: str
    task: str
    rows: int
    from_lang: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "dataset": self.dataset,
            "task": self.task,
            "rows": self.rows,
            "generate": f"translate from {self.from_lang}" if self.from_lang else "no source rows to translate",
        }


@dataclass
class Composition:
    """What a policy made of a build: per group available and selected, per language shortfall."""

    policy: CompositionPolicy
    groups: dict[GroupKey, Allocation] = field(default_factory=dict)
    shortfall: dict[str, int] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def selected(self) -> int:
        return sum(allocation.selected for allocation in self.groups.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy.to_dict(),
            "target_size": self.policy.target_size,
            "selected": self.selected,
            "shortfall_by_language": dict(sorted(self.shortfall.items())),
            "groups": [
                {
                    "dataset": key[0],
                    "lang": key[1],
                    "source": key[2],
                    "task": key[3],
                    "available": allocation.available,
                    "selected": allocation.selected,
                    "repeats": allocation.repeats,
                }
                for key, allocation in sorted(self.groups.items())
            ],
            "llm_must_write": [gap.to_dict() for gap in self.gaps],
        }


def group_key(sample: Sample) -> GroupKey:
    return (sample.dataset, sample.lang, sample.provenance.source, sample.task)


def available_rows(grouped: Grouped) -> dict[GroupKey, int]:
    counts: dict[GroupKey, int] = defaultdict(int)
    for by_lang in grouped.values():
        for by_split in by_lang.values():
            for sample in by_split.get(TRAIN, ()):
                counts[group_key(sample)] += 1
    return dict(counts)


def plan_composition(
    available: Mapping[GroupKey, int], languages: Sequence[str], policy: CompositionPolicy
) -> Composition:
    """The numbers of a composition, from group counts alone (what ``--plan`` shows)."""
    groups, shortfall = allocate(available, languages, policy)
    return Composition(policy, groups, shortfall, gaps(available, shortfall))


def gaps(available: Mapping[GroupKey, int], shortfall: Mapping[str, int]) -> list[Gap]:
    """Each language's shortfall split over (dataset, task) as the whole build's rows are, to be
    translated from the language with the most rows of that dataset and task."""
    by_task: dict[tuple[str, str], int] = defaultdict(int)
    by_task_lang: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (dataset, lang, _, task), count in available.items():
        by_task[(dataset, task)] += count
        by_task_lang[(dataset, task)][lang] += count
    total = sum(by_task.values())
    found: list[Gap] = []
    for lang, missing in sorted(shortfall.items()):
        if missing <= 0 or total == 0:
            continue
        parts = round_to(missing, {f"{d}|{t}": missing * count / total for (d, t), count in by_task.items()})
        for name, rows in sorted(parts.items()):
            if rows <= 0:
                continue
            dataset, task = name.split("|", 1)
            origins = {other: n for other, n in by_task_lang[(dataset, task)].items() if other != lang and n > 0}
            origin = max(sorted(origins), key=lambda other: origins[other]) if origins else None
            found.append(Gap(lang, dataset, task, rows, origin))
    return found


def compose(
    grouped: Grouped, languages: Sequence[str], policy: CompositionPolicy
) -> tuple[dict[str, dict[str, dict[str, list[Sample]]]], Composition]:
    """The build's samples with each group's training rows cut or repeated to its allocation."""
    composition = plan_composition(available_rows(grouped), languages, policy)
    members: dict[GroupKey, list[Sample]] = defaultdict(list)
    for by_lang in grouped.values():
        for by_split in by_lang.values():
            for sample in by_split.get(TRAIN, ()):
                members[group_key(sample)].append(sample)
    times: dict[int, int] = {}
    for key, group in members.items():
        allocation = composition.groups.get(key)
        counts = copies_per_row([sample.id for sample in group], allocation.selected if allocation else 0, policy.seed)
        times.update((id(sample), count) for sample, count in zip(group, counts, strict=True))
    composed: dict[str, dict[str, dict[str, list[Sample]]]] = {}
    for dataset, by_lang in grouped.items():
        for lang, by_split in by_lang.items():
            for split, samples in by_split.items():
                kept = (
                    [copy for sample in samples for copy in copies(sample, times.get(id(sample), 0))]
                    if split == TRAIN
                    else list(samples)
                )
                composed.setdefault(dataset, {}).setdefault(lang, {})[split] = kept
    return composed, composition
