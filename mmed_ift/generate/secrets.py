"""Secrets in LLM settings and replies: credentials in ``--base-url`` and the API key never reach a
log, a reject, the cache or an output.

Credentials in ``base_url`` (``user:pass@host``, ``?api_key=...``; :func:`redact_url`) and the API
key, wherever a server echoes them (error messages, reply text), are replaced by ``[REDACTED]``.
:class:`SecretURL` is a string that *reads* as the redacted URL (so a report made with
``dataclasses.asdict`` or ``json.dumps`` shows no secret) and carries the URL to connect to in
``.full``.
"""

from __future__ import annotations

import base64
import logging
import re
import urllib.parse
from typing import Any

REDACTED = "[REDACTED]"
#: query parameters whose value is a secret (api_key, access_token, sig, password, ...)
_SECRET_PARAM = re.compile(r"key|token|secret|pass|pwd|sig|auth|credential|session", re.IGNORECASE)


def _split_url(url: str) -> urllib.parse.SplitResult | None:
    try:
        return urllib.parse.urlsplit(url)
    except ValueError:
        return None


def url_secrets(url: str) -> list[str]:
    """The secret parts of a URL: user info (user and password) and secret-looking query values."""
    parts = _split_url(url)
    if parts is None:
        return []
    found: list[str] = []
    if "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        plain = urllib.parse.unquote(userinfo)
        # the HTTP client sends user info as Basic auth: a server may echo its base64 form
        found += [userinfo, plain, *plain.split(":", 1), base64.b64encode(plain.encode()).decode()]
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if value and _SECRET_PARAM.search(name):
            found.append(value)
    raw_values = [pair.split("=", 1)[1] for pair in parts.query.split("&") if "=" in pair]
    found += [value for value in raw_values if value and any(value == urllib.parse.quote(s, safe="") for s in found)]
    return sorted({secret for secret in found if len(secret) >= 3}, key=len, reverse=True)


def redact_url(url: str) -> str:
    """``url`` without credentials: user info and secret query values become ``[REDACTED]``.

    ``http://bob:pw@host/v1?api_key=k&x=1`` -> ``http://[REDACTED]@host/v1?api_key=[REDACTED]&x=1``.
    A string that does not parse as a URL is redacted as a whole.
    """
    parts = _split_url(url)
    if parts is None:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        name, sep, value = pair.partition("=")
        secret = sep and value and _SECRET_PARAM.search(urllib.parse.unquote_plus(name))
        pairs.append(f"{name}={REDACTED}" if secret else pair)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "&".join(pairs), parts.fragment))


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (and its URL-encoded form) replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
        encoded = urllib.parse.quote(secret, safe="")
        if encoded != secret and encoded in text:
            text = text.replace(encoded, REDACTED)
    return text


class SecretURL(str):
    """A URL that reads (``str``, ``repr``, ``json.dumps``, ``dataclasses.asdict``) as its redacted
    form; ``.full`` is the URL with its credentials, for the HTTP client only."""

    full: str

    def __new__(cls, url: str) -> SecretURL:
        full = url.full if isinstance(url, SecretURL) else str(url)
        self = super().__new__(cls, redact_url(full))
        self.full = full
        return self

    def __reduce__(self) -> tuple[Any, tuple[str]]:  # pickling (Ray) and deepcopy keep the full URL
        return (SecretURL, (self.full,))

    def __deepcopy__(self, memo: dict[int, Any]) -> SecretURL:
        return self


def full_url(url: str) -> str:
    """The URL to connect to (with credentials) behind a :class:`SecretURL`, or ``url`` itself."""
    return url.full if isinstance(url, SecretURL) else url


class URLField:
    """Dataclass field descriptor: whatever is assigned is kept as a :class:`SecretURL`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._attr = f"_{name}_secret"

    def __get__(self, instance: Any, owner: type | None = None) -> SecretURL:
        if instance is None:
            raise AttributeError("base_url has no default")  # dataclasses: a required field
        value: SecretURL = instance.__dict__[self._attr]
        return value

    def __set__(self, instance: Any, value: str) -> None:
        instance.__dict__[self._attr] = SecretURL(value)


#: loggers of the HTTP stack that may print a request URL (httpx logs every request at INFO)
HTTP_LOGGERS = ("httpx", "httpx2", "httpcore", "openai", "openai._base_client", "aiohttp.client")


class RedactingFilter(logging.Filter):
    """Rewrites log records so that none of ``secrets`` is printed (added to the HTTP loggers)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True
