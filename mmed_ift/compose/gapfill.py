"""Which training rows the LLM translates to fill a composition's gaps (:attr:`Composition.gaps`).

A gap is "``rows`` more rows of (dataset, task) in ``lang``, translated from ``from_lang``".  Its
sources are that dataset and task's training rows in ``from_lang`` as the build holds them before
the composition cuts them: rows of items that passed every filter, decontamination included, so a
translation of a benchmark item is never made.  They are ranked by a hash of (policy seed, target
language, row id), as :mod:`mmed_ift.compose.select` ranks rows, so the choice is deterministic and
independent of reading order, and ``--plan`` chooses exactly the rows the build will translate.
When the origin language has too few rows, the other languages' rows of that dataset and task
follow (most rows first), ranked the same way.

An item and its translations are one family (same ``provenance.source`` and ``source_id``; the
translation names its origin row in ``provenance.derived_from``).  A language never receives two
rows of one family from gap-filling, nor a translation of a family it already holds: two
translations of one item in one language would be duplicates.  A gap with fewer such sources than
rows is filled as far as they go; the rest is reported as unfilled, as is whatever the model
fails to write.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mmed_ift.compose.apply import TRAIN, Gap, Grouped
from mmed_ift.compose.select import rank
from mmed_ift.schemas import Sample

#: (language, source, source_id): a family's presence in one language
Family = tuple[str, str, str]


@dataclass
class GapChoice:
    """One gap and the source rows chosen to fill it (at most ``gap.rows``)."""

    gap: Gap
    sources: list[Sample] = field(default_factory=list)

    @property
    def unsourced(self) -> int:
        """Rows of the gap no distinct source row is left for."""
        return self.gap.rows - len(self.sources)


def family(lang: str, sample: Sample) -> Family:
    return (lang, sample.provenance.source, sample.provenance.source_id)


def choose_sources(grouped: Grouped, gaps: Sequence[Gap], seed: int) -> list[GapChoice]:
    """The source rows of every gap, in gap order; no family twice in a language."""
    pools: dict[tuple[str, str, str], list[Sample]] = defaultdict(list)
    present: set[Family] = set()
    for dataset, by_lang in grouped.items():
        for lang, by_split in by_lang.items():
            for sample in by_split.get(TRAIN, ()):
                present.add(family(lang, sample))
                if sample.provenance.derived_from is None:  # translate originals, not translations
                    pools[(dataset, lang, sample.task)].append(sample)
    choices: list[GapChoice] = []
    for gap in gaps:
        choice = GapChoice(gap)
        choices.append(choice)
        if gap.from_lang is None:
            continue
        for origin in _origins(pools, gap):
            pool = pools[(gap.dataset, origin, gap.task)]
            for sample in sorted(pool, key=lambda row: rank(seed, f"{gap.lang}:{row.id}")):
                if len(choice.sources) == gap.rows:
                    break
                key = family(gap.lang, sample)
                if key in present:
                    continue
                present.add(key)
                choice.sources.append(sample)
    return choices


def _origins(pools: Mapping[tuple[str, str, str], list[Sample]], gap: Gap) -> list[str]:
    """The gap's origin language first, then the other languages with rows of its dataset and
    task, most rows first (when the origin runs out of items the target does not hold yet)."""
    others = {
        lang: len(rows)
        for (dataset, lang, task), rows in pools.items()
        if dataset == gap.dataset and task == gap.task and lang not in (gap.lang, gap.from_lang) and rows
    }
    fallback = sorted(others, key=lambda lang: (-others[lang], lang))
    first = gap.from_lang
    return ([first] if first is not None and (gap.dataset, first, gap.task) in pools else []) + fallback


def origin_languages(choice: GapChoice) -> dict[str, int]:
    """How many of a gap's rows are translated from each language."""
    return dict(sorted(Counter(sample.lang for sample in choice.sources).items()))


def translation_pairs(choices: Iterable[GapChoice]) -> list[tuple[Sample, str]]:
    """``(source row, target language)`` for the generator's translate task."""
    return [(sample, choice.gap.lang) for choice in choices for sample in choice.sources]


def fill_report(choices: Sequence[GapChoice], written: Mapping[str, int], reasons: Counter[str]) -> dict[str, Any]:
    """The ``composition.gap_fill`` section: per language, rows the policy needs written, the
    translations requested, those written, and the shortfall left (``unfilled``)."""
    per_language: dict[str, dict[str, int]] = {}
    for choice in choices:
        info = per_language.setdefault(choice.gap.lang, {"must_write": 0, "requested": 0, "no_source_rows": 0})
        info["must_write"] += choice.gap.rows
        info["requested"] += len(choice.sources)
        info["no_source_rows"] += choice.unsourced
    for lang, info in per_language.items():
        info["written"] = int(written.get(lang, 0))
        info["unfilled"] = info["must_write"] - info["written"]
    return {
        "languages": dict(sorted(per_language.items())),
        "written": sum(info["written"] for info in per_language.values()),
        "unfilled": sum(info["unfilled"] for info in per_language.values()),
        "rejected_by_reason": dict(sorted(reasons.items())),
    }
