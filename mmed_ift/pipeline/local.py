"""The local engine: the whole build in one process, from sources to Hub-ready folders.

Each stage is a function of a whole batch, and every record that does not make it to the output
is accounted for in the report and in ``rejects.jsonl``.
"""

from __future__ import annotations

from collections import Counter

from mmed_ift.errors import BuildError
from mmed_ift.hub.layout import DATASET_FOLDERS, write_dataset_folder
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.output import check_output, finished, staged_output, write_cards, write_rejects
from mmed_ift.pipeline.report import BuildResult, new_report
from mmed_ift.pipeline.sources import locate_sources, read_sources
from mmed_ift.pipeline.stages import (
    FilterFactory,
    apply_composition,
    default_filters,
    generate_samples,
    run_filters,
)


def no_training_records(config: BuildConfig, names: list[str]) -> BuildError:
    return BuildError(
        f"the sources found hold no training records in {', '.join(config.languages)} ({', '.join(names)} were read)"
    )


def build(config: BuildConfig, filters: FilterFactory = default_filters) -> BuildResult:
    """Run the whole build; see :class:`BuildConfig`.  Raises :class:`BuildError` on failure."""
    check_output(config)
    report = new_report(config.to_dict())
    with report.timed("read"):
        located = locate_sources(config, report)
        collected = read_sources(config, located, report)
    if not collected.training:
        raise no_training_records(config, [adapter.spec.name for adapter, _ in located])
    steps = filters(config, collected.held_out, collected.training)
    training, filter_rejects = run_filters(steps, collected.training, report, config.progress)
    for item in training:
        report.record_kept(item.source, item.split)
    with report.timed("generate"):
        grouped, generate_rejects = generate_samples(training, report, config.progress, config)
    if config.composition is not None:
        with report.timed("compose"):
            grouped, fill_rejects = apply_composition(grouped, config, report)
        generate_rejects += fill_rejects
    rejects = collected.rejects + filter_rejects + generate_rejects

    with staged_output(config, report) as staging, report.timed("write"):
        per_dataset: dict[str, dict[str, dict[str, int]]] = {}
        used: dict[str, Counter[str]] = {}
        composition: dict[str, Counter[tuple[str, str, str]]] = {}
        for dataset, folder_name in DATASET_FOLDERS.items():
            folder = staging / folder_name
            folder.mkdir(parents=True)
            per_dataset[dataset] = write_dataset_folder(folder, grouped.get(dataset, {}))
            used[dataset] = Counter(
                sample.provenance.source
                for per_split in grouped.get(dataset, {}).values()
                for samples in per_split.values()
                for sample in samples
            )
            composition[dataset] = Counter(
                (sample.lang, sample.task, sample.provenance.source)
                for per_split in grouped.get(dataset, {}).values()
                for samples in per_split.values()
                for sample in samples
            )
        write_cards(staging, per_dataset, used, report, config, composition)
        write_rejects(staging, rejects)
    return finished(config, report, rejects)
