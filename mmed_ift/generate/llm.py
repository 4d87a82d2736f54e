"""LLM-assisted generator over any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, TGI).

``--generator openai`` keeps every template sample (one per MC item, starting with the ``Answer: B``
line the evaluator parses; QA and passage samples) and adds what only a model can write:

* ``rationale`` (MMed-IFT-MC): why the keyed answer is right and every other option wrong;
* ``knowledge`` (MMed-IFT): instruction samples of several styles from a QA pair or passage;
* ``translate`` (MMed-IFT): English MMed-IFT samples in the build's other languages, with the
  language of every turn and the numbers and units checked against the source; with a
  composition policy (``--target-size``), instead the rows that fill each language's shortfall,
  from either dataset and any language (:func:`translate_samples`, docs/gap-filling.md);
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

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from tqdm.auto import tqdm

from mmed_ift.errors import BuildError
from mmed_ift.generate.batch import run_in_batches
from mmed_ift.generate.batch_store import BatchStore
from mmed_ift.generate.cache import RequestCache
from mmed_ift.generate.client import LLMClient, LLMSetupError, RequestFailed
from mmed_ift.generate.deferral import Deferred
from mmed_ift.generate.llm_config import LLMConfig as LLMConfig
from mmed_ift.generate.llm_config import prompt_versions_label as prompt_versions_label
from mmed_ift.generate.llm_config import usage_details as usage_details
from mmed_ift.generate.parsing import OutputError, parse_output
from mmed_ift.generate.prompts import repair_turns
from mmed_ift.generate.prompts import translate as translate_prompts
from mmed_ift.generate.tasks import (
    Job,
    JobRejected,
    Origin,
    english_ift_samples,
    judge_job,
    knowledge_job,
    rationale_job,
    translate_job,
)
from mmed_ift.generate.usage import UsageStats
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject, Sample

log = logging.getLogger(__name__)

T = TypeVar("T")


# -- running jobs ------------------------------------------------------------------------------


@dataclass
class JobOutcome:
    samples: list[Sample] = field(default_factory=list)
    reject: Reject | None = None
    #: batch mode's collect round: the job waits for a reply that the next batch brings
    deferred: bool = False


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
        except Deferred:
            return JobOutcome(deferred=True)
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
    jobs: Iterable[Job],
    client: LLMClient,
    max_output_retries: int,
    progress: bool,
    desc: str,
    on_job: Callable[[Job], None] | None = None,
) -> list[JobOutcome]:
    """All jobs, at most ``concurrency`` requests at a time; outcomes in job order, whatever order
    the replies arrive in, so the output is the same on every run.

    ``jobs`` may be a generator: it is consumed one job at a time, as a worker frees up, so no
    list of every prompt is ever held (memory stays flat in the number of requests; only the
    outcomes, which hold the replies, accumulate).  ``on_job`` sees each job as it is taken, in
    job order, for a caller that must remember something about it (the judge's inputs)."""
    outcomes: list[JobOutcome | None] = []
    feed = iter(jobs)
    total = len(jobs) if isinstance(jobs, Sized) else None
    bar = tqdm(total=total, desc=desc, unit="req", disable=not progress or total == 0)

    async def worker() -> None:
        while True:
            # next() runs without an await between it and the append: jobs are numbered in order
            job = next(feed, None)
            if job is None:
                return
            index = len(outcomes)
            outcomes.append(None)
            if on_job is not None:
                on_job(job)
            outcomes[index] = await run_job(job, client, max_output_retries)
            bar.update(1)

    # More workers than request slots: a worker waiting out a backoff must not idle a slot.
    count = client.settings.concurrency * 2 if total is None else min(total, client.settings.concurrency * 2)
    workers = [asyncio.ensure_future(worker()) for _ in range(count)]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        bar.close()
    return [outcome for outcome in outcomes if outcome is not None]


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
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


def first_phase_jobs(items: Sequence[Item], config: LLMConfig) -> list[Job]:
    """Rationale and knowledge jobs: they depend only on source items."""
    return list(iter_first_phase_jobs(items, config))


def iter_first_phase_jobs(items: Iterable[Item], config: LLMConfig) -> Iterator[Job]:
    """:func:`first_phase_jobs` one at a time (what a build streams into :func:`run_jobs`)."""
    for item in items:
        if isinstance(item, MCQuestion) and "rationale" in config.tasks:
            yield rationale_job(item, config.model)
        elif isinstance(item, QAPair | Passage) and "knowledge" in config.tasks:
            for style in config.knowledge_styles:
                yield knowledge_job(item, style, config.model, config.max_source_chars)


def translate_jobs(samples: Sequence[Sample], config: LLMConfig, languages: Sequence[str]) -> list[Job]:
    return list(iter_translate_jobs(samples, config, languages))


def iter_translate_jobs(samples: Sequence[Sample], config: LLMConfig, languages: Sequence[str]) -> Iterator[Job]:
    """:func:`translate_jobs` one at a time."""
    if "translate" not in config.tasks:
        return
    targets = translate_targets(config, languages)
    for sample in english_ift_samples(list(samples)):
        for target in targets:
            yield translate_job(sample, target, config.model)


class JobRef(NamedTuple):
    """What a phase keeps of a job once it has run: the judge's inputs (``source_text`` is empty
    when the judge is not a task), not the prompt."""

    origin: Origin
    source_text: str


@dataclass
class Phase:
    """One phase of the generation (first: rationale and knowledge; second: translations).

    ``outcomes`` holds one outcome per job, in job order, then (with ``judge``) one reject-only
    outcome per sample the judge refused; ``judge_owners`` gives the job each of those came from.
    """

    jobs: list[JobRef] = field(default_factory=list)
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
    owners: list[int] = []

    def judge_jobs() -> Iterator[Job]:
        for index, (outcome, job) in enumerate(zip(phase.outcomes, phase.jobs, strict=True)):
            for sample in outcome.samples:
                owners.append(index)
                yield judge_job(sample, job.source_text, job.origin, config.judge_threshold)

    verdicts = await run_jobs(judge_jobs(), client, config.max_output_retries, progress, "llm judge")
    judged = [JobOutcome(reject=outcome.reject) for outcome in phase.outcomes]
    extra_rejects: list[Reject] = []
    extra_owners: list[int] = []
    for owner, verdict in zip(owners, verdicts, strict=True):
        judged[owner].samples.extend(verdict.samples)
        if verdict.reject is not None:
            extra_rejects.append(verdict.reject)
            extra_owners.append(owner)
    return Phase(phase.jobs, judged + [JobOutcome(reject=reject) for reject in extra_rejects], extra_owners)


async def _run_phase(jobs: Iterable[Job], client: LLMClient, config: LLMConfig, progress: bool, desc: str) -> Phase:
    """Stream ``jobs`` through :func:`run_jobs`, keeping of each only its :class:`JobRef`."""
    refs: list[JobRef] = []
    judging = "judge" in config.tasks

    def remember(job: Job) -> None:
        refs.append(JobRef(job.origin, job.source_text if judging else ""))

    outcomes = await run_jobs(jobs, client, config.max_output_retries, progress, desc, on_job=remember)
    return Phase(refs, outcomes)


async def generate_with_client(
    items: Sequence[Item],
    template_samples: Sequence[Sample],
    config: LLMConfig,
    languages: Sequence[str],
    client: LLMClient,
    progress: bool = False,
) -> tuple[Phase, Phase]:
    """Both phases of the generation with a ready client (its cache, limits and stats are the
    caller's, who also closes it): rationale and knowledge jobs for ``items``, then translations
    of the English MMed-IFT samples among ``template_samples`` and the first phase's samples.

    The local build runs this once over all items (:func:`generate_llm_samples`); the Ray engine
    once per batch, with a client from :func:`mmed_ift.pipeline.distributed.llm_gateway.gateway_client`.
    """
    first = await _run_phase(iter_first_phase_jobs(items, config), client, config, progress, "llm generate")
    first = await _judged(first, client, config, progress)
    jobs2 = iter_translate_jobs([*template_samples, *first.samples], config, languages)
    second = await _run_phase(jobs2, client, config, progress, "llm translate")
    second = await _judged(second, client, config, progress)
    return first, second


@dataclass
class LLMResult:
    samples: list[Sample]
    rejects: list[Reject]
    stats: UsageStats
    elapsed_s: float


Work = Callable[[LLMClient, bool], Coroutine[Any, Any, tuple[Phase, ...]]]


async def _run(config: LLMConfig, work: Work, progress: bool) -> LLMResult:
    """``work``'s phases with a client on the build's cache, online or in batches."""
    assert config.cache_path, "call LLMConfig.with_default_cache first"
    cache = RequestCache(Path(config.cache_path))
    stats = UsageStats()
    started = time.perf_counter()
    client = LLMClient(config.client_settings(), cache, stats)
    try:
        if config.llm_mode == "batch":
            store = BatchStore(Path(config.cache_path))
            try:
                phases, stats = await run_in_batches(
                    lambda: work(client, False), client, store, config.batch_settings(), progress
                )
            finally:
                store.close()
        else:
            phases = await work(client, progress)
    finally:
        await client.aclose()
        cache.close()
    return LLMResult(
        samples=[sample for phase in phases for sample in phase.samples],
        rejects=[reject for phase in phases for reject in phase.rejects],
        stats=stats,
        elapsed_s=time.perf_counter() - started,
    )


def _run_sync(config: LLMConfig, work: Work, progress: bool) -> LLMResult:
    if not config.cache_path:
        raise BuildError("the LLM generator needs a request cache path (LLMConfig.with_default_cache)")
    try:
        return run_coroutine(lambda: _run(config, work, progress))
    except LLMSetupError as error:
        raise BuildError(str(error)) from None


def translate_samples(pairs: Sequence[tuple[Sample, str]], config: LLMConfig, progress: bool = False) -> LLMResult:
    """Each ``(sample, target language)`` translated (and judged, with ``judge``): how a
    composition's gaps are filled (:mod:`mmed_ift.compose.gapfill` chooses the pairs)."""

    async def work(client: LLMClient, show: bool) -> tuple[Phase, ...]:
        jobs = (translate_job(sample, target, config.model) for sample, target in pairs)
        phase = await _run_phase(jobs, client, config, show, "llm gap-fill")
        return (await _judged(phase, client, config, show),)

    result = _run_sync(config, work, progress)
    log.info("LLM gap-filling: %d of %d translations written", len(result.samples), len(pairs))
    return result


def generate_llm_samples(
    items: Sequence[Item],
    template_samples: Sequence[Sample],
    config: LLMConfig,
    languages: Sequence[str],
    progress: bool = False,
) -> LLMResult:
    """LLM samples for a build's items (and translations of its English samples), the rejects,
    and the traffic (see :func:`usage_details`).  ``config.cache_path`` must be set
    (:meth:`LLMConfig.with_default_cache`)."""

    async def work(client: LLMClient, show: bool) -> tuple[Phase, ...]:
        return await generate_with_client(items, template_samples, config, languages, client, show)

    result = _run_sync(config, work, progress)
    log.info(
        "LLM generator: %d samples, %d rejects, %d requests sent, %d cache hits",
        len(result.samples),
        len(result.rejects),
        result.stats.requests_sent,
        result.stats.cache_hits,
    )
    return result
