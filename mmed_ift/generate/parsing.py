"""Turning a model's reply into a validated Pydantic object, tolerantly.

Servers differ: OpenAI and vLLM honour a JSON schema, llama.cpp constrains output to JSON by
grammar, and plain chat endpoints return whatever the model writes — JSON inside a Markdown
fence, JSON followed by a remark, a trailing comma.  :func:`parse_output` accepts all of those;
what it cannot read raises :class:`OutputError` with a machine-countable reason, which the
generator either retries (with the error shown to the model) or records as a reject.

Every string in the reply goes through the same text policy as source records
(:func:`mmed_ift.text.clean.clean_text`: control, zero-width and bidirectional characters
removed, NFC), so none of them reaches a published sample from a model either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mmed_ift.text.clean import clean_text

M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


class OutputError(Exception):
    """A reply that cannot be used.  ``reason`` is short and countable ('malformed_json', ...);
    ``detail`` says what exactly, and is what the model is shown when the request is retried."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def _balanced_object(text: str) -> str | None:
    """The first complete ``{...}`` in ``text``, honouring strings and escapes; None if the
    object never closes (a reply cut off by ``max_tokens``)."""
    start = text.find("{")
    if start < 0:
        return None
    depth = 0
    in_string = False
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return None


def _candidates(text: str) -> Iterator[str]:
    """Where the JSON may be, in the order tried: the whole reply, each fenced block, the first
    balanced object.  Lazily: a bare JSON reply (the usual one) is never scanned character by
    character."""
    yield text.strip()
    for match in _FENCE.findall(text):
        yield match.strip()
    embedded = _balanced_object(text)
    if embedded is not None:
        yield embedded


def _with_trailing_commas_removed(candidate: str) -> Iterator[str]:
    """``candidate``, then (only if that failed) the same with trailing commas removed."""
    yield candidate
    yield _TRAILING_COMMA.sub(r"\1", candidate)


def extract_json(text: str) -> dict[str, Any]:
    """The JSON object in a reply: bare, fenced, or embedded in prose; trailing commas forgiven."""
    last_error = "no JSON object found"
    for candidate in _candidates(text):
        for attempt in _with_trailing_commas_removed(candidate):
            try:
                value = json.loads(attempt)
            except json.JSONDecodeError as error:
                last_error = f"{error.msg} at line {error.lineno} column {error.colno}"
                continue
            except RecursionError:
                last_error = "the JSON nests too deeply"
                continue
            except ValueError as error:  # an integer past Python's int digit limit
                last_error = str(error)[:200]
                continue
            if isinstance(value, dict):
                return value
            last_error = f"expected a JSON object, got {type(value).__name__}"
    if "{" in text and _balanced_object(text) is None:
        raise OutputError("truncated_json", f"the JSON object never closes ({len(text)} characters)")
    raise OutputError("malformed_json", last_error)


def clean_strings(value: Any) -> Any:
    """``value`` with every string (keys too) under the source text policy."""
    if isinstance(value, str):
        return clean_text(value)[0]
    if isinstance(value, dict):
        return {clean_strings(key): clean_strings(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [clean_strings(inner) for inner in value]
    return value


def parse_output(text: str, model: type[M]) -> M:
    """Extract and validate; a schema violation names the first offending field."""
    if not text.strip():
        raise OutputError("empty_output", "the reply is empty")
    try:
        data = clean_strings(extract_json(text))
    except RecursionError:
        raise OutputError("malformed_json", "the reply nests too deeply") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise OutputError("schema_mismatch", f"{where}: {first['msg']}") from None
