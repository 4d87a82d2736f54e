"""A whole JSON file parsed without the hook only where the key counts prove no object repeats a
key; anywhere else the hooked parse decides, so values, errors and rejects stay the same."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError
from mmed_ift.sources._json_counted import decode_json_counted, keys_held, keys_written_at_most
from mmed_ift.sources.formats import decode_json

_KEYS = st.sampled_from(["a", "b", 'q"', "x:", '":', "é", "\\"])
_SCALARS = st.none() | st.booleans() | st.integers() | st.sampled_from(["", "x", '" :', '":', "a\\", "\u200b"])
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.lists(st.tuples(_KEYS, inner), max_size=4),
    max_leaves=12,
)
_SPACES = st.sampled_from(["", " ", "\n", "\t ", "\r\n"])


def _written(value: Any, draw: Any) -> str:
    """``value`` as JSON text, a list of pairs as an object (so keys may repeat), spaced at random."""
    if isinstance(value, list) and value and all(isinstance(pair, tuple) for pair in value):
        pairs = [f"{json.dumps(key)}{draw(_SPACES)}:{draw(_SPACES)}{_written(inner, draw)}" for key, inner in value]
        return "{" + ",".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + f",{draw(_SPACES)}".join(_written(inner, draw) for inner in value) + "]"
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


def _outcome(decode: Any, text: str) -> Any:
    try:
        return decode(text, "f.json")
    except SourceFormatError as error:
        return ("error", error.location, error.problem, error.reason)


@settings(max_examples=400)
@given(st.data())
def test_the_counted_parse_gives_the_hooked_parses_value_and_proves_only_what_holds(data: st.DataObject) -> None:
    text = _written(data.draw(_VALUES), data.draw)
    counted, hooked = _outcome(decode_json_counted, text), _outcome(decode_json, text)
    assert counted == hooked
    if counted[0] != "error" and _parsed_plain(counted[0]):  # taken without the hook: no object repeats a key
        repeats: list[str] = []
        json.loads(text, object_pairs_hook=lambda pairs: repeats.extend(_repeated(pairs)) or dict(pairs))
        assert repeats == []


def _repeated(pairs: list[tuple[str, Any]]) -> list[str]:
    keys = [key for key, _ in pairs]
    return [key for key in keys if keys.count(key) > 1]


def _parsed_plain(value: Any) -> bool:
    """Whether ``value`` holds an object and every object in it is a plain ``dict`` (no hook made it)."""
    found = []
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            found.append(type(current) is dict)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return bool(found) and all(found)


def test_a_repeated_key_anywhere_is_left_to_the_hooked_parse() -> None:
    for text in ('{"a": 1, "a": 2}', '{"x": [{"a": 1, "a" : 1}]}', '[{"k": {"b": 0, "b":\n 3}}]'):
        assert decode_json_counted(text, "f.json") == decode_json(text, "f.json")
        assert not _parsed_plain(decode_json_counted(text, "f.json")[0])
    proven = decode_json_counted('{"a": 1, "b": {"c": [1, {"d": 2}]}}', "f.json")
    assert proven[1] is True and _parsed_plain(proven[0])
    looks_like_a_key = decode_json_counted('{"a": "he said \\": no"}', "f.json")
    assert looks_like_a_key == ({"a": 'he said ": no'}, True) and not _parsed_plain(looks_like_a_key[0])


def test_the_counts() -> None:
    assert keys_written_at_most('{"a" :1, "b":\n{"c"\t: 2}}') == 3
    assert keys_held({"a": 1, "b": {"c": 2}, "d": [{"e": 1}, [{"f": 2}]]}) == 6
    assert keys_held("text") == 0 and keys_held([]) == 0


@pytest.mark.parametrize("text", ['{"a": 1', '{"a": 1} x', "\ufeff{}", "[" * 5000, '{"n": ' + "1" * 5000 + "}"])
def test_broken_documents_fail_as_the_hooked_parse_fails(text: str) -> None:
    assert _outcome(decode_json_counted, text) == _outcome(decode_json, text)
