"""Answer keys of the Japanese licensing exam (IgakuQA and the IgakuQA119 layout).

Both layouts write answers as lower-case choice letters (several for "2つ選べ" questions), but
two kinds of key are not a set of options: numeric-entry questions (no choices; the key is the
digits of the answer slots, e.g. ``"21"`` for 2.1) and keys that accept either of two options
(``"a or d"``, an exam correction).  Neither fits an MC item whose answer is an exact set, so
both become rejects with their own reason instead of being guessed at.
"""

from __future__ import annotations

import re

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import OPTION_KEYS

#: a choice letter and its separator, followed by a space or by anything but a Latin letter:
#: "c. 膵の萎縮" and "c.膵" are prefixed, "C.difficile" (Clostridioides difficile) is not
_CHOICE_PREFIX = re.compile(r"^\s*([a-hA-H])\s*[.．、)）](?:\s+|(?=[^A-Za-z])|$)")


class UnusableAnswer(Exception):
    """A key that is valid upstream but cannot be an MC answer; ``reason`` names which kind."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def strip_choice_prefix(choice: str, index: int, where: str) -> str:
    """``"c. 膵の萎縮"`` -> ``"膵の萎縮"``; the prefix must be the letter of its position."""
    match = _CHOICE_PREFIX.match(choice)
    if match is None:
        return choice.strip()
    if match.group(1).lower() != chr(ord("a") + index):
        raise SourceFormatError(where, f"choice {index + 1} is prefixed {match.group(1)!r}, out of order")
    return choice[match.end() :].strip()


def answer_keys(raw: list[str] | str, choice_count: int, where: str) -> list[str]:
    """Answer letters -> option keys, or :class:`UnusableAnswer` for numeric or either-or keys."""
    pieces = [raw] if isinstance(raw, str) else list(raw)
    if choice_count == 0:
        raise UnusableAnswer("numeric_entry", f"numeric-entry question (answer slots {''.join(pieces)!r}), not MC")
    joined = " ".join(pieces).strip().lower()
    if " or " in joined:
        raise UnusableAnswer("ambiguous_answer", f"answer {joined!r} accepts either option; no single key set")
    letters = [letter for letter in re.sub(r"[\s,、]+", "", joined)]
    if not letters:
        raise UnusableAnswer("missing_answer", "no answer key")
    keys = []
    for letter in letters:
        if not ("a" <= letter <= "h"):
            raise SourceFormatError(where, f"answer {raw!r} is not a string of choice letters")
        key = letter.upper()
        if OPTION_KEYS.index(key) >= choice_count:
            raise SourceFormatError(where, f"answer {letter!r} points past the {choice_count} choices")
        keys.append(key)
    return sorted(keys)
