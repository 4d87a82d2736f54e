"""Low-level readers for the serialisations upstream datasets use (jsonl, json, csv, tsv).

Each reader yields ``(location, value_or_error)`` so adapters can reject one bad record and go
on with the rest.  Locations are ``path:line`` (1-based) for line formats and ``path#key`` or
``path[index]`` for JSON containers; paths are shown relative to the source root.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError


def display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, where: str) -> str:
    """Whole file as text: UTF-8 (BOM tolerated), CRLF and LF both accepted."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceFormatError(where, f"not valid UTF-8 at byte {error.start}") from None
    return text


def iter_jsonl(path: Path, root: Path) -> Iterator[tuple[str, dict[str, Any] | SourceFormatError]]:
    """One JSON object per non-blank line; a bad line becomes an error for that line only."""
    shown = display_path(path, root)
    with path.open("rb") as handle:
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
                value = json.loads(line)
            except json.JSONDecodeError as error:
                yield where, SourceFormatError(where, f"invalid JSON: {error.msg} at column {error.colno}")
                continue
            if not isinstance(value, dict):
                yield where, SourceFormatError(
                    where, f"expected a JSON object, got {type(value).__name__}"
                )
                continue
            yield where, value


def load_json(path: Path, root: Path) -> Any:
    """Parse a whole JSON file; a broken file raises one error naming it and the position."""
    shown = display_path(path, root)
    text = read_text(path, shown)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceFormatError(
            f"{shown}:{error.lineno}", f"invalid JSON: {error.msg} at column {error.colno}"
        ) from None


def iter_json_list(path: Path, root: Path) -> Iterator[tuple[str, dict[str, Any] | SourceFormatError]]:
    """Records of a file holding one JSON array of objects (``path[i]`` locations)."""
    shown = display_path(path, root)
    data = load_json(path, root)
    if not isinstance(data, list):
        raise SourceFormatError(shown, f"expected a JSON array of records, got {type(data).__name__}")
    for index, value in enumerate(data):
        where = f"{shown}[{index}]"
        if isinstance(value, dict):
            yield where, value
        else:
            yield where, SourceFormatError(where, f"expected a JSON object, got {type(value).__name__}")


def iter_csv(
    path: Path, root: Path, *, delimiter: str = ",", header: bool = True
) -> Iterator[tuple[str, dict[str, str] | list[str] | SourceFormatError]]:
    """Rows of a CSV/TSV file with their physical line numbers (quoted fields may span lines)."""
    shown = display_path(path, root)
    text = read_text(path, shown)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns: list[str] | None = None
    line = 1
    for row in reader:
        where = f"{shown}:{line}"
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
            yield where, SourceFormatError(
                where, f"expected {len(columns)} columns ({', '.join(columns)}), got {len(row)}"
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
