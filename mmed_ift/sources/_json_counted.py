"""Whole JSON files parsed without the duplicate-key hook where counting proves it needless.

:func:`~mmed_ift.sources.formats.decode_json` parses with an ``object_pairs_hook`` so that a
key repeated inside an object is noticed (``json`` would keep the last value silently); the
hook is a Python call per object, and on HEAD-QA's files (an object per question and per
answer) it costs about as much as the parse itself.  Here the document is parsed by ``json``'s
C decoder alone, and then two numbers are compared:

* the keys *written*: every key is a string followed by optional JSON whitespace and a colon,
  so counting each ``"`` followed by whitespace and ``:`` counts every key (and perhaps more,
  where a string holds such text);
* the keys *held*: the sizes of all the parsed objects added up (an object that repeats a key
  holds fewer than it was written with).

Held can never exceed the keys written, and equals them only when no object repeats a key; then
the parse is proven free of repeats.  Otherwise (a repeat, a string that merely looks like a
key, a parse error, a byte-order mark) the file is parsed again the hooked way, which gives
every result, error and reject exactly as before.  The leading underscore keeps this module out
of the adapter auto-import.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mmed_ift.sources.formats import decode_json, load_json_checked

_PLAIN = json.JSONDecoder()
#: a string's closing quote, then JSON whitespace, then a colon (the whitespace-free case is counted apart)
_SPACED_KEY_END = re.compile(r'"[ \t\n\r]+:')


def keys_written_at_most(text: str) -> int:
    """An upper bound on the keys of the JSON document ``text``, reached when no string holds
    a quote followed by optional whitespace and a colon."""
    return text.count('":') + len(_SPACED_KEY_END.findall(text))


def keys_held(value: Any) -> int:
    """How many keys the parsed objects inside ``value`` hold together (iteratively: no recursion limit)."""
    if value.__class__ is not dict and value.__class__ is not list:
        return 0
    total = 0
    stack: list[Any] = [value]
    pop, push = stack.pop, stack.append
    while stack:
        current = pop()
        members: Any = current
        if current.__class__ is dict:
            total += len(current)
            members = current.values()
        for inner in members:
            kind = inner.__class__
            if kind is dict or kind is list:
                push(inner)
    return total


def decode_json_counted(text: str, where: str) -> tuple[Any, bool]:
    """:func:`~mmed_ift.sources.formats.decode_json`'s result, made without the hook where the
    counts prove the document repeats no key (objects are then plain ``dict``\\ s, and the
    second value is True: callers skip the per-record repeat check)."""
    if not isinstance(text, str) or text.startswith("\ufeff"):
        return decode_json(text, where)
    try:
        value = _PLAIN.decode(text)
    except (ValueError, RecursionError):  # the hooked parse raises it again, located and worded
        return decode_json(text, where)
    if keys_held(value) == keys_written_at_most(text):
        return value, True
    return decode_json(text, where)


def load_json_counted(path: Path, root: Path) -> tuple[Any, bool]:
    """:func:`~mmed_ift.sources.formats.load_json_checked` by :func:`decode_json_counted`: the
    same value (objects as ``dict`` when proven), the same errors."""
    return load_json_checked(path, root, decode_json_counted)
