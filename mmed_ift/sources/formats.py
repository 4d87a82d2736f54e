"""Low-level readers for the serialisations upstream datasets use (jsonl, json, csv, tsv).

Each reader yields ``(location, value_or_error)`` so adapters can reject one bad record and go
on with the rest.  Locations are ``path:line`` (1-based) for line formats and ``path#key`` or
``path[index]`` for JSON containers; paths are shown relative to the source root.

Whatever a hostile file does, the reader raises or yields a :class:`SourceFormatError` naming the
file (and the line where it can be told), never a bare exception:

* a file that cannot be opened (permissions, a broken link, a folder) -> ``unreadable_file``;
* bytes that are not UTF-8 -> the line of the first bad byte;
* JSON nested too deeply for Python's parser (``RecursionError``) -> ``too_deeply_nested`` at the
  line where it passes :data:`MAX_JSON_DEPTH` levels;
* integers longer than Python's int digit limit (``ValueError`` from ``json``) -> ``number_too_long``
  at their line;
* the same key twice in one JSON object -> ``duplicate_key`` (``json`` would silently keep the
  last value; :func:`json_loads` reports it instead);
* a CSV field past the ``csv`` module's field limit is read whole (the limit is lifted while
  reading) and rejected by the adapter's field cap as ``field_too_long`` at its row's line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from mmed_ift.errors import SourceFormatError

#: where a too-deep JSON document is located: the first place it passes this many levels
#: (Python's recursive parser itself gives up near the interpreter's recursion limit)
MAX_JSON_DEPTH = 200
#: Python refuses to convert longer digit strings to int (``sys.get_int_max_str_digits``)
_INT_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
_LONG_NUMBER = re.compile(r"-?\d{" + str(_INT_DIGITS + 1) + ",}")


class JSONObject(dict[str, Any]):
    """A parsed JSON object that remembers the keys it held more than once with *different*
    values (``json`` keeps the last one silently; a repeat of the same value loses nothing).
    The parser makes them with :func:`json_object`, which notes the repeats (the class alone does not)."""

    #: a class attribute unless there are some: most objects have none, and an instance
    #: attribute would give every parsed object its own ``__dict__``
    duplicate_keys: tuple[str, ...] = ()
    #: how many objects were ever made with ``duplicate_keys``: unchanged over a parse, it
    #: proves the parsed document holds no such object (:func:`decode_json`)
    made_with_repeats: ClassVar[int] = 0


def json_object(pairs: list[tuple[str, Any]], _make: type[JSONObject] = JSONObject) -> JSONObject:
    """The parser's ``object_pairs_hook``: a function, not the class's ``__init__``, so that the
    object is made by ``dict``'s C-level init (a tenth of a HEAD-QA file's parse less)."""
    made = _make(pairs)
    if len(made) != len(pairs) and (found := [key for key, value in pairs if made[key] != value]):
        made.duplicate_keys = tuple(dict.fromkeys(found))  # each once, in the order first found
        JSONObject.made_with_repeats += 1
    return made


def display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _depth_exceeded_at(text: str, limit: int) -> int | None:
    """Offset where JSON nesting first passes ``limit`` (strings skipped), or None."""
    depth = 0
    in_string = False
    escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return index
        elif char in "]}":
            depth -= 1
    return None


def first_duplicate_key(value: Any) -> str | None:
    """The first key repeated inside any object of ``value`` (iteratively: no recursion limit)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current, JSONObject) and current.duplicate_keys:
                return current.duplicate_keys[0]
            stack.extend(inner for inner in current.values() if isinstance(inner, (dict, list)))
        elif isinstance(current, list):
            stack.extend(inner for inner in current if isinstance(inner, (dict, list)))
    return None


def json_loads(text: str, where: str, *, first_line: int = 1, duplicates: str = "anywhere") -> Any:
    """``json.loads`` that turns every failure into a :class:`SourceFormatError` at ``where:line``.

    ``where`` is the file as shown; ``first_line`` is the file line ``text`` starts on (for a
    jsonl line).  A key repeated with different values is an error ``anywhere`` in the document,
    only in the ``top`` object (a file keyed by record id: a record would be lost; records are
    checked one by one with :func:`first_duplicate_key`), or ``never`` (the caller checks).

    Objects come back as :class:`JSONObject`."""
    value, proven_unique = decode_json(text, where, first_line=first_line)
    if not proven_unique:
        _check_repeats(value, text, where, first_line, duplicates)
    return value


