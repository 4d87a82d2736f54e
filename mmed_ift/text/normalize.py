"""Text normalisation for duplicate detection.

Two records are the "same text" when they differ only in Unicode form (full-width digits,
compatibility characters), case, whitespace or punctuation: NFKC, casefold, punctuation and
symbols removed, whitespace collapsed.  Both the exact and the MinHash dedup start from this form.
"""

from __future__ import annotations

import unicodedata


class _PunctuationToSpace(dict[int, int]):
    """``str.translate`` table filled on first sight of a code point: punctuation and symbols
    become spaces.  Lookups of known code points stay in C, which keeps this fast on big corpora."""

    def __missing__(self, code: int) -> int:
        mapped = 0x20 if unicodedata.category(chr(code))[0] in "PS" else code
        self[code] = mapped
        return mapped


_TABLE = _PunctuationToSpace()


def normalize_text(text: str) -> str:
    """NFKC + casefold, punctuation/symbols dropped, whitespace collapsed to single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.translate(_TABLE).split())
