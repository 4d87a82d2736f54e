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
* **secrets are redacted** (:mod:`mmed_ift.generate.secrets`) before anything reaches a log, a
  reject, the cache or an output.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from typing import Any, Protocol

from pydantic import BaseModel

from mmed_ift.errors import MMedIFTError
from mmed_ift.generate.cache import CachedResponse, RequestCache, encode, key_of, request_text
from mmed_ift.generate.deferral import Deferred, DeferredRequests
from mmed_ift.generate.format_mode import StructuredOutput, mode_of
from mmed_ift.generate.ratelimit import RateLimiter, backoff_delay
from mmed_ift.generate.replies import (
    BadReply,
    Completion,
    error_message,
    estimate_tokens,
    parse_completion,
    retry_after_seconds,
)
from mmed_ift.generate.secrets import HTTP_LOGGERS, RedactingFilter, full_url, redact, redact_url, url_secrets
from mmed_ift.generate.settings import ClientSettings, request_params
from mmed_ift.generate.transport import ChatTransport, ConnectionFailed, HTTPStatusError, request_body
from mmed_ift.generate.usage import UsageStats

log = logging.getLogger(__name__)

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
    """Chat completions (through :class:`~mmed_ift.generate.transport.ChatTransport`; the Batch API
    through ``openai.AsyncOpenAI``); create it inside the running event loop.

    ``semaphore`` and ``limiter`` replace the per-process request slots (``concurrency``) and
    RPM/TPM limiter built from ``settings``; the Ray engine passes cluster-wide ones
    (:func:`mmed_ift.pipeline.distributed.llm_gateway.gateway_client`).  ``cache`` may be any object with the
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
        for name in HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)
        self._client = openai.AsyncOpenAI(
            base_url=url, api_key=api_key or "no-key", max_retries=0, timeout=settings.timeout_s
        )
        #: chat completions go through this (:mod:`mmed_ift.generate.transport` says why)
        self._transport = ChatTransport(url, api_key or "no-key")
        self._semaphore: RequestSlots = semaphore if semaphore is not None else asyncio.Semaphore(settings.concurrency)
        self._limiter: Limiter = (
            limiter
            if limiter is not None
            else RateLimiter(settings.requests_per_minute, settings.tokens_per_minute, settings.rate_burst_s)
        )
        self._rng = random.Random(settings.seed or 0)
        self._in_flight = 0
        self._pending: dict[str, asyncio.Future[CachedResponse]] = {}
        #: (format mode, output model) -> the request parameters and their JSON: built and encoded
        #: once per run, not per request (the schema in them is the bulk of a request)
        self._params: dict[tuple[str, type[BaseModel]], tuple[dict[str, Any], str]] = {}
        try:
            self._format = StructuredOutput(settings.response_format, settings.model, cache)
        except MMedIFTError as error:
            raise LLMSetupError(str(error)) from None
        self.stats.format_mode = self._format.mode
        #: batch mode's collect rounds (:mod:`mmed_ift.generate.deferral`): uncached requests are
        #: recorded there and raise :class:`Deferred` instead of being sent
        self.deferred: DeferredRequests | None = None

    # -- structured output -----------------------------------------------------------------------

    @property
    def format_mode(self) -> str:
        return self._format.mode

    def _downgrade(self, refused: str) -> None:
        if self._format.downgrade(refused):
            self.stats.format_mode = self._format.mode

    def params(self, output_model: type[BaseModel]) -> dict[str, Any]:
        return self._encoded_params(self._format.mode, output_model)[0]

    def _encoded_params(self, mode: str, output_model: type[BaseModel]) -> tuple[dict[str, Any], str]:
        """The parameters of a request in ``mode`` and their :func:`encode` text (shared between
        requests: never mutated)."""
        found = self._params.get((mode, output_model))
        if found is None:
            params = request_params(self.settings, mode, output_model)
            found = self._params[(mode, output_model)] = (params, encode(params))
        return found

    # -- requests --------------------------------------------------------------------------------

    async def complete(
        self, messages: list[dict[str, str]], output_model: type[BaseModel], prompt_version: str, attempt: int = 0
    ) -> CachedResponse:
        """The reply to ``messages``: from the cache, from an identical request in flight, or sent.

        ``attempt`` (the how-many-th try of a job whose earlier replies were unusable) is part of
        the cache key but not of the request: a retry that happens to repeat an earlier request
        exactly is still sent (a sampling server may answer differently), and a rerun replays it.
        """
        messages_json = encode(messages)
        while True:
            mode = self._format.mode
            params, params_json = self._encoded_params(mode, output_model)
            key_params = encode({**params, "attempt": attempt}) if attempt else params_json
            key = key_of(self.settings.model, messages_json, key_params, prompt_version)
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
            if self.deferred is not None:
                refusal = self.deferred.defer(key, messages, params, prompt_version)
                if refusal is None:
                    raise Deferred(key)
                if refusal[0] == "max_requests_reached":
                    self.stats.budget_refused += 1
                raise RequestFailed(*refusal)
            future: asyncio.Future[CachedResponse] = asyncio.get_running_loop().create_future()
            self._pending[key] = future
            try:
                response = await self._send(key, messages, params, prompt_version, messages_json, params_json)
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
        self,
        key: str,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        prompt_version: str,
        messages_json: str,
        params_json: str,
    ) -> CachedResponse:
        """Send until a reply comes (retrying transport faults).  ``messages_json`` and
        ``params_json`` are the :func:`~mmed_ift.generate.cache.encode` texts of ``messages`` and
        ``params``: the request body and the cache row are spliced from them, not encoded again."""
        body = request_body(self.settings.model, messages_json, params_json)
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
                    completion = await asyncio.wait_for(self._fetch(body), settings.timeout_s)
                except BadReply as error:
                    cause, detail = error.cause, self._redact(error.detail)
                except (asyncio.TimeoutError, TimeoutError):
                    cause, detail = "timeout", f"no complete reply within {settings.timeout_s}s"
                except ConnectionFailed as error:
                    cause, detail = "connection", error.kind
                except HTTPStatusError as error:
                    status = error.status_code
                    if status == 429:
                        cause, detail, retry_after = "rate_limited", "429", retry_after_seconds(error)
                    elif status in (401, 403):
                        raise LLMSetupError(
                            f"the server at {self._shown_url} refused the API key from ${settings.api_key_env}"
                            f" (HTTP {status}); set that variable to a valid key"
                        ) from None
                    elif status == 404:
                        raise LLMSetupError(
                            f"HTTP 404 from {self._shown_url} for model {settings.model!r}: check --base-url"
                            f" (it usually ends in /v1) and --model ({self._redact(error_message(error))})"
                        ) from None
                    elif status in (400, 422):
                        if self._refuses_format(error, params):
                            raise _FormatRejected() from None
                        raise RequestFailed(
                            "bad_request", f"HTTP {status}: {self._redact(error_message(error))}"
                        ) from None
                    elif status >= 500 and self._refuses_format(error, params, strict=True):
                        # llama-cpp-python answers a request it fails to validate with 500.
                        raise _FormatRejected() from None
                    elif status in (408, 409) or status >= 500:
                        cause, detail = "server_error", f"HTTP {status}"
                    else:
                        raise RequestFailed(
                            "http_error", f"HTTP {status}: {self._redact(error_message(error))}"
                        ) from None
                else:
                    request = request_text(messages_json, params_json)
                    response = self._store(key, messages, params, prompt_version, completion, request=request)
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

    async def _fetch(self, body: bytes) -> Completion:
        """Send one request (its JSON ``body``), read the reply (at most ``max_response_bytes``), check it.

        HTTP errors (not 2xx) raise :class:`~mmed_ift.generate.transport.HTTPStatusError`; a
        connection that fails raises :class:`~mmed_ift.generate.transport.ConnectionFailed`; a body
        that cannot be read or used raises :class:`BadReply`.
        """
        return parse_completion(await self._transport.post(body, self.settings.max_response_bytes))

    def _redact(self, text: str) -> str:
        """``text`` without the API key or the URL's credentials (a server may echo them)."""
        return redact(text, self._secrets)

    def refuses_format(self, message: str, params: dict[str, Any]) -> bool:
        """A batch result's error about response_format: step down as online mode would."""
        if not self._format.is_refusal(message, params):
            return False
        self._downgrade(mode_of(params))
        return True

    def _refuses_format(self, error: HTTPStatusError, params: dict[str, Any], strict: bool = False) -> bool:
        return self._format.is_refusal(f"{getattr(error, 'body', '')} {error}", params, strict)

    def _store(
        self,
        key: str,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        prompt_version: str,
        completion: Completion,
        stats: UsageStats | None = None,
        *,
        request: str | None = None,
    ) -> CachedResponse:
        """The response, redacted; cached only when it has content (an empty reply is asked again).

        Batch results come in here too (:mod:`mmed_ift.generate.batch`), counted in ``stats``.
        ``request``: the cache row's text of ``messages`` and ``params``, when the caller has it.
        """
        stats = stats or self.stats
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
                request=request if request is not None else {"messages": messages, "params": params},
                response=response,
            )
        else:
            log.info("request %s: empty reply, not cached", key[:12])
        stats.responses += 1
        stats.prompt_tokens_sent += prompt_tokens
        stats.completion_tokens_sent += completion_tokens
        return response

    store_reply = _store

    @property
    def api(self) -> Any:
        """The ``openai.AsyncOpenAI`` client (batch mode uses its files and batches endpoints)."""
        return self._client

    def redact(self, text: str) -> str:
        return self._redact(text)

    async def aclose(self) -> None:
        await self._transport.aclose()
        await self._client.close()
        for name in HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)


