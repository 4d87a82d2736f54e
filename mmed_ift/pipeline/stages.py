"""The stages between reading and writing, as both engines run them.

The rules that decide a record's fate live in the filters and generators; this module holds the
orchestration the two engines share: which filters a build runs, how one step's outcome is
recorded in the report, and how one item becomes template samples (or a ``generate`` reject).
The local engine also runs the whole chain here (:func:`run_filters`, :func:`generate_samples`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from tqdm.auto import tqdm

from mmed_ift.errors import BuildError
from mmed_ift.filters.base import Filter, FilterStats, Rejection, retain_texts, texts_once
from mmed_ift.filters.chain import FilterContext, build_filter_chain
from mmed_ift.generate import sections, template
from mmed_ift.generate.llm import generate_llm_samples, translate_samples, usage_details
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.memory import no_cycle_collection, release_free_memory
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.sample_store import SampleStore
from mmed_ift.schemas import Item, Passage, Reject, Sample
from mmed_ift.sources import registry

if TYPE_CHECKING:
    from mmed_ift.compose.apply import Gap

#: samples grouped as dataset -> language -> split
Grouped = dict[str, dict[str, dict[str, list[Sample]]]]
#: (config, held-out benchmark items, training items) -> the filter chain
FilterFactory = Callable[[BuildConfig, list[Item], Sequence[Item]], list[Filter[Any]]]


def patient_dialogue_sources() -> frozenset[str]:
    """Sources whose records are patient dialogue (the PII scrub's scope)."""
    return frozenset(name for name, adapter in registry().items() if adapter.spec.extra.get("patient_dialogue"))


def default_filters(config: BuildConfig, held_out: list[Item], training: Sequence[Item] = ()) -> list[Filter[Any]]:
    """PII scrub, language ID, exact + near dedup, decontamination against ``held_out``; the
    ``training`` items of multilingual releases link an item's language versions (decontam).
    Built with the cycle collector paused (:func:`~mmed_ift.pipeline.memory.no_cycle_collection`):
    the benchmark index's allocations fired a full pass over every item read, for nothing."""
    from mmed_ift.filters.decontam_xling import family

    with no_cycle_collection():
        context = FilterContext(
            held_out=held_out,
            patient_dialogue_sources=patient_dialogue_sources(),
            parallel=[item for item in training if family(item.source) is not None],
        )
        return build_filter_chain(config.filter_options, context)


def record_step(
    report: BuildReport,
    step: Filter[Any],
    seen: int,
    stats: FilterStats,
    rejections: Sequence[Rejection],
) -> None:
    """One filter step's counts, reasons and details in the report (both engines; the per-source
    reject counts are the engine's: the local one records each reject, Ray groups its rows)."""
    counts = report.step(step.name)
    counts.seen += seen
    counts.kept += seen - len(rejections)
    for rejection in rejections:
        counts.rejected[rejection.reject.reason] += 1
    counts.extra = step.details(stats, rejections)


def run_filters(
    steps: Sequence[Filter[Any]], items: list[Item], report: BuildReport, progress: bool, consume: bool = False
) -> tuple[list[Item], list[Reject]]:
    """The filter chain over the whole corpus on this machine (each item's text built and
    normalised once for all steps: :func:`~mmed_ift.filters.base.texts_once`), with the cycle
    collector paused (:func:`~mmed_ift.pipeline.memory.no_cycle_collection`): the steps build
    no reference cycles, but their allocations (texts, keys, rejections) fire the collector's
    full passes, each walking every item of the corpus, for nothing (a fifth of exact dedup's
    CPU on the 20k bench corpus).

    ``consume``: ``items`` is emptied once the first step has its own list of survivors, so a
    caller's list (which a call cannot stop holding) does not keep each step's rejected items
    (and the originals of rewritten ones) alive to the end of the chain: ~20k items, ~40 MiB,
    at the 200k bench corpus's dedup steps."""
    with no_cycle_collection(), texts_once():
        return _run_steps(steps, items, report, progress, consume)


def _run_steps(
    steps: Sequence[Filter[Any]], items: list[Item], report: BuildReport, progress: bool, consume: bool
) -> tuple[list[Item], list[Reject]]:
    rejects: list[Reject] = []
    given = items if consume else None
    for step in tqdm(list(steps), desc="filters", unit="step", disable=not progress):
        with report.timed(f"filter:{step.name}"):
            result = step.process(items)
        if len(result.kept) + len(result.rejections) != len(items):
            raise BuildError(
                f"filter {step.name} returned {len(result.kept)} kept + {len(result.rejections)} rejected"
                f" for {len(items)} items; a filter must account for every item"
            )
        record_step(report, step, len(items), result.stats, result.rejections)
        for reject in result.rejected:
            report.record_reject(reject)
        rejects.extend(result.rejected)
        retain_texts(result.kept, items)  # the rejected items' cached texts (and the items) go now
        items = result.kept
        if given is not None and given is not items:
            given.clear()
            given = None
        del result  # and the step's rejections (their reject records stay in ``rejects``)
        # A step frees its working memory (langid's views and scores, the dedup keys, near
        # dedup's shingle and signature arrays, a rejected item's raw text): the freed heap pages
        # go back to the kernel before the next step, which cannot always reuse them (200k bench
        # corpus: RSS after langid -44 MiB, after exact dedup -36, the chain's peak -18).
        release_free_memory()
    return items, rejects


def template_options(config: BuildConfig | None) -> template.TemplateOptions:
    """The template generator's options of a build (the defaults without a config)."""
    return template.TemplateOptions(system_message=config.system_message if config is not None else False)


def template_samples(item: Item, options: template.TemplateOptions | None = None) -> list[Sample] | Reject:
    """The template generator's samples of one item, or the reject of an item that cannot make
    a valid sample (``invalid_sample``) or a clean target (``pii_in_target``, ``empty_after_cleanup``)."""
    try:
        if isinstance(item, Passage) and item.section is not None:
            return sections.section_samples(item, options)  # an article section: section-aware wording
        return template.generate(item, options)
    except (ValidationError, template.TemplateReject) as error:
        reason = error.reason if isinstance(error, template.TemplateReject) else "invalid_sample"
        return Reject(
            stage="generate",
            reason=reason,
            detail=str(error).splitlines()[0],
            source=item.source,
            location=item.location,
            source_id=item.source_id,
            lang=item.lang,
            split=item.split,
        )


def template_rows(item: Item, options: template.TemplateOptions) -> list[dict[str, Any]] | None:
    """The rows (``Sample.to_row()``) of :func:`template_samples`'s samples of one item, built
    without the models; ``None`` where that gives a reject (or a row the checks of
    :func:`~mmed_ift.generate.template.sample_row` doubt), so the caller asks the models."""
    try:
        if isinstance(item, Passage) and item.section is not None:
            drafts = sections.section_drafts(item)
        else:
            drafts = template.drafts(item)
    except template.TemplateReject:
        return None
    rows = []
    for draft in drafts:
        row = template.sample_row(item, draft, options)
        if row is None:
            return None
        rows.append(row)
    return rows


def generate_template(
    items: Sequence[Item],
    report: BuildReport,
    progress: bool,
    config: BuildConfig | None,
    add: Callable[[Sample, str], None],
) -> list[Reject]:
    """The template generator over ``items``: each sample goes to ``add`` (with its item's split)
    as it is made, so a caller may keep it in any form; returns the ``generate`` rejects.
    A caller that keeps rows uses :func:`generate_template_rows` (no models)."""
    rejects: list[Reject] = []
    counts = report.step("generate")
    options = template_options(config)
    for item in tqdm(items, desc="generate", unit="item", disable=not progress):
        counts.seen += 1
        made = template_samples(item, options)
        if isinstance(made, Reject):
            counts.rejected[made.reason] += 1
            rejects.append(made)
            continue
        counts.kept += 1
        for sample in made:
            add(sample, item.split)
            report.tasks[(sample.dataset, sample.lang, sample.task)] += 1
            report.source_tasks[(sample.dataset, sample.lang, sample.provenance.source, sample.task)] += 1
    return rejects


def generate_template_rows(
    items: Sequence[Item], report: BuildReport, progress: bool, config: BuildConfig | None, store: SampleStore
) -> list[Reject]:
    """:func:`generate_template` into ``store`` as rows built without the models
    (:func:`template_rows`): the same rows, at a fraction of the CPU of validating three models
    per sample.  The report's task counts are tallied once per (dataset, language, source, task)
    at the end, not per sample.  The cycle collector is paused meanwhile (making rows builds no
    cycles, but its allocations fired full passes over every item: a quarter of the stage's CPU)."""
    with no_cycle_collection():
        return _generate_template_rows(items, report, progress, config, store)


def _generate_template_rows(
    items: Sequence[Item], report: BuildReport, progress: bool, config: BuildConfig | None, store: SampleStore
) -> list[Reject]:
    options = template_options(config)
    rejects: list[Reject] = []
    counts = report.step("generate")
    made: Counter[tuple[str, str, str, str]] = Counter()
    for item in tqdm(items, desc="generate", unit="item", disable=not progress):
        rows = template_rows(item, options)
        if rows is None:  # a reject, or a doubtful row: the models decide, as on the other path
            outcome = template_samples(item, options)
            if isinstance(outcome, Reject):
                rejects.append(outcome)
                continue
            rows = [sample.to_row() for sample in outcome]
        split = item.split
        for row in rows:
            store.add_row(row, split)
            made[(row["dataset"], row["lang"], item.source, row["task"])] += 1
    counts.seen += len(items)
    counts.kept += len(items) - len(rejects)
    for reject in rejects:
        counts.rejected[reject.reason] += 1
    for (dataset, lang, source, task), count in made.items():
        report.tasks[(dataset, lang, task)] += count
        report.source_tasks[(dataset, lang, source, task)] += count
    return rejects


def generate_samples(
    items: list[Item], report: BuildReport, progress: bool, config: BuildConfig | None = None
) -> tuple[Grouped, list[Reject]]:
    """Template samples (and, with the LLM generator, the model's) grouped by dataset, language, split."""
    grouped: Grouped = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))

    def add(sample: Sample, split: str) -> None:
        grouped[sample.dataset][sample.lang][split].append(sample)

    rejects = generate_template(items, report, progress, config, add)
    counts = report.step("generate")
    llm = config.llm_config() if config is not None else None
    if config is not None and config.composition is not None and llm is not None:
        # with a composition, translations fill its gaps (apply_composition), not every language
        llm = replace(llm, tasks=tuple(task for task in llm.tasks if task != "translate"))
    if config is not None and llm is not None:
        # Template samples stay (MC, QA, passages); the LLM adds to them, MC rationales under their own wording.
        produced = [
            s for by_lang in grouped.values() for by_split in by_lang.values() for x in by_split.values() for s in x
        ]
        result = generate_llm_samples(items, produced, llm, config.languages, progress)
        counts.extra["openai"] = usage_details(result.stats, llm, result.elapsed_s)
        for sample in result.samples:
            grouped[sample.dataset][sample.lang][sample.provenance.split].append(sample)
            report.tasks[(sample.dataset, sample.lang, sample.task)] += 1
            report.source_tasks[(sample.dataset, sample.lang, sample.provenance.source, sample.task)] += 1
        for reject in result.rejects:
            counts.rejected[reject.reason] += 1
        rejects.extend(result.rejects)
    return grouped, rejects


