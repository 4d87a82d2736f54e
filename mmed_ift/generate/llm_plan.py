"""Counting what the LLM generator would send for a build (``build --dry-run``), sending nothing.

Requests the cache already answers are counted apart, so a resumed build shows what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mmed_ift.generate.cache import RequestCache, request_key
from mmed_ift.generate.llm import LLMConfig, first_phase_jobs, translate_jobs, translate_targets
from mmed_ift.generate.options import FORMAT_MODES
from mmed_ift.generate.replies import estimate_tokens
from mmed_ift.generate.settings import request_params
from mmed_ift.generate.tasks import Job, planned_sample, translate_job
from mmed_ift.schemas import Item, Sample


@dataclass
class Plan:
    """What a build would send: counted and estimated, nothing sent."""

    requests: dict[str, int] = field(default_factory=dict)
    cached: dict[str, int] = field(default_factory=dict)
    prompt_tokens: int = 0
    max_completion_tokens: int = 0
    cost_usd: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def to_send(self) -> int:
        return sum(self.requests.values()) - sum(self.cached.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "cached": self.cached,
            "to_send": self.to_send,
            "estimated_prompt_tokens": self.prompt_tokens,
            "max_completion_tokens": self.max_completion_tokens,
            "estimated_cost_usd": self.cost_usd,
            "notes": self.notes,
        }


def plan_requests(
    items: Sequence[Item],
    template_samples: Sequence[Sample],
    config: LLMConfig,
    languages: Sequence[str],
    gap_translations: Sequence[tuple[Sample, str]] | None = None,
) -> Plan:
    """Count the first attempt of every request and how many the cache already answers.

    With a composition policy, ``gap_translations`` are the (row, language) pairs that fill its
    gaps (:func:`mmed_ift.compose.gapfill.choose_sources`): they replace the translations of every
    English sample into every language, which such a build does not make.

    Knowledge replies are not known before they are generated, so their translations (and the
    judge's requests) are estimated from the source as if every job succeeded: an upper bound
    without retries.
    """
    plan = Plan()
    cache = RequestCache(Path(config.cache_path)) if config.cache_path and Path(config.cache_path).exists() else None
    mode = config.response_format
    if mode == "auto":
        mode = (cache.get_meta(f"response_format:{config.model}") if cache else None) or FORMAT_MODES[0]

    def count(jobs: Sequence[Job], known: bool) -> None:
        for job in jobs:
            plan.requests[job.task] = plan.requests.get(job.task, 0) + 1
            key = _plan_key(job, config, mode) if known else None
            if cache is not None and key is not None and key in cache:
                plan.cached[job.task] = plan.cached.get(job.task, 0) + 1
                continue
            plan.prompt_tokens += sum(estimate_tokens(message["content"]) for message in job.messages)
            plan.max_completion_tokens += config.max_tokens

    phase1 = first_phase_jobs(items, config)
    count(phase1, known=True)
    if gap_translations is not None:
        gap_jobs = [translate_job(sample, target, config.model) for sample, target in gap_translations]
        count(gap_jobs if "translate" in config.tasks else [], known=True)
        config = replace(config, tasks=tuple(task for task in config.tasks if task != "translate"))
        plan.notes.append("translations: the composition's gaps (see --plan), not every English sample")
    known_translations = translate_jobs(template_samples, config, languages)
    count(known_translations, known=True)
    # Stand-ins for knowledge samples not yet written: the source text plays the response.
    standins = [planned_sample(job, config.model) for job in phase1 if job.task == "knowledge" and job.lang == "en"]
    count(translate_jobs(standins, config, languages), known=False)
    if "judge" in config.tasks:
        judged = len(phase1) + len(known_translations) + len(standins) * len(translate_targets(config, languages))
        judged += plan.requests.get("translate", 0) if gap_translations is not None else 0
        plan.requests["judge"] = judged
        plan.prompt_tokens += judged * 600
        plan.max_completion_tokens += judged * 100
        plan.notes.append("judge requests are estimated at 600 prompt tokens each")
    if cache is not None:
        cache.close()
    if config.prices and config.model in config.prices:
        price = config.prices[config.model]
        plan.cost_usd = round(
            (plan.prompt_tokens * price.get("prompt", 0.0) + plan.max_completion_tokens * price.get("completion", 0.0))
            / 1e6,
            4,
        )
    if config.max_requests is not None and plan.to_send > config.max_requests:
        plan.notes.append(f"--max-requests {config.max_requests} stops the run before all {plan.to_send} are sent")
    plan.notes.append("counts are first attempts; retries of failed or malformed replies come on top")
    return plan


def _plan_key(job: Job, config: LLMConfig, mode: str) -> str:
    params = request_params(config.client_settings(), mode, job.output_model)
    return request_key(config.model, job.messages, params, job.prompt_version)