def _check_repeats(value: Any, text: str, where: str, first_line: int, duplicates: str) -> None:
    """Raise ``duplicate_key`` at the repeat's line, as :func:`json_loads` documents."""
    duplicate = None
    if duplicates == "anywhere":
        duplicate = first_duplicate_key(value)
    elif duplicates == "top" and isinstance(value, JSONObject) and value.duplicate_keys:
        duplicate = value.duplicate_keys[0]
    if duplicate is not None:
        raise SourceFormatError(
            f"{where}:{first_line + _line_of(text, _second_key_offset(text, duplicate)) - 1}",
            f"duplicate key {duplicate!r} with different values in a JSON object (only one could be kept)",
            reason="duplicate_key",
        )


#: one decoder for every parse (``json.loads`` with a hook builds one per call, as costly as a short
#: jsonl line); for a ``str`` without a BOM, ``loads`` is exactly ``decode`` on it
_DECODER = json.JSONDecoder(object_pairs_hook=json_object)


def decode_json(text: str, where: str, *, first_line: int = 1) -> tuple[Any, bool]:
    """The parsed document, and whether it is proven to repeat no key in any object.

    Objects come back as :class:`JSONObject`.  Proven when no object made during the parse
    found a key repeated with different values (:attr:`JSONObject.made_with_repeats` did not
    move; a parse in another thread can only move it too, which costs the check, never a
    repeat): callers then skip :func:`first_duplicate_key`'s walk over every record, which
    costs as much as the parse.  Every failure becomes a :class:`SourceFormatError` at
    ``where:line``.
    """

    def located(offset: int) -> str:
        return f"{where}:{first_line + _line_of(text, offset) - 1}"

    made_before = JSONObject.made_with_repeats
    try:
        if not isinstance(text, str) or text.startswith("\ufeff"):
            value = json.loads(text, object_pairs_hook=json_object)  # json's own BOM error, word for word
        else:
            value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise SourceFormatError(
            f"{where}:{first_line + error.lineno - 1}", f"invalid JSON: {error.msg} at column {error.colno}"
        ) from None
    except RecursionError:
        deep = _depth_exceeded_at(text, MAX_JSON_DEPTH)
        raise SourceFormatError(
            located(deep or 0),
            f"JSON nested too deeply to parse (more than {MAX_JSON_DEPTH} levels here)",
            reason="too_deeply_nested",
        ) from None
    except ValueError as error:  # an integer longer than Python's int digit limit
        match = _LONG_NUMBER.search(text)
        raise SourceFormatError(
            located(match.start() if match else 0),
            f"a number has more than {_INT_DIGITS} digits ({error})"[:300],
            reason="number_too_long",
        ) from None
    return value, JSONObject.made_with_repeats == made_before


def _second_key_offset(text: str, key: str) -> int:
    pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    matches = list(pattern.finditer(text))
    if len(matches) < 2:
        pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
        matches = list(pattern.finditer(text))
    return matches[1].start() if len(matches) >= 2 else 0


def _open_error(where: str, error: OSError) -> SourceFormatError:
    reason = error.strerror or type(error).__name__
    return SourceFormatError(where, f"cannot read the file: {reason}", reason="unreadable_file")


