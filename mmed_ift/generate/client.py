"""The request layer: one chat completion, cached, rate-limited, retried, bounded in concurrency.

Retries are ours, not the ``openai`` client's (it is built with ``max_retries=0``) so that every
retry is counted per cause in the build report, the backoff has jitter, and ``--max-requests``
caps what is actually sent, retries included.  What is retried: 429, 408/409, 5xx, timeouts,
dropped connections and unreadable response bodies.  What is not: 400 (the request itself is
wrong — except a rejected ``response_format``, which downgrades structured output once and
remembers that in the cache), 401/403/404 (wrong key, model or URL: the whole run stops with a
message naming the setting to fix).

The API key is read from the environment variable the config names, handed to the client, and
never stored on this object, logged, cached or written.

Hostile or broken servers cannot stop a build:

* every request has a **total deadline** (``timeout_s``, enforced with ``asyncio.wait_for`` around
  the whole exchange), so a server that trickles bytes is cut off like one that never answers;
* the body of a 200 reply is read by this module, at most ``max_response_bytes`` of it, and
  checked: not UTF-8 (``invalid_utf8``), not JSON (``invalid_json``), wrong shape or types
  (``wrong_types``), too big (``body_too_large``) are retried like transport faults and, when the
  retries are spent, become a reject of that job, never an exception out of the build;
* a reply with no usable content (no choices, empty text) is returned but **not cached**, so the
  next run asks again instead of replaying a failure;
* **secrets are redacted**: credentials in ``base_url`` (``user:pass@host``, ``?api_key=...``;
  :func:`redact_url`) and the API key, wherever a server echoes them (error messages, reply
  text), are replaced by ``[REDACTED]`` before anything reaches a log, a reject, the cache or an
  output.  :class:`ClientSettings` keeps ``base_url`` as a :class:`SecretURL`: a string that
  *reads* as the redacted URL (so a report made with ``dataclasses.asdict`` or ``json.dumps``
  shows no secret) and carries the URL to connect to in ``.full``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import random
import re
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from mmed_ift.errors import MMedIFTError
from mmed_ift.generate.cache import CachedResponse, RequestCache, request_key
from mmed_ift.generate.prompts import output_schema
from mmed_ift.generate.ratelimit import RateLimiter, backoff_delay

log = logging.getLogger(__name__)

#: structured-output modes, strongest first; "auto" starts at the first and steps down on a 400
#: json_object_schema is {"type": "json_object", "schema": ...}: llama-cpp-python's (and Anyscale's)
#: way to constrain decoding to a schema, which it accepts where it refuses "json_schema".
FORMAT_MODES: tuple[str, ...] = ("json_schema", "json_object_schema", "json_object", "none")


class LLMSetupError(MMedIFTError):
    """Wrong key, model or URL: no request can succeed, so the run stops."""


class RequestFailed(Exception):
    """A request that could not be completed (retries exhausted, 400, budget spent)."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


class _FormatRejected(Exception):
    """The server refused the request's response_format (400/422 naming it)."""


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


class _URLField:
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
_HTTP_LOGGERS = ("httpx", "httpx2", "httpcore", "openai", "openai._base_client")


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


class _BadReply(Exception):
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
        raise _BadReply("wrong_types", f"usage.{name} should be a non-negative integer, got {type(value).__name__}")
    return value


