"""mmed_ift: build open multilingual medical instruction-tuning datasets (MMed-IFT, MMed-IFT-MC).

The public API is small on purpose: :func:`build` runs the whole offline pipeline, the schemas
describe every record, and :mod:`mmed_ift.sources` holds the upstream adapters.
"""

from __future__ import annotations

from typing import Any

from mmed_ift.languages import LANGUAGE_CODES, LANGUAGES, Language, get_language
from mmed_ift.schemas import MCQuestion, Message, Passage, Provenance, QAPair, Reject, Sample

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``mmed_ift.build`` / ``mmed_ift.BuildConfig`` without importing ``datasets`` at import time."""
    if name in {"build", "BuildConfig", "BuildResult"}:
        import mmed_ift.pipeline as orchestration

        return getattr(orchestration, name)
    raise AttributeError(f"module 'mmed_ift' has no attribute {name!r}")


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
