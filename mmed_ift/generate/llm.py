"""LLM-assisted generator over any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, TGI).

``--generator openai`` keeps every template sample (the bare ``Answer: B`` MC form the evaluator
parses, QA and passage samples) and adds what only a model can write:

* ``rationale`` (MMed-IFT-MC): why the keyed answer is right and every other option wrong;
* ``knowledge`` (MMed-IFT): instruction samples of several styles from a QA pair or passage;
* ``translate`` (MMed-IFT): English MMed-IFT samples in the build's other languages, with the
  language of every turn and the numbers and units checked against the source;
* ``judge`` (optional): a faithfulness score for every generated sample; low scores are rejected.

Every reply is cached on disk (:mod:`mmed_ift.generate.cache`) as soon as it arrives, so a rerun
sends nothing and a killed run resumes where it stopped; sample ids are deterministic, so a
resumed run has no duplicates.  Requests, retries, tokens and (from an optional price table) cost
go into ``build_report.json`` under ``generate.details.openai``.

Wiring: :func:`add_llm_arguments` adds the flags to ``build``; :func:`config_from_args` turns them
into an :class:`LLMConfig`; the pipeline calls :func:`generate_llm_samples`; ``--dry-run`` calls
:func:`dry_run` and :func:`format_plan`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tqdm.auto import tqdm

from mmed_ift.errors import BuildError
from mmed_ift.generate.cache import RequestCache, request_key
from mmed_ift.generate.client import (
    FORMAT_MODES,
    ClientSettings,
    LLMClient,
    LLMSetupError,
    RequestFailed,
    UsageStats,
    estimate_tokens,
    request_params,
)
from mmed_ift.generate.parsing import OutputError, parse_output
from mmed_ift.generate.prompts import knowledge as knowledge_prompts
from mmed_ift.generate.prompts import repair_turns
from mmed_ift.generate.prompts import translate as translate_prompts
from mmed_ift.generate.tasks import (
    PROMPT_VERSIONS,
    TASKS,
    Job,
    JobRejected,
    LicenseLookup,
    english_ift_samples,
    judge_job,
    knowledge_job,
    rationale_job,
    translate_job,
)
from mmed_ift.schemas import Item, MCQuestion, Message, Passage, Provenance, QAPair, Reject, Sample

if TYPE_CHECKING:
    from mmed_ift.pipeline import BuildConfig
    from mmed_ift.report import BuildReport

log = logging.getLogger(__name__)

DEFAULT_TASKS: tuple[str, ...] = ("rationale", "knowledge", "translate")
T = TypeVar("T")


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
        if self.response_format != "auto" and self.response_format not in FORMAT_MODES:
            raise BuildError(f"--response-format must be auto or one of {', '.join(FORMAT_MODES)}")
        if self.concurrency < 1:
            raise BuildError("--concurrency must be at least 1")
        if self.max_requests is not None and self.max_requests < 0:
            raise BuildError("--max-requests must be 0 or more")

    def with_default_cache(self, out_dir: Path) -> LLMConfig:
        """Fill in the cache path beside the output folder (not inside: a build replaces that)."""
        if self.cache_path:
            return self
        return replace(self, cache_path=str(out_dir.with_name(out_dir.name + ".llm-cache.sqlite")))

    def client_settings(self) -> ClientSettings:
        return ClientSettings(**{item.name: getattr(self, item.name) for item in fields(ClientSettings)})


def prompt_versions_label(config: LLMConfig | None) -> str:
    """Prompt versions for the dataset card: the template's plus each LLM task's."""
    from mmed_ift.generate.template import PROMPT_VERSION

    if config is None:
        return PROMPT_VERSION
    return ", ".join([PROMPT_VERSION, *(PROMPT_VERSIONS[task] for task in config.tasks)])


# -- running jobs ------------------------------------------------------------------------------


@dataclass
class JobOutcome:
    samples: list[Sample] = field(default_factory=list)
    reject: Reject | None = None


async def run_job(job: Job, client: LLMClient, max_output_retries: int) -> JobOutcome:
    """Send a job, validate the reply, retry with the problem shown to the model, or reject."""
    counts = client.stats.task(job.task)
    counts["jobs"] += 1
    messages = job.messages
    last: OutputError | None = None
    for attempt in range(max_output_retries + 1):
        if attempt:
            client.stats.output_retries += 1
        try:
            response = await client.complete(messages, job.output_model, job.prompt_version, attempt)
        except RequestFailed as error:
            counts[f"rejected:{error.reason}"] += 1
            return JobOutcome(reject=job.origin.reject(f"{job.task}:{error.reason}", error.detail, job.lang))
        try:
            output = parse_output(response.content, job.output_model)
            samples = job.accept(output)
        except OutputError as error:
            if response.finish_reason == "length":
                error = OutputError(error.reason, f"{error.detail}; the reply hit max_tokens (raise --max-tokens)")
            last = error
            log.debug("%s job %s: %s", job.task, job.origin.source_id, error)
            messages = job.messages + repair_turns(job.lang, response.content, error.detail)
            continue
        except JobRejected as error:
            counts[f"rejected:{error.reason}"] += 1
            return JobOutcome(reject=job.origin.reject(f"{job.task}:{error.reason}", error.detail, job.lang))
        counts["accepted"] += 1
        counts["samples"] += len(samples)
        return JobOutcome(samples=samples)
    assert last is not None
    counts[f"rejected:{last.reason}"] += 1
    detail = f"{last.detail} (after {max_output_retries + 1} attempts)"
    return JobOutcome(reject=job.origin.reject(f"{job.task}:{last.reason}", detail, job.lang))


async def run_jobs(
    jobs: Sequence[Job], client: LLMClient, max_output_retries: int, progress: bool, desc: str
) -> list[JobOutcome]:
    """All jobs, at most ``concurrency`` requests at a time; outcomes in job order, whatever order
    the replies arrive in, so the output is the same on every run."""
    outcomes: list[JobOutcome | None] = [None] * len(jobs)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(jobs)):
        queue.put_nowait(index)
    bar = tqdm(total=len(jobs), desc=desc, unit="req", disable=not progress or not jobs)

    async def worker() -> None:
        while True:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            outcomes[index] = await run_job(jobs[index], client, max_output_retries)
            bar.update(1)

    # More workers than request slots: a worker waiting out a backoff must not idle a slot.
    workers = [asyncio.ensure_future(worker()) for _ in range(min(len(jobs), client.settings.concurrency * 2))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        bar.close()
    return [outcome for outcome in outcomes if outcome is not None]


def _run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run`` that also works when the caller already runs an event loop (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(factory()))
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


# -- planning ----------------------------------------------------------------------------------


def translate_targets(config: LLMConfig, languages: Sequence[str]) -> list[str]:
    chosen = config.translate_to if config.translate_to is not None else tuple(languages)
    return [lang for lang in chosen if lang != "en" and lang in translate_prompts.TARGETS]


def first_phase_jobs(items: Sequence[Item], config: LLMConfig, license_of: LicenseLookup) -> list[Job]:
    """Rationale and knowledge jobs: they depend only on source items."""
    jobs: list[Job] = []
    for item in items:
        if isinstance(item, MCQuestion) and "rationale" in config.tasks:
            jobs.append(rationale_job(item, config.model, license_of))
        elif isinstance(item, QAPair | Passage) and "knowledge" in config.tasks:
            jobs.extend(
                knowledge_job(item, style, config.model, license_of, config.max_source_chars)
                for style in config.knowledge_styles
            )
    return jobs


def translate_jobs(
    samples: Sequence[Sample], config: LLMConfig, languages: Sequence[str], license_of: LicenseLookup
) -> list[Job]:
    if "translate" not in config.tasks:
        return []
    targets = translate_targets(config, languages)
    return [
        translate_job(sample, target, config.model, license_of)
        for sample in english_ift_samples(list(samples))
        for target in targets
    ]


@dataclass
class Phase:
    """One phase of the generation (first: rationale and knowledge; second: translations).

    ``outcomes`` holds one outcome per job, in job order, then (with ``judge``) one reject-only
    outcome per sample the judge refused; ``judge_owners`` gives the job each of those came from.
    """

    jobs: list[Job] = field(default_factory=list)
    outcomes: list[JobOutcome] = field(default_factory=list)
    judge_owners: list[int] = field(default_factory=list)

    @property
    def samples(self) -> list[Sample]:
        return [sample for outcome in self.outcomes for sample in outcome.samples]

    @property
    def rejects(self) -> list[Reject]:
        return [outcome.reject for outcome in self.outcomes if outcome.reject is not None]


async def _judged(phase: Phase, client: LLMClient, config: LLMConfig, progress: bool) -> Phase:
    """Replace each generated sample by the judge's verdict on it (when ``judge`` is a task)."""
    if "judge" not in config.tasks:
        return phase
    judge_jobs: list[Job] = []
    owners: list[int] = []
    for index, (outcome, job) in enumerate(zip(phase.outcomes, phase.jobs, strict=True)):
        for sample in outcome.samples:
            judge_jobs.append(judge_job(sample, job.source_text, job.origin, config.judge_threshold))
            owners.append(index)
    verdicts = await run_jobs(judge_jobs, client, config.max_output_retries, progress, "llm judge")
    judged = [JobOutcome(reject=outcome.reject) for outcome in phase.outcomes]
    extra_rejects: list[Reject] = []
    extra_owners: list[int] = []
    for owner, verdict in zip(owners, verdicts, strict=True):
        judged[owner].samples.extend(verdict.samples)
        if verdict.reject is not None:
            extra_rejects.append(verdict.reject)
            extra_owners.append(owner)
    return Phase(phase.jobs, judged + [JobOutcome(reject=reject) for reject in extra_rejects], extra_owners)


