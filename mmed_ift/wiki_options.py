"""The options of the Wikipedia reader: how medical articles are chosen and cut into passages.

Kept apart from :mod:`mmed_ift.sources` (which imports every adapter, pyarrow included) so that
:class:`~mmed_ift.pipeline.config.BuildConfig` and the command line's ``--help`` stay light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmed_ift.options import check_ranges, option


@dataclass
class WikiOptions:
    """How Wikipedia articles are chosen and cut into passages."""

    domain_model: str | None = option(
        None,
        flag="--domain-model",
        metavar="PATH",
        help="medical-article classifier to use instead of training one per language: a fastText model"
        " (.bin/.ftz, label __label__medical) or a saved .npz",
    )
    domain_threshold: float = option(
        0.8,
        flag="--domain-threshold",
        metavar="P",
        minimum=0.0,
        maximum=1.0,
        help="select a Wikipedia article when the classifier's P(medical) is at least this",
    )
    section_max_chars: int = option(
        1500,
        flag="--section-max-chars",
        metavar="CHARS",
        minimum=200,
        help="longest Wikipedia passage (a section, or a piece of a longer one), in characters",
    )
    negatives_per_language: int = option(
        1000, minimum=10, help="articles sampled from the dump as negatives, per language"
    )
    #: (source name, folder) of the build's other sources, read for positives (set by the build)
    positive_sources: tuple[tuple[str, str], ...] = ()
    #: the build's languages (set by the build): articles in others are only counted
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.positive_sources = tuple((str(name), str(folder)) for name, folder in self.positive_sources)
        self.languages = tuple(self.languages)
        check_ranges(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WikiOptions:
        return cls(**data)
