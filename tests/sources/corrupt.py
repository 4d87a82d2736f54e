"""Hypothesis strategies that damage upstream files the way real downloads get damaged.

Used by every adapter's property test: truncated files, records missing or gaining fields,
values of the wrong type, bytes that are not UTF-8.  The adapter must then either read a record
or reject it with a location; any other exception fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from mmed_ift.errors import MMedIFTError
from mmed_ift.schemas import Reject
from mmed_ift.sources.base import ReadResult, SourceAdapter

WRONG_TYPES: list[Any] = [None, 0, 1.5, True, [], {}, "", "x", ["a"], {"k": "v"}]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside nested dicts/lists (the root excluded)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from _paths(child, (*prefix, index))


def _parent(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        value = value[step]
    return value


@st.composite
def corrupt_json(draw: st.DrawFn, value: Any) -> Any:
    """A deep copy of ``value`` with one field dropped, added or given a wrong-typed value."""
    value = json.loads(json.dumps(value))
    paths = list(_paths(value))
    if not paths:
        return draw(st.sampled_from(WRONG_TYPES))
    path = draw(st.sampled_from(paths))
    parent = _parent(value, path)
    action = draw(st.sampled_from(["drop", "retype", "extra"]))
    if action == "drop":
        del parent[path[-1]]
    elif action == "retype":
        parent[path[-1]] = draw(st.sampled_from(WRONG_TYPES))
    elif isinstance(parent, dict):
        parent[draw(st.sampled_from(["extra_field", "zz", "_unexpected"]))] = draw(st.sampled_from(WRONG_TYPES))
    else:
        parent.append(draw(st.sampled_from(WRONG_TYPES)))
    return value


@st.composite
def corrupt_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """Truncate, splice in invalid UTF-8, or drop/duplicate a line of raw file bytes."""
    action = draw(st.sampled_from(["truncate", "bad_utf8", "drop_line", "dup_line", "empty"]))
    if action == "empty" or not data:
        return b""
    if action == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if action == "bad_utf8":
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\xff\xfe\xc3" + data[at:]
    lines = data.splitlines(keepends=True)
    index = draw(st.integers(0, max(0, len(lines) - 1)))
    if action == "drop_line" and lines:
        del lines[index]
    elif lines:
        lines.insert(index, lines[index])
    return b"".join(lines)


def read_all(adapter: SourceAdapter, root: Path) -> list[ReadResult]:
    """Read ``root``; only the library's own typed errors may escape, and they must say where."""
    try:
        return list(adapter.read(root))
    except MMedIFTError as error:
        assert str(error), "typed errors must carry a message"
        return []


def split_results(results: list[ReadResult]) -> tuple[list[Any], list[Reject]]:
    kept = [result for result in results if not isinstance(result, Reject)]
    rejected = [result for result in results if isinstance(result, Reject)]
    for reject in rejected:
        assert reject.location, f"reject without a location: {reject}"
        assert reject.reason, f"reject without a reason: {reject}"
    return kept, rejected
