"""Client-side request and token rate limits, and the retry backoff schedule.

Servers enforce limits per minute (OpenAI: RPM and TPM; vLLM/TGI behind a gateway often the
same).  Staying under them on our side is cheaper than collecting 429s: a request that would
overdraw a bucket waits until enough has refilled.  Tokens are reserved before a request from an
estimate (prompt estimate + ``max_tokens``) because the true count is only known afterwards.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """Refills ``rate_per_minute`` units per minute up to ``burst_s`` seconds' worth (by default a
    minute's: what a per-minute limit allows at once)."""

    rate_per_minute: float
    burst_s: float = 60.0
    capacity: float = 0.0
    level: float = 0.0
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.rate_per_minute <= 0:
            raise ValueError(f"rate must be positive, got {self.rate_per_minute}")
        self.capacity = max(1.0, self.rate_per_minute * self.burst_s / 60.0)
        self.level = self.capacity

    def _refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate_per_minute / 60.0)
        self.updated = now

    def wait_time(self, amount: float, now: float) -> float:
        """Seconds until ``amount`` is available (0 when it is now).  A request larger than the
        whole bucket is allowed once the bucket is full, or it could never be sent."""
        self._refill(now)
        needed = min(amount, self.capacity)
        if self.level >= needed:
            return 0.0
        return (needed - self.level) * 60.0 / self.rate_per_minute

    def take(self, amount: float) -> None:
        self.level -= min(amount, self.capacity)


class RateLimiter:
    """Requests-per-minute and tokens-per-minute limits shared by all concurrent requests."""

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        burst_s: float = 60.0,
    ) -> None:
        self._requests = TokenBucket(requests_per_minute, burst_s) if requests_per_minute else None
        self._tokens = TokenBucket(tokens_per_minute, burst_s) if tokens_per_minute else None
        self._lock = asyncio.Lock()
        self.waited_s = 0.0

    async def acquire(self, tokens: float) -> None:
        """Wait until one request of about ``tokens`` tokens fits in both limits, then take it."""
        if self._requests is None and self._tokens is None:
            return
        # One waiter at a time keeps the order fair (FIFO on the lock) and the arithmetic simple.
        async with self._lock:
            while True:
                now = time.monotonic()
                wait = 0.0
                if self._requests is not None:
                    wait = max(wait, self._requests.wait_time(1, now))
                if self._tokens is not None:
                    wait = max(wait, self._tokens.wait_time(tokens, now))
                if wait <= 0:
                    break
                self.waited_s += wait
                await asyncio.sleep(wait)
            if self._requests is not None:
                self._requests.take(1)
            if self._tokens is not None:
                self._tokens.take(tokens)

    def refund(self, reserved: float, used: float) -> None:
        """Give back what a reservation over-estimated (or take what it under-estimated)."""
        if self._tokens is not None:
            self._tokens.level = min(self._tokens.capacity, self._tokens.level + reserved - used)


#: a Retry-After longer than this is treated as this (a misconfigured proxy must not stall a build)
MAX_RETRY_AFTER_S = 300.0


def backoff_delay(
    attempt: int, *, base_s: float, max_s: float, rng: random.Random, retry_after_s: float | None = None
) -> float:
    """Exponential backoff with "equal jitter": half the exponential step fixed, half random.

    Jitter spreads the retries of many concurrent requests that failed together (a 429 burst) so
    they do not all come back at the same instant.  A server's ``Retry-After`` is a floor (it
    knows when its window resets; coming back earlier only earns another 429), up to
    :data:`MAX_RETRY_AFTER_S`.
    """
    step = min(max_s, base_s * (2**attempt))
    delay = step / 2 + rng.uniform(0, step / 2)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, MAX_RETRY_AFTER_S))
    return float(delay)
