"""Collecting requests instead of sending them: how batch mode reuses the online generator.

Batch mode runs the very same jobs as online mode (same prompts, same validation, same repair
turns, same judge and translation phases) with the client in *collect* mode: a request whose
reply is not cached is recorded here and the job stops for this round.  The recorded requests go
into one batch; their replies land in the request cache; the next round replays them from the
cache and collects what follows (repairs, judge verdicts, translations of new samples).  When a
round collects nothing, every reply came from the cache, so the output is the one online mode
gives for the same replies — by construction, not by a second implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mmed_ift.generate.batch_store import StoredRequest


class Deferred(Exception):
    """Raised by the client in collect mode: this request goes into the next batch."""


@dataclass
class DeferredRequests:
    """The requests one collect round needs, and which ones it may no longer ask for."""

    #: key → (times it failed in a batch, last error), from the batch store
    failed: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: a request that failed in this many batches is given up (the job is rejected, as online)
    max_failures: int = 3
    #: how many more requests may be batched (``--max-requests`` less what earlier batches took)
    budget: int | None = None
    requests: dict[str, StoredRequest] = field(default_factory=dict)

    def defer(
        self, key: str, messages: list[dict[str, str]], params: dict[str, Any], prompt_version: str
    ) -> tuple[str, str] | None:
        """Record a request for the next batch (None), or say why it cannot be: ``(reason, detail)``."""
        times, error = self.failed.get(key, (0, ""))
        if times >= self.max_failures:
            return "request_failed", f"{error} (in {times} batches)"
        if key not in self.requests:
            if self.budget is not None and len(self.requests) >= self.budget:
                return "max_requests_reached", "--max-requests was reached by the requests already batched"
            self.requests[key] = StoredRequest(key, prompt_version, messages, params, times)
        return None