def apply_composition(grouped: Grouped, config: BuildConfig, report: BuildReport) -> tuple[Grouped, list[Reject]]:
    """Training rows cut or repeated to the ``--target-size`` policy, and each language's
    shortfall translated by the LLM generator (with ``translate`` among its tasks); the report's
    task counts then describe what is written, and ``composition`` what was available, chosen,
    written by the model and left unfilled.  Returns the rows and the gap-filling's rejects."""
    from mmed_ift.compose.apply import compose

    assert config.composition is not None
    published = as_published(grouped)
    composed, composition = compose(published, config.languages, config.composition)
    report.composition = composition.to_dict()
    result: Grouped = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for dataset, by_lang in composed.items():
        for lang, by_split in by_lang.items():
            for split, samples in by_split.items():
                result[dataset][lang][split] = samples
    rejects = fill_gaps(published, composition.gaps, config, report, result)
    report.tasks.clear()
    report.source_tasks.clear()
    for by_lang in result.values():
        for by_split in by_lang.values():
            for samples in by_split.values():
                for sample in samples:
                    report.tasks[(sample.dataset, sample.lang, sample.task)] += 1
                    report.source_tasks[(sample.dataset, sample.lang, sample.provenance.source, sample.task)] += 1
    return result, rejects


def fill_gaps(
    published: Grouped, gaps: Sequence[Gap], config: BuildConfig, report: BuildReport, result: Grouped
) -> list[Reject]:
    """The LLM's translations of the rows :func:`~mmed_ift.compose.gapfill.choose_sources`
    picks, added to ``result``'s training rows; ``composition.gap_fill`` says what was written."""
    from collections import Counter

    from mmed_ift.compose.gapfill import choose_sources, fill_report, translation_pairs

    assert config.composition is not None and report.composition is not None
    choices = choose_sources(published, gaps, config.composition.seed)
    llm = config.llm_config()
    pairs = translation_pairs(choices)
    if llm is None or "translate" not in llm.tasks or not pairs:
        report.composition["gap_fill"] = fill_report(choices, Counter(), Counter())
        if gaps and (llm is None or "translate" not in llm.tasks):
            report.composition["gap_fill"]["note"] = "nothing translated: needs --generator openai, task translate"
        return []
    outcome = translate_samples(pairs, llm, config.progress)
    for sample in outcome.samples:
        result[sample.dataset][sample.lang]["train"].append(sample)
    counts = report.step("generate")
    for reject in outcome.rejects:
        counts.rejected[reject.reason] += 1
    written = Counter(sample.lang for sample in outcome.samples)
    section = fill_report(choices, written, Counter(reject.reason for reject in outcome.rejects))
    section["openai"] = usage_details(outcome.stats, llm, outcome.elapsed_s)
    report.composition["gap_fill"] = section
    return outcome.rejects


def as_published(grouped: Grouped) -> Grouped:
    """Rows of a split that will be published as ``train`` (:func:`~mmed_ift.hub.layout.published_splits`)
    moved there now, so that the composition counts what a user will train on."""
    from mmed_ift.hub.layout import published_splits

    moved: Grouped = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for dataset, by_lang in grouped.items():
        targets = published_splits(
            {lang: {split: len(rows) for split, rows in by_split.items()} for lang, by_split in by_lang.items()}
        )
        for lang, by_split in by_lang.items():
            for split, samples in by_split.items():
                moved[dataset][lang][targets.get((lang, split), split)].extend(samples)
    return moved
