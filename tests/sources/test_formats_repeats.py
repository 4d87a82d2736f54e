"""The parse-level proof of "no repeated key" decides exactly as walking every object does.

:func:`~mmed_ift.sources.formats.decode_json` tells callers a document holds no key repeated
with different values, so they skip :func:`first_duplicate_key`'s walk.  The slow form, kept
here as the reference, is the hook parse followed by that walk on every value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError
from mmed_ift.sources.formats import (
    JSONObject,
    _line_of,
    _second_key_offset,
    decode_json,
    first_duplicate_key,
    iter_json_list,
    json_loads,
    json_object,
    load_json_checked,
)

_KEYS = st.sampled_from(["a", "b", "q:x", "é", "a\\u003a"])
_SCALARS = st.integers(-3, 3) | st.sampled_from(['"x"', '"y:z"', "null", "true", '"\\u003a"'])


def _render(node: Any) -> str:
    """JSON text from a tree whose objects are *lists of pairs* (so keys can repeat)."""
    if isinstance(node, tuple):
        return "{" + ", ".join(f'"{key}" : {_render(value)}' for key, value in node[1]) + "}"
    if isinstance(node, list):
        return "[" + ",".join(_render(value) for value in node) + "]"
    return str(node)


_TREES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.tuples(st.just("object"), st.lists(st.tuples(_KEYS, inner), max_size=4))
    ),
    max_leaves=12,
)


def _reference(text: str, duplicates: str) -> Any:
    """What json_loads gave before the proof: the hook parse, then the walk."""
    try:
        value = json.loads(text, object_pairs_hook=json_object)
    except json.JSONDecodeError as error:
        return ("error", f"x:{error.lineno}")
    duplicate = None
    if duplicates == "anywhere":
        duplicate = first_duplicate_key(value)
    elif duplicates == "top" and isinstance(value, JSONObject) and value.duplicate_keys:
        duplicate = value.duplicate_keys[0]
    if duplicate is not None:
        return ("duplicate_key", f"x:{_line_of(text, _second_key_offset(text, duplicate))}")
    return value


def _outcome(text: str, duplicates: str) -> Any:
    try:
        return json_loads(text, "x", duplicates=duplicates)
    except SourceFormatError as error:
        return ("duplicate_key" if error.reason == "duplicate_key" else "error", error.location)


@settings(max_examples=400)
@given(_TREES, st.sampled_from(["anywhere", "top", "never"]), st.sampled_from([" ", "\n"]))
def test_json_loads_gives_what_the_walk_gave(tree: Any, duplicates: str, space: str) -> None:
    text = _render(tree).replace(" ", space)
    assert _outcome(text, duplicates) == _reference(text, duplicates)


@settings(max_examples=400)
@given(_TREES)
def test_proven_unique_means_no_object_repeats_a_key(tree: Any) -> None:
    """The proof is sound, not complete: a repeat inside an object that a later, equal value of
    the same key replaced counts against the proof but is no longer in the value (hypothesis
    found ``{"b": {"a": 0, "a": 1}, "b": {"a": 1}}``); callers then walk, which finds nothing, so
    the outcome is the same (:func:`test_json_loads_gives_what_the_walk_gave`)."""
    text = _render(tree)
    value, proven_unique = decode_json(text, "x")
    walked = first_duplicate_key(value)
    if proven_unique:
        assert walked is None
    if walked is not None:
        assert not proven_unique


def test_a_repeat_in_a_replaced_equal_value_only_withholds_the_proof() -> None:
    text = '{"b": {"a": 0, "a": 1}, "b": {"a": 1}}'
    value, proven_unique = decode_json(text, "x")
    assert value == {"b": {"a": 1}}
    assert not proven_unique
    assert first_duplicate_key(value) is None
    assert json_loads(text, "x") == {"b": {"a": 1}}


@settings(max_examples=200, deadline=None)
@given(st.lists(_TREES, max_size=5))
def test_json_list_records_as_the_walk_judged_them(tmp_path_factory: Any, records: list[Any]) -> None:
    folder: Path = tmp_path_factory.mktemp("list")
    path = folder / "records.json"
    path.write_text(_render(records), encoding="utf-8")
    got = [(where, r.problem if isinstance(r, SourceFormatError) else r) for where, r in iter_json_list(path, folder)]
    data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=json_object)
    expected = []
    for index, value in enumerate(data):
        if not isinstance(value, dict):
            expected.append((f"records.json[{index}]", f"expected a JSON object, got {type(value).__name__}"))
            continue
        duplicate = first_duplicate_key(value)
        expected.append(
            (
                f"records.json[{index}]",
                value
                if duplicate is None
                else f"duplicate key {duplicate!r} with different values in the record (only one could be kept)",
            )
        )
    assert got == expected


def test_a_repeat_found_in_an_earlier_document_does_not_mark_a_later_one(tmp_path: Path) -> None:
    assert decode_json('{"a": 1, "a": 2}', "x")[1] is False
    assert decode_json('{"a": 1, "a": 1}', "x")[1] is True  # the same value twice loses nothing
    assert decode_json('{"a": {"b": 1}}', "x")[1] is True
    path = tmp_path / "top.json"
    path.write_text('{"r": {"k": 1, "k": 2}}', encoding="utf-8")
    value, proven_unique = load_json_checked(path, tmp_path)
    assert proven_unique is False and first_duplicate_key(value["r"]) == "k"


def test_the_shared_decoder_reports_what_json_loads_reported() -> None:
    # a BOM, bad JSON and a scalar document: the same errors and values as json.loads with the hook
    for text in ('\ufeff{"a": 1}', '{"a": 1', "[1, 2,]", '"just a string"', "3", '{"a": {"b": [1, {"c": 2}]}}'):
        try:
            expected: Any = json.loads(text, object_pairs_hook=json_object)
        except json.JSONDecodeError as error:
            expected = f"x:{error.lineno}: invalid JSON: {error.msg} at column {error.colno}"
        try:
            got: Any = decode_json(text, "x")[0]
        except SourceFormatError as error:
            got = f"{error.location}: {error.problem}"
        assert got == expected


class _OldJSONObject(dict[str, Any]):
    """main's JSONObject, whose ``__init__`` noted the repeats (the reference for :func:`json_object`)."""

    duplicate_keys: tuple[str, ...] = ()

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        dict.__init__(self, pairs)
        if len(self) != len(pairs):
            found: list[str] = []
            for key, value in pairs:
                if self[key] != value and key not in found:
                    found.append(key)
            if found:
                self.duplicate_keys = tuple(found)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from([1, 2, "x", None])), max_size=6))
def test_json_object_notes_what_the_old_init_noted(pairs: list[tuple[str, Any]]) -> None:
    made, old = json_object(list(pairs)), _OldJSONObject(list(pairs))
    before = JSONObject.made_with_repeats
    json_object(list(pairs))
    assert type(made) is JSONObject and list(made.items()) == list(old.items())
    assert made.duplicate_keys == old.duplicate_keys
    assert JSONObject.made_with_repeats == before + bool(old.duplicate_keys)
