"""The local engine: the whole build in one process, from sources to Hub-ready folders.

Each stage is a function of a whole batch, and every record that does not make it to the output
is accounted for in the report and in ``rejects.jsonl``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm.auto import tqdm

from mmed_ift.errors import BuildError
from mmed_ift.hub.layout import DATASET_FOLDERS, DEFAULT_MAX_ROWS_PER_SHARD, write_dataset_tables
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.memory import no_cycle_collection, no_huge_pages, release_free_memory
from mmed_ift.pipeline.output import check_output, finished, staged_output, write_cards, write_rejects
from mmed_ift.pipeline.report import BuildReport, BuildResult, new_report
from mmed_ift.pipeline.sample_store import SampleStore
from mmed_ift.pipeline.sources import locate_sources, read_sources
from mmed_ift.pipeline.stages import (
    FilterFactory,
    apply_composition,
    default_filters,
    generate_samples,
    generate_template_rows,
    run_filters,
)
from mmed_ift.schemas import Item, Reject


def no_training_records(config: BuildConfig, names: list[str]) -> BuildError:
    return BuildError(
        f"the sources found hold no training records in {', '.join(config.languages)} ({', '.join(names)} were read)"
    )


def build(config: BuildConfig, filters: FilterFactory = default_filters) -> BuildResult:
    """Run the whole build; see :class:`BuildConfig`.  Raises :class:`BuildError` on failure.

    Memory: the items are let go of as soon as a stage no longer needs them (the read list once
    the chain has them, each survivor once its samples are made: :func:`generate_rows_releasing`),
    samples are Arrow rows spilled to a temporary folder (:class:`SampleStore`), read back one
    group at a time by the writer, and the freed heap pages go back to the kernel after the chain
    and after generating (:func:`~mmed_ift.pipeline.memory.release_free_memory`), so neither
    generating nor writing adds to the filter chain's peak."""
    check_output(config)
    report = new_report(config.to_dict())
    with report.timed("read"):
        located = locate_sources(config, report)
        collected = read_sources(config, located, report)
    if not collected.training:
        raise no_training_records(config, [adapter.spec.name for adapter, _ in located])
    steps = filters(config, collected.held_out, collected.training)
    read, collected.training = collected.training, []
    training, filter_rejects = run_filters(steps, read, report, config.progress, consume=True)
    del read, steps
    collected.held_out = []  # the benchmark items served the decontamination index only
    release_free_memory()  # the chain's text caches are gone: their pages back before generating
    for item in training:
        report.record_kept(item.source, item.split)
    with spill_folder() as spill:
        store = SampleStore(spill_dir=spill)
        try:
            with report.timed("generate"):
                generate_rejects = generate_into(store, training, report, config)
            del training
            release_free_memory()  # the items are gone: their pages back before the writer's buffers
            rejects = collected.rejects + filter_rejects + generate_rejects
            collected.rejects = []
            # the writer's Arrow buffers on ordinary pages: huge-page faults were most of its CPU;
            # the report that reads the shards back (``staged_output``'s end) too, or it faults in
            # fresh huge pages where the writer's freed pages would do (200k bench corpus: the
            # build's "other" CPU 2.4 -> 1.5 s)
            with no_huge_pages(), staged_output(config, report) as staging, report.timed("write"):
                per_dataset: dict[str, dict[str, dict[str, int]]] = {}
                for dataset, folder_name in DATASET_FOLDERS.items():
                    folder = staging / folder_name
                    folder.mkdir(parents=True)
                    per_dataset[dataset] = write_dataset_folder(folder, store, dataset)
                    release_free_memory()  # the shards' tables: their pages back before the next, and the report
                write_cards(staging, per_dataset, store.used, report, config, store.composition)
                write_rejects(staging, rejects)
        finally:
            store.close()
    return finished(config, report, rejects)


@contextmanager
def spill_folder() -> Iterator[Path]:
    """A private temporary folder for the sample store's spill files, removed however the build ends."""
    with tempfile.TemporaryDirectory(prefix="mmed-ift-samples-") as folder:
        yield Path(folder)


def generate_into(store: SampleStore, training: list[Item], report: BuildReport, config: BuildConfig) -> list[Reject]:
    """Every sample of the build into ``store``; returns the generate (and gap-filling) rejects.

    Template samples go straight in as they are made.  The LLM generator and a composition
    need the samples as models (they read, cut and translate them), so with either the samples
    are grouped first and stored after."""
    if config.llm_config() is None and config.composition is None:
        return generate_rows_releasing(training, report, config, store)
    grouped, rejects = generate_samples(training, report, config.progress, config)
    if config.composition is not None:
        with report.timed("compose"):
            grouped, fill_rejects = apply_composition(grouped, config, report)
        rejects += fill_rejects
    for by_lang in grouped.values():
        for by_split in by_lang.values():
            for split, samples in by_split.items():
                for sample in samples:
                    store.add(sample, split)
    return rejects


#: items the template generator is given at a time by :func:`generate_rows_releasing`
GENERATE_CHUNK = 4096


def generate_rows_releasing(
    training: list[Item], report: BuildReport, config: BuildConfig, store: SampleStore
) -> list[Reject]:
    """:func:`generate_template_rows` over ``training`` a chunk at a time, each chunk taken out
    of the list first, so an item is let go of once its rows are made (the list is emptied):
    the corpus's items and its samples are not all in memory at once.  The same rows, rejects
    and report as one call over the whole list: the generator is per item, and the report's
    tallies add up in the order first seen.

    The cycle collector stays paused over all the chunks, not only within each chunk's call
    (:func:`~mmed_ift.pipeline.memory.no_cycle_collection` there is then a no-op): re-enabled
    between chunks, it fired young and full passes over the pending rows and the items still to
    go, ~0.6 s of the 200k bench corpus's ~4.7 CPU s here, for no cycle."""
    rejects: list[Reject] = []
    with (
        no_cycle_collection(),
        tqdm(total=len(training), desc="generate", unit="item", disable=not config.progress) as bar,
    ):
        while training:
            chunk = training[:GENERATE_CHUNK]
            del training[:GENERATE_CHUNK]
            rejects += generate_template_rows(chunk, report, False, config, store)
            bar.update(len(chunk))
    return rejects


def write_dataset_folder(
    folder: Path, store: SampleStore, dataset: str, max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD
) -> dict[str, dict[str, int]]:
    """One dataset's folder from ``store`` (each group's rows leave the store as they are written)."""
    counts = store.counts(dataset)
    return write_dataset_tables(folder, counts, lambda lang, split: store.take(dataset, lang, split), max_rows)