async def generate_with_client(
    items: Sequence[Item],
    template_samples: Sequence[Sample],
    config: LLMConfig,
    languages: Sequence[str],
    license_of: LicenseLookup,
    client: LLMClient,
    progress: bool = False,
) -> tuple[Phase, Phase]:
    """Both phases of the generation with a ready client (its cache, limits and stats are the
    caller's, who also closes it): rationale and knowledge jobs for ``items``, then translations
    of the English MMed-IFT samples among ``template_samples`` and the first phase's samples.

    The local build runs this once over all items (:func:`generate_llm_samples`); the Ray engine
    once per batch, with a client from :func:`mmed_ift.engine.llm_gateway.gateway_client`.
    """
    jobs = first_phase_jobs(items, config, license_of)
    first = Phase(jobs, await run_jobs(jobs, client, config.max_output_retries, progress, "llm generate"))
    first = await _judged(first, client, config, progress)
    jobs2 = translate_jobs([*template_samples, *first.samples], config, languages, license_of)
    second = Phase(jobs2, await run_jobs(jobs2, client, config.max_output_retries, progress, "llm translate"))
    second = await _judged(second, client, config, progress)
    return first, second


@dataclass
class LLMResult:
    samples: list[Sample]
    rejects: list[Reject]
    stats: UsageStats
    elapsed_s: float