def parse_completion(body: bytes) -> Completion:
    """The content, finish reason and usage of a chat completion body, or :class:`_BadReply`.

    Checked, not trusted: UTF-8, JSON, ``choices`` a list of objects with a ``message`` object whose
    ``content`` is a string or null, ``usage`` counts non-negative integers.  No choices is an
    empty reply (content ``""``), which the caller does not cache.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _BadReply("invalid_utf8", f"the reply is not UTF-8 (byte {error.start})") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as error:
        raise _BadReply("invalid_json", f"the reply body is not JSON ({str(error)[:120]})") from None
    if not isinstance(data, dict):
        raise _BadReply("wrong_types", f"the reply is a JSON {type(data).__name__}, not an object")
    choices = data.get("choices")
    if choices is None:
        choices = []
    if not isinstance(choices, list):
        raise _BadReply("wrong_types", f"choices should be a list, got {type(choices).__name__}")
    content, finish_reason = "", None
    if choices:
        first = choices[0]
        message = first.get("message") if isinstance(first, dict) else None
        if not isinstance(message, dict):
            raise _BadReply("wrong_types", "choices[0].message should be an object")
        raw = message.get("content")
        if raw is not None and not isinstance(raw, str):
            raise _BadReply("wrong_types", f"choices[0].message.content should be a string, got {type(raw).__name__}")
        content = raw or ""
        reason = first.get("finish_reason")
        if reason is not None and not isinstance(reason, str):
            raise _BadReply("wrong_types", f"finish_reason should be a string, got {type(reason).__name__}")
        finish_reason = reason
    usage = data.get("usage")
    if usage is not None and not isinstance(usage, dict):
        raise _BadReply("wrong_types", f"usage should be an object, got {type(usage).__name__}")
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
    wide = sum(1 for char in text if ord(char) >= 0x2E80)
    return wide + (len(text) - wide + 3) // 4


@dataclass(frozen=True)
class ClientSettings:
    """How to talk to the server: sampling, limits, retries.  The generator's
    :class:`~mmed_ift.generate.llm.LLMConfig` extends this with what to generate."""

    #: kept as a :class:`SecretURL`: reads redacted, ``.full`` connects (see :class:`_URLField`)
    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 1024
    seed: int | None = 0
    #: auto (json_schema, falling back to json_object, then none), json_schema, json_object, none
    response_format: str = "auto"
    concurrency: int = 8
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    #: how much of a minute's allowance may go out at once (60: the whole minute's)
    rate_burst_s: float = 60.0
    timeout_s: float = 120.0
    #: transport retries per request (429, 5xx, timeouts, dropped connections)
    max_retries: int = 6
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    #: at most this many HTTP requests (retries included) per run; cache hits are free
    max_requests: int | None = None
    #: a reply body larger than this is cut off and retried as ``body_too_large``
    max_response_bytes: int = 16 * 1024 * 1024


# Installed after the class is made so that dataclasses (and mypy) see a plain required field; the
# generated ``__init__`` assigns through it, in subclasses (LLMConfig) too.
_base_url_field = _URLField()
_base_url_field.__set_name__(ClientSettings, "base_url")
ClientSettings.base_url = _base_url_field  # type: ignore[assignment]


@dataclass
class UsageStats:
    """Everything the build report says about the LLM traffic of a run."""

    requests_sent: int = 0
    responses: int = 0
    cache_hits: int = 0
    coalesced: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    output_retries: int = 0
    budget_refused: int = 0
    prompt_tokens_sent: int = 0
    completion_tokens_sent: int = 0
    prompt_tokens_cached: int = 0
    completion_tokens_cached: int = 0
    max_in_flight: int = 0
    rate_limit_wait_s: float = 0.0
    format_mode: str = ""
    per_task: dict[str, Counter[str]] = field(default_factory=dict)

    def task(self, name: str) -> Counter[str]:
        return self.per_task.setdefault(name, Counter())

    def cost(self, prices: dict[str, dict[str, float]] | None, model: str) -> dict[str, float] | None:
        """USD from a price table ``{model: {"prompt": usd_per_1M, "completion": usd_per_1M}}``."""
        if not prices or model not in prices:
            return None
        price = prices[model]
        sent = (
            self.prompt_tokens_sent * price.get("prompt", 0.0)
            + self.completion_tokens_sent * price.get("completion", 0.0)
        ) / 1e6
        cached = (
            self.prompt_tokens_cached * price.get("prompt", 0.0)
            + self.completion_tokens_cached * price.get("completion", 0.0)
        ) / 1e6
        return {"this_run_usd": round(sent, 6), "saved_by_cache_usd": round(cached, 6)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests_sent": self.requests_sent,
            "responses": self.responses,
            "cache_hits": self.cache_hits,
            "coalesced": self.coalesced,
            "retries_by_cause": dict(sorted(self.retries.items())),
            "failures_by_cause": dict(sorted(self.failures.items())),
            "output_retries": self.output_retries,
            "refused_by_max_requests": self.budget_refused,
            "usage": {
                "prompt_tokens": self.prompt_tokens_sent,
                "completion_tokens": self.completion_tokens_sent,
                "total_tokens": self.prompt_tokens_sent + self.completion_tokens_sent,
                "cached_prompt_tokens": self.prompt_tokens_cached,
                "cached_completion_tokens": self.completion_tokens_cached,
            },
            "max_in_flight": self.max_in_flight,
            "rate_limit_wait_s": round(self.rate_limit_wait_s, 3),
            "response_format": self.format_mode,
            "tasks": {name: dict(sorted(counts.items())) for name, counts in sorted(self.per_task.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UsageStats:
        """The inverse of :meth:`to_dict` (``rate_limit_wait_s`` as rounded there)."""
        usage = data["usage"]
        return cls(
            requests_sent=data["requests_sent"],
            responses=data["responses"],
            cache_hits=data["cache_hits"],
            coalesced=data["coalesced"],
            retries=Counter(data["retries_by_cause"]),
            failures=Counter(data["failures_by_cause"]),
            output_retries=data["output_retries"],
            budget_refused=data["refused_by_max_requests"],
            prompt_tokens_sent=usage["prompt_tokens"],
            completion_tokens_sent=usage["completion_tokens"],
            prompt_tokens_cached=usage["cached_prompt_tokens"],
            completion_tokens_cached=usage["cached_completion_tokens"],
            max_in_flight=data["max_in_flight"],
            rate_limit_wait_s=data["rate_limit_wait_s"],
            format_mode=data["response_format"],
            per_task={name: Counter(counts) for name, counts in data["tasks"].items()},
        )

    def merge(self, other: UsageStats) -> None:
        """Add another run's counters to these (the Ray engine sums its batches' stats this way).

        ``max_in_flight`` is the larger of the two, and ``format_mode`` the weaker structured-output
        mode (a batch that stepped down knows the server refused the stronger one).
        """
        for name in ("requests_sent", "responses", "cache_hits", "coalesced", "output_retries", "budget_refused",
                     "prompt_tokens_sent", "completion_tokens_sent", "prompt_tokens_cached",
                     "completion_tokens_cached"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.retries.update(other.retries)
        self.failures.update(other.failures)
        self.max_in_flight = max(self.max_in_flight, other.max_in_flight)
        self.rate_limit_wait_s += other.rate_limit_wait_s
        modes = [mode for mode in (self.format_mode, other.format_mode) if mode]
        if modes:
            self.format_mode = max(modes, key=lambda mode: FORMAT_MODES.index(mode) if mode in FORMAT_MODES else -1)
        for name, counts in other.per_task.items():
            self.task(name).update(counts)


def request_params(settings: ClientSettings, format_mode: str, output_model: type[BaseModel]) -> dict[str, Any]:
    """Sampling parameters and response_format: everything besides messages in the cache key."""
    params: dict[str, Any] = {
        "temperature": settings.temperature,
        "top_p": settings.top_p,
        "max_tokens": settings.max_tokens,
    }
    if settings.seed is not None:
        params["seed"] = settings.seed
    if format_mode == "json_schema":
        params["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": output_model.__name__, "schema": output_schema(output_model)},
        }
    elif format_mode == "json_object_schema":
        params["response_format"] = {"type": "json_object", "schema": output_schema(output_model)}
    elif format_mode == "json_object":
        params["response_format"] = {"type": "json_object"}
    return params


def _retry_after(error: Exception) -> float | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class RequestSlots(Protocol):
    """What bounds the requests in flight: ``async with slots`` around each request
    (an ``asyncio.Semaphore``, or a cluster-wide one such as the Ray gateway's)."""

    async def __aenter__(self) -> Any: ...

    async def __aexit__(self, kind: Any, error: Any, trace: Any, /) -> Any: ...


class Limiter(Protocol):
    """RPM/TPM reservations: :class:`~mmed_ift.generate.ratelimit.RateLimiter`'s interface."""

    async def acquire(self, tokens: float) -> None: ...

    def refund(self, reserved: float, used: float) -> None: ...


class LLMClient:
    """Chat completions through ``openai.AsyncOpenAI``; create it inside the running event loop.

    ``semaphore`` and ``limiter`` replace the per-process request slots (``concurrency``) and
    RPM/TPM limiter built from ``settings``; the Ray engine passes cluster-wide ones
    (:func:`mmed_ift.engine.llm_gateway.gateway_client`).  ``cache`` may be any object with the
    :class:`~mmed_ift.generate.cache.RequestCache` interface used here.
    """

    def __init__(
        self,
        settings: ClientSettings,
        cache: RequestCache,
        stats: UsageStats | None = None,
        *,
        semaphore: RequestSlots | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        import openai

        self.settings = settings
        self.cache = cache
        self.stats = stats or UsageStats()
        api_key = os.environ.get(settings.api_key_env)
        if not api_key:
            # Local servers (vLLM, llama.cpp, Ollama, TGI) usually need no key; the client needs a value.
            log.info("environment variable %s is not set; sending a placeholder key", settings.api_key_env)
        url = full_url(settings.base_url)
        # what must never be shown: the key (a server may echo it) and the URL's credentials
        self._secrets = sorted(
            {secret for secret in [*url_secrets(url), api_key or ""] if len(secret) >= 3}, key=len, reverse=True
        )
        self._shown_url = redact_url(url)
        self._log_filter = RedactingFilter(self._secrets)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)
        self._client = openai.AsyncOpenAI(
            base_url=url, api_key=api_key or "no-key", max_retries=0, timeout=settings.timeout_s
        )
        self._semaphore: RequestSlots = semaphore if semaphore is not None else asyncio.Semaphore(settings.concurrency)
        self._limiter: Limiter = (
            limiter
            if limiter is not None
            else RateLimiter(settings.requests_per_minute, settings.tokens_per_minute, settings.rate_burst_s)
        )
        self._rng = random.Random(settings.seed or 0)
        self._in_flight = 0
        self._pending: dict[str, asyncio.Future[CachedResponse]] = {}
        self._format_mode = self._initial_format_mode()
        self.stats.format_mode = self._format_mode

    # -- structured output -----------------------------------------------------------------------

    def _format_meta_key(self) -> str:
        return f"response_format:{self.settings.model}"

    def _initial_format_mode(self) -> str:
        mode = self.settings.response_format
        if mode != "auto":
            if mode not in FORMAT_MODES:
                raise LLMSetupError(f"unknown response format {mode!r}; choose auto or one of {FORMAT_MODES}")
            return mode
        # A previous run may have learnt that this model's server refuses json_schema; starting
        # from there keeps a rerun's cache keys identical, so it sends nothing.
        return self.cache.get_meta(self._format_meta_key()) or FORMAT_MODES[0]

    def _downgrade(self, refused: str) -> None:
        # Many requests in flight are refused at once; only the first refusal of a mode counts.
        if self._format_mode != refused or refused == FORMAT_MODES[-1]:
            return
        index = FORMAT_MODES.index(self._format_mode)
        self._format_mode = FORMAT_MODES[index + 1]
        self.stats.format_mode = self._format_mode
        self.cache.set_meta(self._format_meta_key(), self._format_mode)
        log.warning("the server refused response_format; falling back to %s", self._format_mode)

    def params(self, output_model: type[BaseModel]) -> dict[str, Any]:
        return request_params(self.settings, self._format_mode, output_model)

    def _key(self, messages: list[dict[str, str]], params: dict[str, Any], prompt_version: str, attempt: int) -> str:
        return request_key(
            self.settings.model, messages, {**params, "attempt": attempt} if attempt else params, prompt_version
        )

    # -- requests --------------------------------------------------------------------------------

    async def complete(
        self, messages: list[dict[str, str]], output_model: type[BaseModel], prompt_version: str, attempt: int = 0
    ) -> CachedResponse:
        """The reply to ``messages``: from the cache, from an identical request in flight, or sent.

        ``attempt`` (the how-many-th try of a job whose earlier replies were unusable) is part of
        the cache key but not of the request: a retry that happens to repeat an earlier request
        exactly is still sent (a sampling server may answer differently), and a rerun replays it.
        """
        while True:
            mode = self._format_mode
            params = self.params(output_model)
            key = self._key(messages, params, prompt_version, attempt)
            cached = self.cache.get(key)
            if cached is not None:
                self.stats.cache_hits += 1
                self.stats.prompt_tokens_cached += cached.prompt_tokens
                self.stats.completion_tokens_cached += cached.completion_tokens
                return cached
            pending = self._pending.get(key)
            if pending is not None:
                self.stats.coalesced += 1
                try:
                    return await asyncio.shield(pending)
                except _FormatRejected:
                    continue
            future: asyncio.Future[CachedResponse] = asyncio.get_running_loop().create_future()
            self._pending[key] = future
            try:
                response = await self._send(key, messages, params, prompt_version)
            except _FormatRejected as error:
                future.set_exception(error)
                future.exception()
                self._downgrade(mode)
                continue
            except BaseException as error:
                future.set_exception(error)
                future.exception()  # retrieved here, so asyncio does not warn when nobody else waits
                raise
            finally:
                self._pending.pop(key, None)
            future.set_result(response)
            return response

    async def _send(
        self, key: str, messages: list[dict[str, str]], params: dict[str, Any], prompt_version: str
    ) -> CachedResponse:
        import openai

        settings = self.settings
        estimate = sum(estimate_tokens(message["content"]) for message in messages) + settings.max_tokens
        cause, detail = "", ""
        for attempt in range(settings.max_retries + 1):
            waited = time.monotonic()
            await self._limiter.acquire(estimate)
            self.stats.rate_limit_wait_s += time.monotonic() - waited
            retry_after: float | None = None
            async with self._semaphore:
                # Checked holding a slot, right before sending: no await between check and count.
                if settings.max_requests is not None and self.stats.requests_sent >= settings.max_requests:
                    self.stats.budget_refused += 1
                    raise RequestFailed("max_requests_reached", f"--max-requests {settings.max_requests} were sent")
                self.stats.requests_sent += 1
                self._in_flight += 1
                self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)
                try:
                    # the deadline covers the whole exchange: a server trickling bytes is cut off too
                    completion = await asyncio.wait_for(self._fetch(messages, params), settings.timeout_s)
                except _BadReply as error:
                    cause, detail = error.cause, self._redact(error.detail)
                except (asyncio.TimeoutError, TimeoutError, openai.APITimeoutError):
                    cause, detail = "timeout", f"no complete reply within {settings.timeout_s}s"
                except openai.RateLimitError as error:
                    cause, detail, retry_after = "rate_limited", "429", _retry_after(error)
                except openai.APIConnectionError as error:
                    cause, detail = "connection", f"{type(error.__cause__ or error).__name__}"
                except openai.APIResponseValidationError as error:
                    cause, detail = "bad_response", self._redact(str(error)[:200])
                except (openai.AuthenticationError, openai.PermissionDeniedError) as error:
                    raise LLMSetupError(
                        f"the server at {self._shown_url} refused the API key from ${settings.api_key_env}"
                        f" (HTTP {error.status_code}); set that variable to a valid key"
                    ) from None
                except openai.NotFoundError as error:
                    raise LLMSetupError(
                        f"HTTP 404 from {self._shown_url} for model {settings.model!r}: check --base-url"
                        f" (it usually ends in /v1) and --model ({self._redact(_message(error))})"
                    ) from None
                except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                    if self._refuses_format(error, params):
                        raise _FormatRejected() from None
                    raise RequestFailed(
                        "bad_request", f"HTTP {error.status_code}: {self._redact(_message(error))}"
                    ) from None
                except openai.APIStatusError as error:
                    if error.status_code >= 500 and self._refuses_format(error, params, strict=True):
                        # llama-cpp-python answers a request it fails to validate with 500.
                        raise _FormatRejected() from None
                    if error.status_code in (408, 409) or error.status_code >= 500:
                        cause, detail = "server_error", f"HTTP {error.status_code}"
                    else:
                        raise RequestFailed(
                            "http_error", f"HTTP {error.status_code}: {self._redact(_message(error))}"
                        ) from None
                except openai.OpenAIError as error:
                    # anything else the client library raises about one request: retried, never fatal
                    cause, detail = "bad_response", self._redact(f"{type(error).__name__}: {error}"[:200])
                else:
                    response = self._store(key, messages, params, prompt_version, completion)
                    self._limiter.refund(estimate, response.prompt_tokens + response.completion_tokens)
                    return response
                finally:
                    self._in_flight -= 1
            if attempt < settings.max_retries:
                self.stats.retries[cause] += 1
                delay = backoff_delay(
                    attempt,
                    base_s=settings.backoff_base_s,
                    max_s=settings.backoff_max_s,
                    rng=self._rng,
                    retry_after_s=retry_after,
                )
                log.info("request %s: %s (%s); retry %d in %.2fs", key[:12], cause, detail, attempt + 1, delay)
                await asyncio.sleep(delay)
        self.stats.failures[cause] += 1
        raise RequestFailed("request_failed", f"{cause} ({detail}) after {settings.max_retries + 1} attempts")

    async def _fetch(self, messages: list[dict[str, str]], params: dict[str, Any]) -> Completion:
        """Send one request and read its body here: at most ``max_response_bytes``, then checked.

        HTTP errors (4xx/5xx) are raised by the ``openai`` client as usual; a body that cannot be
        read or used raises :class:`_BadReply`.
        """
        cap = self.settings.max_response_bytes
        async with self._client.chat.completions.with_streaming_response.create(
            model=self.settings.model,
            messages=messages,  # type: ignore[arg-type]
            **params,
        ) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise _BadReply("body_too_large", f"the reply announces {declared} bytes; the limit is {cap}")
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise _BadReply("body_too_large", f"the reply passed {cap} bytes")
                    chunks.append(chunk)
            except (_BadReply, asyncio.CancelledError):
                raise
            except Exception as error:  # the connection broke while the body came in
                raise _BadReply("connection", f"{type(error).__name__} while reading the reply") from None
        return parse_completion(b"".join(chunks))

    def _redact(self, text: str) -> str:
        """``text`` without the API key or the URL's credentials (a server may echo them)."""
        return redact(text, self._secrets)

    def _refuses_format(self, error: Exception, params: dict[str, Any], strict: bool = False) -> bool:
        """An error about response_format, in auto mode: step down to a weaker mode, don't fail.

        ``strict`` (for 5xx, which are otherwise retried) requires the field's name in the error.
        """
        if self.settings.response_format != "auto" or "response_format" not in params:
            return False
        text = f"{getattr(error, 'body', '')} {error}".lower()
        if strict:
            return "response_format" in text
        return "response_format" in text or "json_schema" in text or "schema" in text

    def _store(
        self,
        key: str,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        prompt_version: str,
        completion: Completion,
    ) -> CachedResponse:
        """The response, redacted; cached only when it has content (an empty reply is asked again)."""
        content = self._redact(completion.content)
        prompt_tokens = completion.prompt_tokens
        completion_tokens = completion.completion_tokens
        if prompt_tokens is None:
            prompt_tokens = sum(estimate_tokens(message["content"]) for message in messages)
        if completion_tokens is None:
            completion_tokens = estimate_tokens(content)
        response = CachedResponse(content, completion.finish_reason, prompt_tokens, completion_tokens)
        if content.strip():
            self.cache.put(
                key,
                model=self.settings.model,
                prompt_version=prompt_version,
                request={"messages": messages, "params": params},
                response=response,
            )
        else:
            log.info("request %s: empty reply, not cached", key[:12])
        self.stats.responses += 1
        self.stats.prompt_tokens_sent += prompt_tokens
        self.stats.completion_tokens_sent += completion_tokens
        return response

    async def aclose(self) -> None:
        await self._client.close()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)


def _message(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if isinstance(inner, str):
            return inner[:300]
    return str(error)[:300]
