"""mmed_ift: build open multilingual medical instruction-tuning datasets (MMed-IFT, MMed-IFT-MC).

The public API is small on purpose: :func:`build` runs the whole offline pipeline, the schemas
describe every record, and :mod:`mmed_ift.sources` holds the upstream adapters.
"""

from __future__ import annotations

from mmed_ift.languages import LANGUAGE_CODES, LANGUAGES, Language, get_language
from mmed_ift.schemas import MCQuestion, Message, Passage, Provenance, QAPair, Reject, Sample

__version__ = "0.1.0"

__all__ = [
    "LANGUAGES",
    "LANGUAGE_CODES",
    "Language",
    "MCQuestion",
    "Message",
    "Passage",
    "Provenance",
    "QAPair",
    "Reject",
    "Sample",
    "__version__",
    "get_language",
]