async def _generate(
    items: Sequence[Item],
    template_samples: Sequence[Sample],
    config: LLMConfig,
    languages: Sequence[str],
    license_of: LicenseLookup,
    progress: bool,
) -> LLMResult:
    assert config.cache_path, "call LLMConfig.with_default_cache first"
    cache = RequestCache(Path(config.cache_path))
    stats = UsageStats()
    started = time.perf_counter()
    client = LLMClient(config.client_settings(), cache, stats)
    try:
        first, second = await generate_with_client(
            items, template_samples, config, languages, license_of, client, progress
        )
    finally:
        await client.aclose()
        cache.close()
    return LLMResult(
        samples=first.samples + second.samples,
        rejects=first.rejects + second.rejects,
        stats=stats,
        elapsed_s=time.perf_counter() - started,
    )


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


def generate_llm_samples(
    items: Sequence[Item],
    template_samples: Sequence[Sample],
    config: LLMConfig,
    languages: Sequence[str],
    license_of: LicenseLookup,
    report: BuildReport | None = None,
    progress: bool = False,
) -> tuple[list[Sample], list[Reject]]:
    """LLM samples for a build's items (and translations of its English samples), plus rejects.

    Traffic, tokens and cost are recorded under the report's ``generate`` step details.
    """
    if not config.cache_path:
        config = replace(config, cache_path=str(Path("mmed_ift_out.llm-cache.sqlite").resolve()))
    try:
        result = _run_coroutine(lambda: _generate(items, template_samples, config, languages, license_of, progress))
    except LLMSetupError as error:
        raise BuildError(str(error)) from None
    if report is not None:
        report.step("generate").extra["openai"] = usage_details(result.stats, config, result.elapsed_s)
    log.info(
        "LLM generator: %d samples, %d rejects, %d requests sent, %d cache hits",
        len(result.samples),
        len(result.rejects),
        result.stats.requests_sent,
        result.stats.cache_hits,
    )
    return result.samples, result.rejects


