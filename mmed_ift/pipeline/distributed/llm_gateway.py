"""One request cache and one set of limits for every Ray worker that talks to an LLM server.

With the LLM generator in ``map_batches``, each worker process builds its own
:class:`~mmed_ift.generate.client.LLMClient`, and with it its own semaphore, rate limiter and
sqlite cache: 16 workers at ``--concurrency 8`` would open 128 connections, every worker would
spend the whole RPM/TPM allowance, and a cache file on one node's disk is not seen by the others.
The server's limits are per account, not per worker, so they must be enforced in one place.

:class:`LLMGateway` is that place: a Ray actor (async, so thousands of waiting callers cost one
coroutine each) that owns

* the request slots (``concurrency`` requests in flight cluster-wide),
* the RPM/TPM token buckets (:class:`~mmed_ift.generate.ratelimit.RateLimiter`),
* the request budget (``max_requests`` cluster-wide),
* the sqlite request cache (one file, on the actor's node).

Workers keep doing the HTTP themselves (the gateway would otherwise carry every reply twice);
they take a slot and a rate reservation from the gateway before each request and give them back
after.  :func:`gateway_client` builds an ``LLMClient`` wired to the gateway through the three
small proxies below, passed as the client's ``semaphore=``, ``limiter=`` and ``cache``: they
have the interfaces the client uses (``async with semaphore``, ``await limiter.acquire(tokens)``
/ ``limiter.refund``, ``cache.get/put/...``).  The build's LLM stage is
:mod:`mmed_ift.pipeline.distributed.llm_generate`.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from mmed_ift.generate.cache import CachedResponse, RequestCache
from mmed_ift.generate.client import LLMClient, RequestFailed
from mmed_ift.generate.ratelimit import RateLimiter
from mmed_ift.generate.settings import ClientSettings
from mmed_ift.generate.usage import UsageStats

GATEWAY_NAME = "mmed_ift_llm_gateway"


class LLMGatewayState:
    """The gateway's logic, as a plain class (the Ray actor wraps it; tests can use it directly)."""

    def __init__(
        self,
        cache_path: str,
        concurrency: int,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        rate_burst_s: float = 60.0,
        max_requests: int | None = None,
    ) -> None:
        self._cache = RequestCache(Path(cache_path))
        self._concurrency = concurrency
        self._slots: asyncio.Semaphore | None = None
        self._limiter = RateLimiter(requests_per_minute, tokens_per_minute, rate_burst_s)
        self._max_requests = max_requests
        self.granted = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.rate_wait_s = 0.0

    def _semaphore(self) -> asyncio.Semaphore:
        # Created on first use, inside the actor's event loop.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
        return self._slots

    # -- limits ----------------------------------------------------------------------------------

    async def acquire_slot(self) -> bool:
        """Wait for a request slot; False (and no slot) once the request budget is spent."""
        await self._semaphore().acquire()
        if self._max_requests is not None and self.granted >= self._max_requests:
            self._semaphore().release()
            return False
        self.granted += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return True

    def release_slot(self) -> None:
        self.in_flight -= 1
        self._semaphore().release()

    async def acquire_rate(self, tokens: float) -> float:
        """Wait until a request of about ``tokens`` fits the RPM/TPM limits; returns seconds waited."""
        started = time.monotonic()
        await self._limiter.acquire(tokens)
        waited = time.monotonic() - started
        self.rate_wait_s += waited
        return waited

    def refund(self, reserved: float, used: float) -> None:
        self._limiter.refund(reserved, used)

    # -- cache -----------------------------------------------------------------------------------

    def cache_get(self, key: str) -> CachedResponse | None:
        return self._cache.get(key)

    def cache_put(
        self, key: str, model: str, prompt_version: str, request: dict[str, Any], response: CachedResponse
    ) -> None:
        self._cache.put(key, model=model, prompt_version=prompt_version, request=request, response=response)

    def cache_contains(self, key: str) -> bool:
        return key in self._cache

    def get_meta(self, name: str) -> str | None:
        return self._cache.get_meta(name)

    def set_meta(self, name: str, value: str) -> None:
        self._cache.set_meta(name, value)

    def cache_len(self) -> int:
        return len(self._cache)

    def stats(self) -> dict[str, Any]:
        return {
            "granted": self.granted,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "rate_wait_s": round(self.rate_wait_s, 3),
            "cached": len(self._cache),
        }


