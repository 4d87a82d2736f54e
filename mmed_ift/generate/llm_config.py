"""The LLM generator's settings (:class:`LLMConfig`): the client's, and what to generate.

Every numeric setting is range-checked here, however the config was made (flags, Python, a
saved report), with the flag a user would type in the message.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from mmed_ift.errors import BuildError
from mmed_ift.generate.batch import BatchSettings
from mmed_ift.generate.options import DEFAULT_TASKS, FORMAT_MODES, LLM_MODES, TASKS
from mmed_ift.generate.prompts import knowledge as knowledge_prompts
from mmed_ift.generate.prompts import translate as translate_prompts
from mmed_ift.generate.settings import ClientSettings
from mmed_ift.generate.tasks import PROMPT_VERSIONS
from mmed_ift.generate.template import PROMPT_VERSION
from mmed_ift.generate.usage import UsageStats


@dataclass(frozen=True)
class LLMConfig(ClientSettings):
    """Settings of the LLM generator: the client's (inherited) and what to generate.  Only the
    *name* of the API key's environment variable is kept (this object is copied into the build
    report); the key itself never is."""

    tasks: tuple[str, ...] = DEFAULT_TASKS
    knowledge_styles: tuple[str, ...] = knowledge_prompts.STYLES
    #: languages English samples are translated into; None: the build's languages other than en
    translate_to: tuple[str, ...] | None = None
    #: extra requests per job when the reply is malformed or fails a check
    max_output_retries: int = 2
    #: sqlite request cache; None: ``<out>.llm-cache.sqlite`` beside the output folder
    cache_path: str | None = None
    judge_threshold: int = 4
    #: ``{model: {"prompt": usd_per_1M_tokens, "completion": usd_per_1M_tokens}}``
    prices: dict[str, dict[str, float]] | None = None
    max_source_chars: int = 6000
    dry_run: bool = False
    #: online (one HTTP request each) or batch (OpenAI Batch API jobs; :mod:`mmed_ift.generate.batch`)
    llm_mode: str = "online"
    batch_poll_s: float = 10.0
    batch_max_poll_s: float = 300.0
    #: requests per batch input file (OpenAI's limit is 50,000)
    batch_size: int = 50_000
    batch_window: str = "24h"
    #: a request failing in this many batches is given up and its job rejected
    batch_max_failures: int = 3

    def __post_init__(self) -> None:
        unknown = [task for task in self.tasks if task not in TASKS]
        if unknown:
            raise BuildError(f"unknown LLM tasks {unknown}; choose from {', '.join(TASKS)}")
        styles = [style for style in self.knowledge_styles if style not in knowledge_prompts.STYLES]
        if styles:
            raise BuildError(f"unknown knowledge styles {styles}; choose from {', '.join(knowledge_prompts.STYLES)}")
        targets = [lang for lang in self.translate_to or () if lang not in translate_prompts.TARGETS]
        if targets:
            raise BuildError(f"cannot translate into {targets}; targets are {', '.join(translate_prompts.TARGETS)}")
        if self.llm_mode not in LLM_MODES:
            raise BuildError(f"--llm-mode must be one of {', '.join(LLM_MODES)}, got {self.llm_mode!r}")
        if self.response_format != "auto" and self.response_format not in FORMAT_MODES:
            raise BuildError(f"--response-format must be auto or one of {', '.join(FORMAT_MODES)}")
        for flag, value, low, high in self._ranges():
            if value is None:
                continue
            if value < low or (high is not None and value > high):
                bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
                raise BuildError(f"{flag} must be {bound}, got {value:g}")

    def _ranges(self) -> list[tuple[str, float | None, float, float | None]]:
        """(flag, value, minimum, maximum) of every numeric setting."""
        return [
            ("--temperature", self.temperature, 0.0, 2.0),
            ("--top-p", self.top_p, 0.0, 1.0),
            ("--max-tokens", self.max_tokens, 1, None),
            ("--concurrency", self.concurrency, 1, 1024),
            ("--rpm", self.requests_per_minute, 1e-6, None),
            ("--tpm", self.tokens_per_minute, 1e-6, None),
            ("--request-timeout", self.timeout_s, 1e-3, None),
            ("--max-retries", self.max_retries, 0, 100),
            ("--max-output-retries", self.max_output_retries, 0, 20),
            ("--max-requests", self.max_requests, 0, None),
            ("--judge-threshold", self.judge_threshold, 1, 5),
            ("max_source_chars", self.max_source_chars, 1, None),
            ("--batch-poll", self.batch_poll_s, 1e-3, None),
            ("--batch-max-poll", self.batch_max_poll_s, self.batch_poll_s, None),
            ("--batch-size", self.batch_size, 1, 50_000),
            ("--batch-max-failures", self.batch_max_failures, 1, 100),
        ]

    def with_default_cache(self, out_dir: Path) -> LLMConfig:
        """Fill in the cache path beside the output folder (not inside: a build replaces that)."""
        if self.cache_path:
            return self
        return replace(self, cache_path=str(out_dir.with_name(out_dir.name + ".llm-cache.sqlite")))

    def batch_settings(self) -> BatchSettings:
        assert self.cache_path, "call LLMConfig.with_default_cache first"
        return BatchSettings(
            folder=Path(self.cache_path + ".batches"),
            poll_s=self.batch_poll_s,
            max_poll_s=self.batch_max_poll_s,
            max_requests_per_batch=self.batch_size,
            completion_window=self.batch_window,
            max_failures=self.batch_max_failures,
            max_requests=self.max_requests,
            max_retries=self.max_retries,
            backoff_base_s=self.backoff_base_s,
            backoff_max_s=self.backoff_max_s,
        )

    def client_settings(self) -> ClientSettings:
        return ClientSettings(**{item.name: getattr(self, item.name) for item in fields(ClientSettings)})


def prompt_versions_label(config: LLMConfig | None) -> str:
    """Prompt versions for the dataset card: the template's plus each LLM task's."""
    if config is None:
        return PROMPT_VERSION
    return ", ".join([PROMPT_VERSION, *(PROMPT_VERSIONS[task] for task in config.tasks)])


def usage_details(stats: UsageStats, config: LLMConfig, elapsed_s: float) -> dict[str, Any]:
    """The ``generate.details.openai`` section of the build report."""
    details = stats.to_dict()
    details["model"] = config.model
    details["elapsed_s"] = round(elapsed_s, 3)
    details["requests_per_s"] = round(stats.requests_sent / elapsed_s, 2) if elapsed_s > 0 else 0.0
    details["cache_path"] = config.cache_path
    cost = stats.cost(config.prices, config.model)
    if cost is not None:
        details["cost"] = cost
    return details
