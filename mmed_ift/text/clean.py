"""What text may enter a dataset: the one control-character policy, and the field-length cap.

Every item an adapter yields passes through :func:`clean_fields` (from
:meth:`~mmed_ift.sources.base.SourceAdapter.read`), so no adapter can forget it; the LLM
generator cleans model replies with :func:`clean_text` the same way.

**Policy: normalise, and reject only what is mostly invisible.**  In every string field of an
item (question, options, answer, rationale, context, title, text, exam, subject, year, source id):

1. ``\\r\\n`` and lone ``\\r``, and U+2028 / U+2029 (line / paragraph separator) become ``\\n``;
2. removed: C0 controls except ``\\t`` and ``\\n`` (so NUL too), DEL, C1 controls (U+0080-U+009F),
   and every *format* character (Unicode category ``Cf``): zero-width space / joiner / non-joiner
   (U+200B-U+200D), word joiner (U+2060), BOM (U+FEFF), soft hyphen, the bidirectional marks,
   embeddings, overrides and isolates (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069) and
   invisible tag characters.  None of the build languages (en, zh, ja, fr, ru, es) needs them;
3. the result is put in Unicode NFC.

A field that was *mostly* such characters (more than half of it removed) is not repaired but
rejected with reason ``control_characters``: it is binary junk or an attack, not text.  A field
longer than ``max_field_chars`` (after cleaning) is rejected with reason ``field_too_long``.
"""

from __future__ import annotations

import functools
import operator
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

#: default for ``max_field_chars``: longer fields are rejected as ``field_too_long``
DEFAULT_MAX_FIELD_CHARS = 100_000

#: fields that are the pipeline's own vocabulary, not upstream text
_OWN_FIELDS = frozenset({"source", "kind", "lang", "split"})
_NEWLINES = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


class FieldProblem(Exception):
    """A field that cannot be published: ``reason`` is the reject reason."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@functools.cache
def _removed_pattern() -> re.Pattern[str]:
    """Every Cc and Cf character except tab and newline (built once, from this Python's Unicode)."""
    chars = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and chr(code) not in "\t\n\r"
    ]
    return re.compile("[" + "".join(re.escape(char) for char in chars) + "]")


@functools.cache
def _special_pattern() -> re.Pattern[str]:
    return re.compile(_removed_pattern().pattern[:-1] + "\r\u2028\u2029]")


def _plainly_clean(text: str) -> bool:
    """True when ``text`` has nothing to remove or replace: the usual case, decided in C.

    ``str.isprintable`` is False for every Cc and Cf character (and for separators other than
    the space), so a printable text (tabs and newlines aside) cannot match the removal pattern;
    the regex, which costs ~50x more on long fields, only runs on the rest.
    """
    if text.isprintable() or text.replace("\n", " ").replace("\t", " ").isprintable():
        return True
    return _special_pattern().search(text) is None


def clean_text(text: str) -> tuple[str, int]:
    """``text`` under the policy above, and how many characters were removed."""
    if _plainly_clean(text) and unicodedata.is_normalized("NFC", text):
        return text, 0
    for old, new in _NEWLINES.items():
        if old in text:
            text = text.replace(old, new)
    kept = _removed_pattern().sub("", text)
    removed = len(text) - len(kept)
    return unicodedata.normalize("NFC", kept), removed


def clean_field(name: str, value: str, max_field_chars: int) -> str:
    """One field cleaned, or :class:`FieldProblem` (``control_characters``, ``field_too_long``)."""
    cleaned, removed = clean_text(value)
    if removed and removed * 2 > len(value):
        raise FieldProblem(
            "control_characters",
            f"field {name!r}: {removed} of its {len(value)} characters are control or invisible characters",
        )
    if len(cleaned) > max_field_chars:
        raise FieldProblem(
            "field_too_long", f"field {name!r} has {len(cleaned)} characters; the limit is {max_field_chars}"
        )
    return cleaned


def _untouched(text: str, max_field_chars: int) -> bool:
    """True when :func:`clean_field` would return ``text`` as it is (the usual case): checked
    without building the field's name, which only an error message needs."""
    return len(text) <= max_field_chars and _plainly_clean(text) and unicodedata.is_normalized("NFC", text)


def _clean_value(name: str, value: Any, max_field_chars: int) -> Any:
    if isinstance(value, str):
        return value if _untouched(value, max_field_chars) else clean_field(name, value, max_field_chars)
    if isinstance(value, dict):
        return {
            (
                key if isinstance(key, str) and _untouched(key, max_field_chars)
                else _clean_value(f"{name}.key", key, max_field_chars)
            ): (
                inner if isinstance(inner, str) and _untouched(inner, max_field_chars)
                else _clean_value(f"{name}.{key}", inner, max_field_chars)
            )
            for key, inner in value.items()
        }  # fmt: skip
    if isinstance(value, list):
        return [
            inner if isinstance(inner, str) and _untouched(inner, max_field_chars)
            else _clean_value(f"{name}[{index}]", inner, max_field_chars)
            for index, inner in enumerate(value)
        ]  # fmt: skip
    return value


def clean_fields(data: dict[str, Any], max_field_chars: int) -> dict[str, Any]:
    """A model dump with every upstream string field cleaned; raises :class:`FieldProblem`.

    A record none of whose fields needs anything (the usual case) is recognised in one check
    of all its strings together (:func:`all_untouched`) and returned as it is."""
    if all_untouched(data, max_field_chars):
        return data
    return _clean_each(data, max_field_chars)


