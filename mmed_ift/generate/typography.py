"""Typographic rules per language for the text the templates assemble.

* zh/ja: a full-width colon (or other full-width punctuation) is never followed by a space:
  ``解析：…``, ``答え：A``; a label and its text are joined without a space.
* fr: one plain space before ``: ; ? !`` and inside « », everywhere (the answer line the
  evaluator parses is ``Réponse : B``, with a plain space); a non-breaking or narrow no-break
  space from the sources is turned into a plain one so every row follows the same rule.
* the other languages: a label is followed by one space (``Explanation: ...``).
"""

from __future__ import annotations

import re

FULL_WIDTH = "：；，。！？、"
_AFTER_FULL_WIDTH = re.compile(f"([{FULL_WIDTH}])[ \u00a0\u3000]+")
_FR_BEFORE = re.compile(r"[\u00a0\u202f]+(?=[:;?!»])|(?<=«)[\u00a0\u202f]+")


def join_label(label: str, text: str) -> str:
    """``label`` followed by ``text``: no space after full-width punctuation, one space otherwise."""
    return f"{label}{text}" if label[-1:] in FULL_WIDTH else f"{label} {text}"


def apply(text: str, lang: str) -> str:
    """``text`` following the typographic rules of ``lang`` (see the module docstring).

    Each rule removes or replaces a space, so a text holding none of the spaces it matches is
    returned as it is: the substring test costs well under a microsecond where the French
    pattern (its lookbehind tried at every position) cost ~25 us per template turn."""
    if lang in ("zh", "ja"):
        if " " not in text and "\u00a0" not in text and "\u3000" not in text:
            return text
        return _AFTER_FULL_WIDTH.sub(r"\1", text)
    if lang == "fr":
        if "\u00a0" not in text and "\u202f" not in text:
            return text
        return _FR_BEFORE.sub(" ", text)
    return text
