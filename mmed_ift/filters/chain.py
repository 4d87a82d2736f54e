"""The filter chain of a build: its typed options and the registration of every filter, in order.

Order matters: PII is scrubbed first so that nothing downstream (dedup keys, rejects.jsonl)
holds personal details; language ID runs before dedup so a mislabelled record cannot be the
survivor of a cluster; the quality step runs after language ID (its question rewrites are
English-only and trust the language) and before dedup, so a link-list or table answer cannot be the
survivor of a duplicate group; conflicting prompts are resolved after exact dedup (identical
answers are duplicates, counted as such) and before near dedup, so one answer per prompt enters
the MinHash step; exact dedup is cheap and shrinks the input of the MinHash step;
decontamination runs last, on what would otherwise be trained on.

Adding a filter: write its module (one of the shapes in :mod:`mmed_ift.filters.base`), add its
options to :class:`~mmed_ift.filters.options.FilterOptions` and one :class:`Registration` to
:data:`REGISTRY`.  Both engines
run it from there; the command line offers its options from their declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mmed_ift.filters.base import Filter
from mmed_ift.filters.conflicts import ConflictingPrompts
from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.exact_dedup import ExactDedup
from mmed_ift.filters.langid import LanguageIDFilter
from mmed_ift.filters.near_dedup import NearDedup, NearDedupConfig, lsh_threshold_for
from mmed_ift.filters.options import FilterOptions
from mmed_ift.filters.pii import PIIScrub
from mmed_ift.filters.quality import QualityFilter
from mmed_ift.schemas import Item

__all__ = ["REGISTRY", "FilterContext", "FilterOptions", "Registration", "build_filter_chain", "near_config"]


@dataclass(frozen=True)
class FilterContext:
    """What the build knows that filters need: the held-out benchmark items (decontamination),
    the sources whose records are patient dialogue (PII), and the training items of releases
    published in several languages (HEAD-QA es + en): decontamination removes every language
    version of an item whose own text repeats a benchmark item, and the cross-lingual check learns
    its word lexicon from them (empty: neither; the cross-lingual check compares cognate words only)."""

    held_out: Sequence[Item] = ()
    patient_dialogue_sources: frozenset[str] | None = None
    parallel: Sequence[Item] = ()


@dataclass(frozen=True)
class Registration:
    """One filter of the chain: its name and how options + context make it (None: switched off)."""

    name: str
    make: Callable[[FilterOptions, FilterContext], Filter[Any] | None]


REGISTRY: tuple[Registration, ...] = (
    Registration("pii", lambda o, c: PIIScrub(sources=c.patient_dialogue_sources) if o.pii else None),
    Registration("langid", lambda o, c: LanguageIDFilter(backend=o.langid_backend) if o.langid else None),
    Registration(
        "quality",
        lambda o, c: (
            QualityFilter(
                check_answers=o.quality, table_min_cells=o.table_min_cells, normalize_questions=o.normalize_questions
            )
            if o.quality or o.normalize_questions
            else None
        ),
    ),
    Registration("exact_dedup", lambda o, c: ExactDedup() if o.dedup else None),
    Registration("conflicts", lambda o, c: ConflictingPrompts() if o.conflicts else None),
    Registration("near_dedup", lambda o, c: NearDedup(near_config(o)) if o.dedup else None),
    Registration(
        "decontam",
        lambda o, c: (
            Decontaminate(
                c.held_out,
                DecontamConfig(threshold=o.decontam_threshold, crosslingual=o.decontam_crosslingual),
                parallel_items=c.parallel,
            )
            if o.decontaminate
            else None
        ),
    ),
)


def near_config(options: FilterOptions) -> NearDedupConfig:
    """The near-dedup settings of ``options`` (LSH tuned below the threshold for recall)."""
    return NearDedupConfig(
        threshold=options.near_threshold,
        lsh_threshold=lsh_threshold_for(options.near_threshold),
        num_perm=options.num_perm,
        bands=options.bands,
        rows=options.rows,
    )


def build_filter_chain(options: FilterOptions, context: FilterContext) -> list[Filter[Any]]:
    """The filters ``options`` switch on, in chain order."""
    made = (registration.make(options, context) for registration in REGISTRY)
    return [step for step in made if step is not None]
