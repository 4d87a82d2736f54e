"""mmed_ift: build open multilingual medical instruction-tuning datasets (MMed-IFT, MMed-IFT-MC).

The public API is small on purpose: :func:`build` runs the whole pipeline and returns a
:class:`BuildResult` whose :meth:`~BuildResult.load` gives the datasets; the schemas describe
every record; :mod:`mmed_ift.sources` holds the upstream adapters.  Every name loads on first
use, so ``import mmed_ift`` (and ``python -m mmed_ift --help``) stays fast.

>>> import mmed_ift
>>> result = mmed_ift.build(languages="ja", out="mmed_ift_out")      # doctest: +SKIP
>>> result.load("MMed-IFT-MC", "ja")["train"][0]["messages"]           # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mmed_ift.lazy import lazy_getattr

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mmed_ift.api import build
    from mmed_ift.languages import LANGUAGE_CODES, LANGUAGES, Language, get_language
    from mmed_ift.pipeline.config import BuildConfig
    from mmed_ift.pipeline.report import BuildResult
    from mmed_ift.schemas import MCQuestion, Message, Passage, Provenance, QAPair, Reject, Sample

_WHERE = {
    "build": "mmed_ift.api",
    "BuildConfig": "mmed_ift.pipeline.config",
    "BuildResult": "mmed_ift.pipeline.report",
    "LANGUAGES": "mmed_ift.languages",
    "LANGUAGE_CODES": "mmed_ift.languages",
    "Language": "mmed_ift.languages",
    "get_language": "mmed_ift.languages",
    "MCQuestion": "mmed_ift.schemas",
    "Message": "mmed_ift.schemas",
    "Passage": "mmed_ift.schemas",
    "Provenance": "mmed_ift.schemas",
    "QAPair": "mmed_ift.schemas",
    "Reject": "mmed_ift.schemas",
    "Sample": "mmed_ift.schemas",
}


__getattr__ = lazy_getattr("mmed_ift", _WHERE)


__all__ = [
    "LANGUAGES",
    "LANGUAGE_CODES",
    "BuildConfig",
    "BuildResult",
    "Language",
    "MCQuestion",
    "Message",
    "Passage",
    "Provenance",
    "QAPair",
    "Reject",
    "Sample",
    "__version__",
    "build",
    "get_language",
]
