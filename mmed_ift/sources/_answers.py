"""Answer-key parsing shared by the Chinese exam adapters (CMExam, CMB), and option keys as the
schema's own strings.

Both datasets write a multi-answer key as concatenated letters (``"ACE"``); some rows add
separators (``"A,C"``, ``"A、C"``) or spaces.  The leading underscore keeps this module out of the
adapter auto-import: it registers nothing.
"""

from __future__ import annotations

import re

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import OPTION_KEY_STRINGS, OPTION_KEYS

_SEPARATORS = re.compile(r"[\s,，、;；/]+")
#: an option key as upstream writes it (either case) -> the schema's own letter string
_LETTERS: dict[str, str] = {**{key.lower(): key for key in OPTION_KEYS}, **OPTION_KEY_STRINGS}


def option_letter(key: object) -> str:
    """``str(key).strip().upper()``, as the schema's own string where it is an option letter.

    ``"a".upper()`` makes a new string per record, which the local engine then swaps for the
    schema's (:class:`~mmed_ift.pipeline.compact.SharedFieldSets`, rebuilding the options dict);
    a key that is already a letter maps to it here, in one lookup."""
    if key.__class__ is str:
        found = _LETTERS.get(key)  # type: ignore[call-overload]  # a str, as just checked
        if found is not None:
            return found
    return str(key).strip().upper()


def answer_letters(raw: str, where: str) -> list[str]:
    """``"ace"`` / ``"A, C, E"`` -> ``["A", "C", "E"]``; anything but option letters is an error.

    An empty key returns ``[]`` so the caller can reject it as ``missing_answer`` rather than as
    a format problem: a blank answer is a known upstream gap, not a broken file.
    """
    letters = _SEPARATORS.sub("", raw).upper()
    unknown = sorted({letter for letter in letters if letter not in OPTION_KEYS})
    if unknown:
        raise SourceFormatError(
            where, f"answer {raw!r} is not a string of option letters {'/'.join(OPTION_KEYS)} (found {unknown})"
        )
    if len(set(letters)) != len(letters):
        raise SourceFormatError(where, f"answer {raw!r} repeats an option letter")
    return sorted(letters)