# -- dry run -----------------------------------------------------------------------------------


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
    license_of: LicenseLookup,
) -> Plan:
    """Count the first attempt of every request and how many the cache already answers.

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

    phase1 = first_phase_jobs(items, config, license_of)
    count(phase1, known=True)
    known_translations = translate_jobs(template_samples, config, languages, license_of)
    count(known_translations, known=True)
    # Stand-ins for knowledge samples not yet written: the source text plays the response.
    standins = [
        Sample(
            id=f"planned-{index}",
            lang=job.lang,
            dataset="ift",
            task=f"knowledge_{job.extra.get('style', '')}",
            messages=[
                Message(role="user", content=job.source_text[:200]),
                Message(role="assistant", content=job.source_text),
            ],
            provenance=Provenance(
                source=job.origin.source,
                source_id=job.origin.source_id,
                split=job.origin.split,  # type: ignore[arg-type]
                license="-",
                generator="openai",
                model=config.model,
                prompt_version=job.prompt_version,
            ),
        )
        for index, job in enumerate(phase1)
        if job.task == "knowledge" and job.lang == "en"
    ]
    count(translate_jobs(standins, config, languages, license_of), known=False)
    if "judge" in config.tasks:
        judged = len(phase1) + len(known_translations) + len(standins) * len(translate_targets(config, languages))
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


def dry_run(config: BuildConfig) -> Plan:
    """Read and filter the sources as a build would, then count what the LLM generator would send."""
    from mmed_ift import pipeline
    from mmed_ift.generate import template
    from mmed_ift.report import BuildReport
    from mmed_ift.sources import registry

    if config.llm is None:
        raise BuildError("--dry-run needs --generator openai")
    llm = config.llm.with_default_cache(config.out_dir)
    report = BuildReport()
    located = pipeline.locate_sources(config, report)
    collected = pipeline.read_sources(config, located, report)
    steps = pipeline.default_filters(config, collected.held_out)
    items, _rejects = pipeline.run_filters(steps, collected.training, report, config.progress)
    licenses = {name: adapter.spec.license for name, adapter in registry().items()}
    samples: list[Sample] = []
    for item in items:
        try:
            samples.extend(template.generate(item, licenses.__getitem__))
        except ValueError:
            continue
    plan = plan_requests(items, samples, llm, config.languages, licenses.__getitem__)
    plan.notes.insert(0, f"{len(items)} source items after filters; cache: {llm.cache_path}")
    return plan


def format_plan(plan: Plan) -> str:
    lines = [f"{'task':<12}{'requests':>10}{'cached':>10}{'to send':>10}"]
    for task, total in plan.requests.items():
        cached = plan.cached.get(task, 0)
        lines.append(f"{task:<12}{total:>10}{cached:>10}{total - cached:>10}")
    lines.append(f"{'total':<12}{sum(plan.requests.values()):>10}{sum(plan.cached.values()):>10}{plan.to_send:>10}")
    lines.append(f"\nestimated prompt tokens: {plan.prompt_tokens}")
    lines.append(f"max completion tokens:   {plan.max_completion_tokens}")
    if plan.cost_usd is not None:
        lines.append(f"estimated cost (upper bound): ${plan.cost_usd}")
    lines += [f"note: {note}" for note in plan.notes]
    lines.append("dry run: no request was sent")
    return "\n".join(lines)


# -- command line ------------------------------------------------------------------------------


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``build`` flags of the LLM generator (used with ``--generator openai``)."""
    group = parser.add_argument_group(
        "LLM generator (--generator openai)",
        "Any OpenAI-compatible server: OpenAI, vLLM, Ollama, llama.cpp's server, TGI. The API key is read from"
        " the environment variable --api-key-env names and is never printed or written.",
    )
    group.add_argument("--base-url", default=None, help="server URL, e.g. http://127.0.0.1:8000/v1")
    group.add_argument("--model", default=None, help="model name as the server knows it")
    group.add_argument("--api-key-env", default="OPENAI_API_KEY", help="environment variable holding the API key")
    group.add_argument(
        "--tasks",
        type=_csv,
        default=",".join(DEFAULT_TASKS),
        help=f"comma-separated, from {','.join(TASKS)} (default: %(default)s)",
    )
    group.add_argument(
        "--knowledge-styles",
        type=_csv,
        default=",".join(knowledge_prompts.STYLES),
        help="comma-separated knowledge styles (default: %(default)s)",
    )
    group.add_argument(
        "--translate-to", type=_csv, default=None, help="target languages (default: the built languages except en)"
    )
    group.add_argument("--temperature", type=float, default=0.0)
    group.add_argument("--top-p", type=float, default=1.0)
    group.add_argument("--max-tokens", type=int, default=1024, help="per reply (default: %(default)s)")
    group.add_argument("--seed", type=int, default=0, help="sampling seed sent to the server")
    group.add_argument(
        "--response-format", choices=["auto", *FORMAT_MODES], default="auto", help="structured output mode"
    )
    group.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default: %(default)s)")
    group.add_argument("--rpm", type=float, default=None, help="requests per minute limit")
    group.add_argument("--tpm", type=float, default=None, help="tokens per minute limit")
    group.add_argument("--request-timeout", type=float, default=120.0, help="seconds per request")
    group.add_argument("--max-retries", type=int, default=6, help="retries on 429/5xx/timeouts/dropped connections")
    group.add_argument("--max-output-retries", type=int, default=2, help="retries of malformed or failing replies")
    group.add_argument("--max-requests", type=int, default=None, help="send at most N requests (cache hits are free)")
    group.add_argument("--llm-cache", default=None, help="request cache file (default: <out>.llm-cache.sqlite)")
    group.add_argument("--judge-threshold", type=int, default=4, help="minimum judge score, 1-5")
    group.add_argument("--price-table", type=Path, default=None, help='JSON {"model": {"prompt": usd/1M, ...}}')
    group.add_argument("--dry-run", action="store_true", help="print the number of requests and tokens; send none")


