"""How many rows each language, and each (dataset, source, task) group within it, gets.

Language shares follow the balance policy: natural (``n_l``), equal, or temperature sampling
(``n_l ** T``, as multilingual pre-training mixes do: T = 0.3 lifts small languages without drowning the
large ones), then each share is held within its min/max by water-filling (a share pinned at a bound
is fixed, the rest is re-spread over the others in proportion). Within a language, rows go to
groups in proportion to ``weight(source) x available``, each capped at ``max_repeats x available``
(a source weighted 0 gives none); what no group can give is the language's *shortfall*, which the
LLM generator must write (:func:`gaps`). Counts are integers that sum exactly to the targets
(largest-remainder rounding), so a plan and the build that follows it agree row for row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.errors import BuildError

#: (dataset, language, source, task)
GroupKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class Allocation:
    """One group's numbers: rows available, rows selected (repeats included), copies at most."""

    available: int
    selected: int

    @property
    def repeats(self) -> int:
        return self.selected - min(self.selected, self.available)


def _spread(
    total: float, weights: Mapping[str, float], low: Mapping[str, float], high: Mapping[str, float]
) -> dict[str, float]:
    """``total`` split in proportion to ``weights``, each part within [low, high] (water-filling)."""
    fixed: dict[str, float] = {}
    while True:
        free = [name for name in weights if name not in fixed]
        left = total - sum(fixed.values())
        weight = sum(weights[name] for name in free)
        parts = (
            {name: (left * weights[name] / weight if weight > 0 else left / len(free)) for name in free} if free else {}
        )
        breaking = {name: low[name] for name, part in parts.items() if part < low[name] - 1e-12}
        if not breaking:
            breaking = {name: high[name] for name, part in parts.items() if part > high[name] + 1e-12}
        if not breaking:
            return {**fixed, **parts}
        fixed.update(breaking)


def round_to(total: int, parts: Mapping[str, float]) -> dict[str, int]:
    """Integers summing to ``total`` (largest remainders; ties by name, so deterministic)."""
    floors = {name: math.floor(value) for name, value in parts.items()}
    left = total - sum(floors.values())
    order = sorted(parts, key=lambda name: (-(parts[name] - floors[name]), name))
    for name in order[: max(0, left)]:
        floors[name] += 1
    return floors


def language_targets(
    available: Mapping[str, int], languages: Sequence[str], policy: CompositionPolicy
) -> dict[str, int]:
    """Rows per language out of ``policy.target_size``."""
    temperature = policy.temperature
    weights = {lang: (available.get(lang, 0) ** temperature if available.get(lang, 0) else 0.0) for lang in languages}
    if temperature == 0.0:
        weights = dict.fromkeys(languages, 1.0)
    low = {lang: policy.bounds(lang)[0] for lang in languages}
    high = {lang: policy.bounds(lang)[1] for lang in languages}
    if sum(low.values()) > 1.0 + 1e-9:
        raise BuildError(f"composition: the languages' minimum shares add up to {sum(low.values()):.2f} > 1")
    shares = _spread(1.0, weights, low, high)
    return round_to(policy.target_size, {lang: share * policy.target_size for lang, share in shares.items()})


def allocate(
    available: Mapping[GroupKey, int], languages: Sequence[str], policy: CompositionPolicy
) -> tuple[dict[GroupKey, Allocation], dict[str, int]]:
    """Rows selected per group, and each language's shortfall (rows the LLM must write)."""
    per_language: dict[str, int] = {}
    for (_, lang, _, _), count in available.items():
        per_language[lang] = per_language.get(lang, 0) + count
    targets = language_targets(per_language, languages, policy)
    allocations: dict[GroupKey, Allocation] = {}
    shortfall: dict[str, int] = {}
    for lang in languages:
        groups = sorted(key for key in available if key[1] == lang and available[key] > 0)
        # a source weighted 0 gives no rows (it still counts as available in the report)
        usable = [key for key in groups if policy.weight(key[2]) > 0]
        capacity = sum(available[key] * policy.max_repeats for key in usable)
        target = targets[lang]
        shortfall[lang] = max(0, target - capacity)
        for key in groups:
            allocations[key] = Allocation(available[key], 0)
        if not usable:
            continue
        names = {"|".join(key): key for key in usable}
        spread = _spread(
            float(min(target, capacity)),
            {name: policy.weight(key[2]) * available[key] for name, key in names.items()},
            dict.fromkeys(names, 0.0),
            {name: float(available[key] * policy.max_repeats) for name, key in names.items()},
        )
        counts = round_to(min(target, capacity), spread)
        for name, key in names.items():
            allocations[key] = Allocation(available[key], min(counts[name], available[key] * policy.max_repeats))
    return allocations, shortfall