def read_bytes(path: Path, where: str) -> bytes:
    """The file's bytes; an unreadable file (permissions, broken link, a folder) is an error naming it."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise _open_error(where, error) from None


def read_text(path: Path, where: str) -> str:
    """Whole file as text: UTF-8 (BOM tolerated), CRLF and LF both accepted."""
    data = read_bytes(path, where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceFormatError(f"{where}:{line}", f"not valid UTF-8 at byte {error.start}") from None
    return text


def iter_jsonl(path: Path, root: Path) -> Iterator[tuple[str, dict[str, Any] | SourceFormatError]]:
    """One JSON object per non-blank line; a bad line becomes an error for that line only."""
    shown = display_path(path, root)
    try:
        handle = path.open("rb")
    except OSError as error:
        raise _open_error(shown, error) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{shown}:{number}"
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                yield where, SourceFormatError(where, f"not valid UTF-8 at byte {error.start}")
                continue
            try:
                value = json_loads(line, shown, first_line=number)
            except SourceFormatError as error:
                yield where, SourceFormatError(where, error.problem, reason=error.reason)
                continue
            if not isinstance(value, dict):
                yield where, SourceFormatError(where, f"expected a JSON object, got {type(value).__name__}")
                continue
            yield where, value


def load_json(path: Path, root: Path) -> Any:
    """Parse a whole JSON file; a broken file raises one error naming it and the position.

    A key repeated in the top-level object is an error (a file keyed by record id would lose a
    record); inside, adapters check each record with :func:`first_duplicate_key`.
    """
    return load_json_checked(path, root)[0]


def load_json_checked(
    path: Path, root: Path, decode: Callable[[str, str], tuple[Any, bool]] = decode_json
) -> tuple[Any, bool]:
    """:func:`load_json`, and whether ``decode`` (:func:`decode_json`) proved no key repeats."""
    shown = display_path(path, root)
    text = read_text(path, shown)
    value, proven_unique = decode(text, shown)
    if not proven_unique:
        _check_repeats(value, text, shown, 1, "top")
    return value, proven_unique


def iter_json_list(path: Path, root: Path) -> Iterator[tuple[str, dict[str, Any] | SourceFormatError]]:
    """Records of a file holding one JSON array of objects (``path[i]`` locations).

    A record holding a repeated key is an error for that record only.
    """
    shown = display_path(path, root)
    data, proven_unique = decode_json(read_text(path, shown), shown)
    if not isinstance(data, list):
        raise SourceFormatError(shown, f"expected a JSON array of records, got {type(data).__name__}")
    for index, value in enumerate(data):
        where = f"{shown}[{index}]"
        if isinstance(value, dict):
            duplicate = None if proven_unique else first_duplicate_key(value)
            if duplicate is not None:
                yield (
                    where,
                    SourceFormatError(
                        where,
                        f"duplicate key {duplicate!r} with different values in the record (only one could be kept)",
                        reason="duplicate_key",
                    ),
                )
                continue
            yield where, value
        else:
            yield where, SourceFormatError(where, f"expected a JSON object, got {type(value).__name__}")


#: the csv module's own field limit is lifted while reading: a long field is read whole and then
#: rejected by the item's field-length cap (``field_too_long``) at its line, instead of breaking
#: the parse in the middle of a quoted field and misreading the lines that follow
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def iter_csv(
    path: Path, root: Path, *, delimiter: str = ",", header: bool = True
) -> Iterator[tuple[str, dict[str, str] | list[str] | SourceFormatError]]:
    """Rows of a CSV/TSV file with their physical line numbers (quoted fields may span lines).

    A row the ``csv`` module cannot parse (a NUL byte, ...) is an error for its line; reading
    goes on with the next line.
    """
    shown = display_path(path, root)
    text = read_text(path, shown)
    previous_limit = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        yield from _csv_rows(text, shown, delimiter, header)
    finally:
        csv.field_size_limit(previous_limit)


def _csv_rows(
    text: str, shown: str, delimiter: str, header: bool
) -> Iterator[tuple[str, dict[str, str] | list[str] | SourceFormatError]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns: list[str] | None = None
    line = 1
    while True:
        where = f"{shown}:{line}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num + 1
            reason = "field_too_long" if "field limit" in str(error) else None
            yield where, SourceFormatError(where, f"unreadable CSV row: {error}", reason=reason)
            continue
        line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if header and columns is None:
            columns = [cell.strip() for cell in row]
            continue
        if columns is None:
            yield where, row
            continue
        if len(row) != len(columns):
            yield (
                where,
                SourceFormatError(where, f"expected {len(columns)} columns ({', '.join(columns)}), got {len(row)}"),
            )
            continue
        yield where, dict(zip(columns, row, strict=True))


def require_str(record: dict[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    """A string field, or an error saying which field is missing or has the wrong type."""
    if key not in record:
        raise SourceFormatError(where, f"missing field {key!r}")
    value = record[key]
    if not isinstance(value, str):
        raise SourceFormatError(where, f"field {key!r} should be a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise SourceFormatError(where, f"field {key!r} is empty")
    return value


def optional_str(record: dict[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise SourceFormatError(where, f"field {key!r} should be a string, got {type(value).__name__}")
    return str(value)


def require_list(record: dict[str, Any], key: str, where: str) -> list[Any]:
    if key not in record:
        raise SourceFormatError(where, f"missing field {key!r}")
    value = record[key]
    if not isinstance(value, list):
        raise SourceFormatError(where, f"field {key!r} should be a list, got {type(value).__name__}")
    return value


def require_dict(record: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    if key not in record:
        raise SourceFormatError(where, f"missing field {key!r}")
    value = record[key]
    if not isinstance(value, dict):
        raise SourceFormatError(where, f"field {key!r} should be an object, got {type(value).__name__}")
    return value


def letter_keys(count: int) -> list[str]:
    """Capital option keys for ``count`` positional options (A, B, C, ...)."""
    return [chr(ord("A") + index) for index in range(count)]
