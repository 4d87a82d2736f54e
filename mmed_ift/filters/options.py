"""The filter chain's options: which filters run and how, with defaults, help and ranges in one place.

Kept apart from the filters themselves so the command line can offer them without importing
numpy, polars or a language-ID model (``python -m mmed_ift --help`` stays fast).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from mmed_ift.options import OptionError, check_ranges, option
from mmed_ift.text.langdetect import BACKENDS, Backend

#: the Jaccard similarity at which two items are near-duplicates (``--dedup-threshold``)
DEFAULT_NEAR_THRESHOLD = 0.8


@dataclass
class FilterOptions:
    """Which filters run and how; the ``filters`` options of a build (``build --help``)."""

    pii: bool = option(True, flag="--no-pii", negate=True, help="do not scrub PII from patient-dialogue sources")
    langid: bool = option(True, flag="--no-langid", negate=True, help="skip the language-ID check")
    langid_backend: Backend = option("fasttext", flag="--langid-backend", choices=BACKENDS, help="language-ID model")
    quality: bool = option(
        True, flag="--no-quality", negate=True, help="keep link-list, flattened-table and boilerplate answers"
    )
    table_min_cells: int = option(
        6, flag="--table-min-cells", minimum=2, help="cells in a row that make an answer a flattened table"
    )
    normalize_questions: bool = option(
        True, flag="--no-question-rewrite", negate=True, help="keep QA questions as written upstream"
    )
    conflicts: bool = option(
        True, flag="--keep-conflicting", negate=True, help="keep every answer of a prompt that has several"
    )
    dedup: bool = option(True, flag="--no-dedup", negate=True, help="skip exact and near-duplicate removal")
    near_threshold: float = option(
        DEFAULT_NEAR_THRESHOLD, flag="--dedup-threshold", above=0.0, maximum=1.0, help="near-duplicate Jaccard"
    )
    num_perm: int = option(128, flag="--num-perm", minimum=2, maximum=1024, help="MinHash permutations")
    bands: int | None = option(None, flag="--bands", minimum=1, help="LSH bands (default: chosen from the threshold)")
    rows: int | None = option(None, flag="--rows", minimum=1, help="LSH rows per band (with --bands)")
    decontaminate: bool = option(
        True, flag="--no-decontam", negate=True, help="skip benchmark decontamination (not recommended)"
    )
    decontam_threshold: float = option(
        0.5,
        flag="--decontam-threshold",
        above=0.0,
        maximum=1.0,
        help="score (IDF-weighted shared text of two items) from which a training item repeats a benchmark item",
    )
    decontam_crosslingual: bool = option(
        False,
        flag="--decontam-crosslingual",
        help="also remove other-language (en/es/fr) versions of benchmark items of the same exam family"
        " (cognate matching; lower precision, see docs/decontamination.md)",
    )

    def __post_init__(self) -> None:
        check_ranges(self)
        if (self.bands is None) != (self.rows is None):
            raise OptionError("near-dedup settings: set both --bands and --rows, or neither")
        if self.bands is not None and self.rows is not None and self.bands * self.rows > self.num_perm:
            raise OptionError(
                f"near-dedup settings: --bands x --rows = {self.bands * self.rows} exceeds --num-perm {self.num_perm}"
            )

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FilterOptions:
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise OptionError(f"unknown filter options {unknown}; known: {sorted(known)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
