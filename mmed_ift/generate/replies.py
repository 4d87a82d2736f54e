"""Reading what a server sent back: a chat completion body checked for shape and types, the
retry hint of an error, and the message a user can read."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


class BadReply(Exception):
    """A 200 reply whose body cannot be used: ``cause`` is counted and retried."""

    def __init__(self, cause: str, detail: str) -> None:
        self.cause = cause
        self.detail = detail
        super().__init__(f"{cause}: {detail}")


@dataclass(frozen=True)
class Completion:
    """What this module reads from a chat completion body (checked types)."""

    content: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None


def _count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadReply("wrong_types", f"usage.{name} should be a non-negative integer, got {type(value).__name__}")
    return value


def parse_completion(body: bytes) -> Completion:
    """The content, finish reason and usage of a chat completion body, or :class:`BadReply`.

    Checked, not trusted: UTF-8, JSON, ``choices`` a list of objects with a ``message`` object whose
    ``content`` is a string or null, ``usage`` counts non-negative integers.  No choices is an
    empty reply (content ``""``), which the caller does not cache.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadReply("invalid_utf8", f"the reply is not UTF-8 (byte {error.start})") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as error:
        raise BadReply("invalid_json", f"the reply body is not JSON ({str(error)[:120]})") from None
    return completion_from_json(data)


def completion_from_json(data: Any) -> Completion:
    """:func:`parse_completion` of a body already parsed (a batch result line carries it as JSON)."""
    if not isinstance(data, dict):
        raise BadReply("wrong_types", f"the reply is a JSON {type(data).__name__}, not an object")
    choices = data.get("choices")
    if choices is None:
        choices = []
    if not isinstance(choices, list):
        raise BadReply("wrong_types", f"choices should be a list, got {type(choices).__name__}")
    content, finish_reason = "", None
    if choices:
        first = choices[0]
        message = first.get("message") if isinstance(first, dict) else None
        if not isinstance(message, dict):
            raise BadReply("wrong_types", "choices[0].message should be an object")
        raw = message.get("content")
        if raw is not None and not isinstance(raw, str):
            raise BadReply("wrong_types", f"choices[0].message.content should be a string, got {type(raw).__name__}")
        content = raw or ""
        reason = first.get("finish_reason")
        if reason is not None and not isinstance(reason, str):
            raise BadReply("wrong_types", f"finish_reason should be a string, got {type(reason).__name__}")
        finish_reason = reason
    usage = data.get("usage")
    if usage is not None and not isinstance(usage, dict):
        raise BadReply("wrong_types", f"usage should be an object, got {type(usage).__name__}")
    usage = usage or {}
    return Completion(
        content,
        finish_reason,
        _count(usage.get("prompt_tokens"), "prompt_tokens"),
        _count(usage.get("completion_tokens"), "completion_tokens"),
    )


def estimate_tokens(text: str) -> int:
    """Rough token count without a tokenizer (none ships offline): a CJK character is about one
    token, other text about four characters per token."""
    # counted by the regex engine, not a Python loop over every character (it runs on every prompt)
    wide = 0 if text.isascii() else len(_WIDE.findall(text))
    return wide + (len(text) - wide + 3) // 4


#: a character at or past U+2E80 (CJK radicals onwards): about one token each
_WIDE = re.compile("[\u2e80-\U0010ffff]")


def retry_after_seconds(error: Exception) -> float | None:
    headers = getattr(error, "headers", None)
    if headers is None:
        headers = getattr(getattr(error, "response", None), "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def error_message(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if isinstance(inner, str):
            return inner[:300]
    return str(error)[:300]