def config_from_args(args: argparse.Namespace) -> LLMConfig | None:
    """An :class:`LLMConfig` from the ``build`` flags, or None for the template generator."""
    if args.generator != "openai":
        if getattr(args, "dry_run", False):
            raise BuildError("--dry-run needs --generator openai")
        return None
    if not args.base_url or not args.model:
        raise BuildError("--generator openai needs --base-url URL and --model NAME")
    prices = None
    if args.price_table is not None:
        try:
            prices = json.loads(args.price_table.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise BuildError(f"--price-table {args.price_table}: {error}") from None
    return LLMConfig(
        base_url=args.base_url,
        model=args.model,
        api_key_env=args.api_key_env,
        tasks=tuple(args.tasks),
        knowledge_styles=tuple(args.knowledge_styles),
        translate_to=tuple(args.translate_to) if args.translate_to is not None else None,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
        response_format=args.response_format,
        concurrency=args.concurrency,
        requests_per_minute=args.rpm,
        tokens_per_minute=args.tpm,
        timeout_s=args.request_timeout,
        max_retries=args.max_retries,
        max_output_retries=args.max_output_retries,
        max_requests=args.max_requests,
        cache_path=args.llm_cache,
        judge_threshold=args.judge_threshold,
        prices=prices,
        dry_run=args.dry_run,
    ).with_default_cache(args.out)
