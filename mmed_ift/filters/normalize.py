"""Text normalisation for duplicate detection.

Two records are the "same text" when they differ only in Unicode form (full-width digits,
compatibility characters), case, whitespace or punctuation: NFKC, casefold, punctuation and
symbols removed, whitespace collapsed.  Both the exact and the MinHash dedup start from this form.
"""

from __future__ import annotations

import unicodedata


def _is_punctuation_or_symbol(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


_TABLE: dict[int, int | None] = {}


def normalize_text(text: str) -> str:
    """NFKC + casefold, punctuation/symbols dropped, whitespace collapsed to single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = []
    for char in folded:
        code = ord(char)
        mapped = _TABLE.get(code, -1)
        if mapped == -1:
            mapped = None if _is_punctuation_or_symbol(char) else code
            _TABLE[code] = mapped
        kept.append(" " if mapped is None else char)
    return " ".join("".join(kept).split())
