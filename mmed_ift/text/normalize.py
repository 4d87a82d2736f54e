"""Text normalisation for duplicate detection.

Two records are the "same text" when they differ only in Unicode form (full-width digits,
compatibility characters), case, whitespace or punctuation: NFKC, casefold, punctuation and
symbols removed, whitespace collapsed.  Both the exact and the MinHash dedup start from this form.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import filterfalse


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
    three quarters of the whole normalisation.  An ASCII text takes CPython's cached ASCII path.
    Otherwise only the characters of the words that are not all letters can be punctuation or
    symbols (letters never are, whitespace never is): those words are picked out in C
    (``filterfalse(str.isalpha, ...)``, no Python call per word), and each punctuation or symbol
    character among them is replaced by a space in the whole text (``str.replace``), which is what
    the table does to it.  A text with none needs no second split.
    ``tests/text/test_normalize_fast_path.py`` checks the equality.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isascii():
        return " ".join(folded.translate(_TABLE).split())
    words = folded.split()
    marks = [char for char in set("".join(filterfalse(str.isalpha, words))) if _TABLE[ord(char)] == 0x20]
    if not marks:
        return " ".join(words)
    for char in marks:
        folded = folded.replace(char, " ")
    return " ".join(folded.split())


@contextmanager
def primed(texts: Sequence[str], normalized: Sequence[str]) -> Iterator[None]:
    """Within this block :func:`normalize_text` of ``texts[i]`` answers ``normalized[i]`` without
    normalising; the entries leave the memo with the block.  The caller vouches for the pairs:
    either ``normalized[i]`` is ``normalize_text(texts[i])``, or both are the same normal form,
    handed to code that normalises its input (then that code reads the very form it would have
    computed from the raw text, whether or not normalising a normal form changes it).

    A build keeps each item's normalised text (:func:`~mmed_ift.filters.base.normalized_item_text`)
    but neither its raw text nor a memo entry keyed by it (each a copy of every text of the corpus
    to the end of the filter chain, ~100 MB at 200k records); near dedup's shingler, which
    normalises what it is given, gets the normal forms primed this way for its call only."""
    memo = _MEMO.get()
    token = _MEMO.set({}) if memo is None else None
    current = _MEMO.get()
    assert current is not None
    # what the memo held for these texts before: put back as it was (a text primed with a value
    # other than its own normal form must not leave that value behind for later callers)
    before = {text: current.get(text) for text in dict.fromkeys(texts)}
    current.update(zip(texts, normalized, strict=True))
    try:
        yield
    finally:
        if token is not None:
            _MEMO.reset(token)
        else:
            for text, value in before.items():
                if value is None:
                    current.pop(text, None)
                else:
                    current[text] = value


def normalize_fresh(text: str) -> str:
    """:func:`normalize_text` without the memo: for a caller that keeps the result itself, so
    the memo need not hold the text and its normal form a second time."""
    return _normalize(text)


def normalize_text(text: str) -> str:
    """NFKC + casefold, punctuation/symbols dropped, whitespace collapsed to single spaces."""
    memo = _MEMO.get()
    if memo is None:
        return _normalize(text)
    found = memo.get(text)
    if found is None:
        found = memo[text] = _normalize(text)
    return found