def start_gateway(
    cache_path: str,
    concurrency: int,
    requests_per_minute: float | None = None,
    tokens_per_minute: float | None = None,
    rate_burst_s: float = 60.0,
    max_requests: int | None = None,
    name: str = GATEWAY_NAME,
) -> Any:
    """Start the gateway actor (or return the running one of that name) and return its handle.

    ``max_concurrency`` is far above ``concurrency``: callers wait *inside* the actor for a slot,
    and a caller waiting must not keep ``release_slot`` calls out.
    """
    import ray

    actor_class = ray.remote(LLMGatewayState)
    return actor_class.options(  # type: ignore[attr-defined]
        name=name, get_if_exists=True, max_concurrency=10_000, num_cpus=0
    ).remote(cache_path, concurrency, requests_per_minute, tokens_per_minute, rate_burst_s, max_requests)


def start_gateway_for(settings: ClientSettings, cache_path: str, name: str = GATEWAY_NAME) -> Any:
    return start_gateway(
        cache_path,
        settings.concurrency,
        settings.requests_per_minute,
        settings.tokens_per_minute,
        settings.rate_burst_s,
        settings.max_requests,
        name,
    )


# -- worker-side proxies ------------------------------------------------------------------------


class GatewaySlots:
    """``async with`` a cluster-wide request slot (in place of the client's ``asyncio.Semaphore``)."""

    def __init__(self, gateway: Any, stats: UsageStats | None = None) -> None:
        self._gateway = gateway
        self._stats = stats

    async def __aenter__(self) -> None:
        if not await self._gateway.acquire_slot.remote():
            if self._stats is not None:
                self._stats.budget_refused += 1
            raise RequestFailed("max_requests_reached", "the cluster-wide --max-requests budget is spent")

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._gateway.release_slot.remote()


class GatewayLimiter:
    """RPM/TPM reservations from the gateway (in place of the client's ``RateLimiter``)."""

    def __init__(self, gateway: Any) -> None:
        self._gateway = gateway
        self.waited_s = 0.0

    async def acquire(self, tokens: float) -> None:
        self.waited_s += await self._gateway.acquire_rate.remote(tokens)

    def refund(self, reserved: float, used: float) -> None:
        self._gateway.refund.remote(reserved, used)


class GatewayCache:
    """The :class:`~mmed_ift.generate.cache.RequestCache` interface, served by the gateway."""

    def __init__(self, gateway: Any) -> None:
        self._gateway = gateway

    def _call(self, method: str, *args: Any) -> Any:
        import ray

        return ray.get(getattr(self._gateway, method).remote(*args))

    def get(self, key: str) -> CachedResponse | None:
        found: CachedResponse | None = self._call("cache_get", key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(self._call("cache_contains", key))

    def put(
        self, key: str, *, model: str, prompt_version: str, request: dict[str, Any], response: CachedResponse
    ) -> None:
        self._call("cache_put", key, model, prompt_version, request, response)

    def get_meta(self, name: str) -> str | None:
        value: str | None = self._call("get_meta", name)
        return value

    def set_meta(self, name: str, value: str) -> None:
        self._call("set_meta", name, value)

    def __len__(self) -> int:
        return int(self._call("cache_len"))

    def close(self) -> None:
        """The gateway owns the file; a worker has nothing to close."""


def gateway_client(settings: ClientSettings, gateway: Any, stats: UsageStats | None = None) -> LLMClient:
    """An ``LLMClient`` whose cache, request slots and rate limits are the gateway's.

    Create it inside the worker's running event loop, as any ``LLMClient``.  The client keeps
    its own retries, format fallback and in-process coalescing of identical requests.
    """
    stats = stats if stats is not None else UsageStats()
    return LLMClient(
        settings,
        GatewayCache(gateway),  # type: ignore[arg-type]
        stats,
        semaphore=GatewaySlots(gateway, stats),
        limiter=GatewayLimiter(gateway),
    )
