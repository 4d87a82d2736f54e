"""Answer-key parsing shared by the Chinese exam adapters (CMExam, CMB).

Both datasets write a multi-answer key as concatenated letters (``"ACE"``); some rows add
separators (``"A,C"``, ``"A、C"``) or spaces.  The leading underscore keeps this module out of the
adapter auto-import: it registers nothing.
"""

from __future__ import annotations

import re

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import OPTION_KEYS

_SEPARATORS = re.compile(r"[\s,，、;；/]+")


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
