"""The build report's account of LLM traffic: requests, cache hits, retries per cause, tokens, cost."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mmed_ift.generate.options import FORMAT_MODES


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
    #: ``--llm-mode batch``: rounds, batches submitted/resumed/ended by status, polls
    batches: Counter[str] = field(default_factory=Counter)

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
            "batches": dict(sorted(self.batches.items())),
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
            batches=Counter(data.get("batches", {})),
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
        self.batches.update(other.batches)
