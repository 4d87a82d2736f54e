"""The default filter chain of a build and the command-line flags that tune it.

Order matters: PII is scrubbed first so that nothing downstream (dedup keys, rejects.jsonl)
holds personal details; language ID runs before dedup so a mislabelled record cannot be the
survivor of a cluster; exact dedup is cheap and shrinks the input of the MinHash step;
decontamination runs last, on what would otherwise be trained on.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, fields
from typing import Any

from mmed_ift.errors import BuildError
from mmed_ift.filters.base import FilterStep
from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.dedup import ExactDedup, NearDedup, NearDedupConfig
from mmed_ift.filters.langid import BACKENDS, Backend, LanguageIDFilter
from mmed_ift.filters.pii import PIIScrub
from mmed_ift.schemas import Item


@dataclass
class FilterOptions:
    pii: bool = True
    langid: bool = True
    langid_backend: Backend = "fasttext"
    dedup: bool = True
    near_threshold: float = 0.8
    num_perm: int = 128
    bands: int | None = None
    rows: int | None = None
    decontaminate: bool = True
    decontam_word_n: int = 13
    decontam_char_n: int = 30

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FilterOptions:
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise BuildError(f"unknown filter options {unknown}; known: {sorted(known)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_filter_chain(options: FilterOptions, held_out: list[Item]) -> list[FilterStep]:
    steps: list[FilterStep] = []
    if options.pii:
        steps.append(PIIScrub())
    if options.langid:
        steps.append(LanguageIDFilter(backend=options.langid_backend))
    if options.dedup:
        steps.append(ExactDedup())
        near = NearDedupConfig(
            threshold=options.near_threshold,
            lsh_threshold=max(0.05, options.near_threshold - 0.2),
            num_perm=options.num_perm,
            bands=options.bands,
            rows=options.rows,
        )
        try:
            near.lsh_params()
        except ValueError as error:
            raise BuildError(f"near-dedup settings: {error}") from None
        steps.append(NearDedup(near))
    if options.decontaminate:
        config = DecontamConfig(word_n=options.decontam_word_n, char_n=options.decontam_char_n)
        steps.append(Decontaminate(held_out, config))
    return steps


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--no-pii", action="store_true", help="do not scrub PII from patient-dialogue sources")
    group.add_argument("--no-langid", action="store_true", help="skip the language-ID check")
    group.add_argument(
        "--langid-backend", choices=BACKENDS, default="fasttext", help="language-ID model (default: %(default)s)"
    )
    group.add_argument("--no-dedup", action="store_true", help="skip exact and near-duplicate removal")
    group.add_argument(
        "--dedup-threshold",
        type=float,
        default=0.8,
        help="near-duplicate Jaccard (default: %(default)s)",
    )
    group.add_argument("--num-perm", type=int, default=128, help="MinHash permutations (default: %(default)s)")
    group.add_argument("--bands", type=int, default=None, help="LSH bands (default: chosen from the threshold)")
    group.add_argument("--rows", type=int, default=None, help="LSH rows per band (with --bands)")
    group.add_argument("--no-decontam", action="store_true", help="skip benchmark decontamination (not recommended)")


def filter_options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if not 0.0 < args.dedup_threshold <= 1.0:
        raise BuildError(f"--dedup-threshold must be in (0, 1], got {args.dedup_threshold}")
    options = FilterOptions(
        pii=not args.no_pii,
        langid=not args.no_langid,
        langid_backend=args.langid_backend,
        dedup=not args.no_dedup,
        near_threshold=args.dedup_threshold,
        num_perm=args.num_perm,
        bands=args.bands,
        rows=args.rows,
        decontaminate=not args.no_decontam,
    )
    return options.to_dict()
