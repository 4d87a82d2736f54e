"""Text normalisation for duplicate detection.

Two records are the "same text" when they differ only in Unicode form (full-width digits,
compatibility characters), case, whitespace or punctuation: NFKC, casefold, punctuation and
symbols removed, whitespace collapsed.  Both the exact and the MinHash dedup start from this form.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class _PunctuationToSpace(dict[int, int]):
    """``str.translate`` table filled on first sight of a code point: punctuation and symbols
    become spaces.  Lookups of known code points stay in C, which keeps this fast on big corpora."""

    def __missing__(self, code: int) -> int:
        mapped = 0x20 if unicodedata.category(chr(code))[0] in "PS" else code
        self[code] = mapped
        return mapped


_TABLE = _PunctuationToSpace()


#: the texts normalised so far in the enclosing :func:`normalized_once` block (None outside one)
_MEMO: ContextVar[dict[str, str] | None] = ContextVar("normalized_once", default=None)


@contextmanager
def normalized_once() -> Iterator[None]:
    """Within this block each distinct text is normalised once, whichever step asks.

    A build's filters all start from the normalised text of the same records (exact-dedup keys,
    near-dedup and decontamination shingles, ...); the local engine runs its chain inside this
    block so the work is not repeated per step.  The memo lives only as long as the block.
    """
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _normalize(text: str) -> str:
    """The one definition, ``" ".join(folded.translate(_TABLE).split())``, computed the cheap way.

    ``str.translate`` with a mapping costs a dict lookup per character once a text has a
    non-ASCII character (French accents, Cyrillic, CJK): about 60 µs for a 700-character text,
    three quarters of the whole normalisation.  Letters are never punctuation or symbols, so a
    text whose words are all letters needs no table; an ASCII text takes CPython's cached ASCII
    path; otherwise only the words that are not all letters go through the table.  Whitespace is
    never mapped, so translating word by word and re-splitting gives the same words as
    translating the whole text (``tests/text/test_normalize_fast_path.py`` checks the equality).
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = folded.split()
    if "".join(words).isalpha():
        return " ".join(words)
    if folded.isascii():
        return " ".join(folded.translate(_TABLE).split())
    return " ".join(" ".join([word if word.isalpha() else word.translate(_TABLE) for word in words]).split())


def normalize_text(text: str) -> str:
    """NFKC + casefold, punctuation/symbols dropped, whitespace collapsed to single spaces."""
    memo = _MEMO.get()
    if memo is None:
        return _normalize(text)
    found = memo.get(text)
    if found is None:
        found = memo[text] = _normalize(text)
    return found