def all_untouched(data: dict[str, Any], max_field_chars: int) -> bool:
    """True when :func:`_clean_each` would return ``data`` unchanged, decided on the record's
    strings (values, dict keys, list members) joined by spaces: a space is a Unicode starter
    that composes with nothing, so the joined text is in NFC exactly when every string is, and it
    is printable (tabs and newlines aside) exactly when every string is.  False (check each
    field) for anything else: a nested container, a text that is not printable or not in NFC,
    and a record whose strings together pass the length cap (then each field is checked, which
    finds the same result, only slower: records near the cap are rare).

    The joins happen in C: ``str.join`` raises ``TypeError`` on a member that is no string,
    which is the "nested container" case, so no string is looked at one by one in Python.  The
    record's own fields (source, kind, lang, split) are joined too rather than looked up by name:
    a field more can only turn a True into a False, and False only costs the per-field check.
    A value of another container type (a ``str`` or ``dict`` subclass) is also a False.

    Which values are strings, dicts and lists is planned once per tuple of value types
    (:func:`_plan`; a source's records have a handful), so the strings are taken in C rather
    than one value at a time in a Python loop: the same parts, joined in another order, which
    changes neither the joined length nor what the checks find.
    """
    values = tuple(data.values())
    kinds = tuple(map(type, values))
    plan = _PLANS.get(kinds)
    if plan is None:
        plan = _plan(kinds)
        if len(_PLANS) < _MAX_PLANS:
            _PLANS[kinds] = plan
    if plan is _REFUSED:
        return False
    strings, dicts, lists = plan
    parts = list(strings(values))
    try:
        for at in dicts:
            inner = values[at]
            parts.append(" ".join(inner))
            parts.append(" ".join(inner.values()))
        for at in lists:
            parts.append(" ".join(values[at]))
    except TypeError:
        return False
    joined = " ".join(parts)
    if len(joined) > max_field_chars:
        return False
    return _printable_in_nfc(joined)


_Plan = tuple[Callable[[tuple[Any, ...]], tuple[str, ...]], tuple[int, ...], tuple[int, ...]]
#: the refusal plan: a value of a ``str``, ``dict`` or ``list`` subclass
_REFUSED: _Plan = (lambda values: (), (), ())
#: per tuple of a record's value types: which values are strings, dicts and lists
_PLANS: dict[tuple[type, ...], _Plan] = {}
#: records of more shapes than this are planned each time (a bound on the table, never reached in a build)
_MAX_PLANS = 4096


def _plan(kinds: tuple[type, ...]) -> _Plan:
    """Where a record of these value types keeps its strings, dicts and lists (in that order,
    as :func:`all_untouched` joins them), or :data:`_REFUSED`."""
    strings: list[int] = []
    dicts: list[int] = []
    lists: list[int] = []
    for at, kind in enumerate(kinds):
        if kind is str:
            strings.append(at)
        elif kind is dict:
            dicts.append(at)
        elif kind is list:
            lists.append(at)
        elif kind is not type(None) and kind is not bool and issubclass(kind, str | dict | list):
            return _REFUSED
    return _getter(tuple(strings)), tuple(dicts), tuple(lists)


def _getter(positions: tuple[int, ...]) -> Callable[[tuple[Any, ...]], tuple[str, ...]]:
    """The values at ``positions`` as a tuple, taken in C (``itemgetter`` of one position
    returns the value itself, so one and none are spelled out)."""
    if len(positions) >= 2:
        return operator.itemgetter(*positions)
    if positions:
        only = positions[0]
        return lambda values: (values[only],)
    return lambda values: ()


#: the Latin-1 characters that are printable, and tab and newline: a Latin-1 text's bytes with
#: these deleted are empty exactly when ``text`` is printable once its tabs and newlines are spaces
_PRINTABLE_LATIN1 = bytes(code for code in range(256) if chr(code).isprintable() or chr(code) in "\t\n")
#: ``sys.getsizeof(text) - len(text)`` of a compact one-byte-per-character text that is not ASCII
#: (CPython stores such a text in Latin-1; other widths give other values)
_LATIN1_OVERHEAD = sys.getsizeof("\xe9") - 1


def _printable_in_nfc(joined: str) -> bool:
    """``joined`` with tabs and newlines as spaces is printable and in NFC.

    ``isprintable`` and the NFC check look up every character in Unicode's tables; for a text
    stored one byte per character (ASCII: the English records; Latin-1: French, Spanish), one
    C pass over its bytes (``bytes.translate`` deleting the printable ones) decides printability
    at a fraction of the cost, and such a text is always in NFC (no Latin-1 character decomposes
    or composes with its neighbour: ``tests/text/test_clean_fast_path.py`` checks this against
    this Python's Unicode tables).  Other texts take the Unicode checks."""
    if joined.isascii():
        return not joined.encode("ascii").translate(None, _PRINTABLE_LATIN1)
    if sys.getsizeof(joined) - len(joined) == _LATIN1_OVERHEAD:
        try:
            return not joined.encode("latin-1").translate(None, _PRINTABLE_LATIN1)
        except UnicodeEncodeError:  # a wider text after all: the Unicode checks below
            pass
    if "\n" in joined:
        joined = joined.replace("\n", " ")
    if "\t" in joined:
        joined = joined.replace("\t", " ")
    return joined.isprintable() and unicodedata.is_normalized("NFC", joined)


def _clean_each(data: dict[str, Any], max_field_chars: int) -> dict[str, Any]:
    return {
        name: value if name in _OWN_FIELDS else _clean_value(name, value, max_field_chars)
        for name, value in data.items()
    }
