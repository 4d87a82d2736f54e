"""The output of a build, written once for both engines: staging folder, cards, rejects, report, swap.

Everything is written into a staging folder beside ``--out`` and moved into place only when the
whole build succeeded, so a failed build leaves the previous one intact; what ``--out`` may be
and how the swap stays atomic is :mod:`mmed_ift.pipeline.outdir`.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mmed_ift import __version__
from mmed_ift.errors import BuildError
from mmed_ift.filters.measured import MEASURED
from mmed_ift.generate.llm import prompt_versions_label
from mmed_ift.hub.card import CardExtras, render_card
from mmed_ift.hub.checksums import output_checksums
from mmed_ift.hub.layout import DATASET_FOLDERS
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.outdir import check_out_dir, locked, new_staging, recover, swap_into_place
from mmed_ift.pipeline.report import BuildReport, BuildResult
from mmed_ift.pipeline.report_html import write_report_html
from mmed_ift.schemas import Reject
from mmed_ift.sources import bundled_samples_root, registry


def source_card_info(samples_by_source: Counter[str]) -> dict[str, dict[str, Any]]:
    """What the card says about each source that contributed samples."""
    info: dict[str, dict[str, Any]] = {}
    for name, count in sorted(samples_by_source.items()):
        spec = registry()[name].spec
        info[name] = {
            "languages": list(spec.languages),
            "license": spec.license,
            "kept": count,
            "url": spec.url,
            "citation": spec.citation,
        }
    return info


#: the item kinds each dataset is made from
DATASET_KINDS: dict[str, frozenset[str]] = {"mc": frozenset({"mc"}), "ift": frozenset({"qa", "passage"})}


def is_demo_build(config: BuildConfig) -> bool:
    """Whether the build read only the bundled sample files (no ``--sources``, no ``--hub``)."""
    return config.sources_dir is None and not config.hub_sources


def dataset_filter_counts(report: BuildReport, dataset: str) -> dict[str, dict[str, int]]:
    """Filter step -> reason -> records removed, over the sources whose kinds feed ``dataset``
    (the same on both engines: it reads the report's per-source counts)."""
    steps = report.filters_dict()
    removed: dict[str, dict[str, int]] = {step: {} for step in steps}
    adapters = registry()
    for name, info in report.per_source().items():
        if name not in adapters or not set(adapters[name].spec.kinds) & DATASET_KINDS[dataset]:
            continue
        for key, count in info["rejected_by_reason"].items():
            stage, _, reason = key.partition(":")
            if stage in removed:
                removed[stage][reason] = removed[stage].get(reason, 0) + count
    return removed


def write_card(
    folder: Path,
    dataset: str,
    counts: dict[str, dict[str, int]],
    used: Counter[str],
    filters: dict[str, Any],
    config: BuildConfig,
    extra: CardExtras | None = None,
) -> None:
    """The dataset card (``README.md``) of one written dataset folder."""
    card = render_card(
        dataset,
        counts,
        source_card_info(used),
        filters,
        repo_id=f"{config.repo_namespace}/{folder.name}",
        generator=config.generator,
        prompt_version=prompt_versions_label(config.llm if config.generator == "openai" else None),
        version=__version__,
        folder=folder,
        extra=extra,
    )
    (folder / "README.md").write_text(str(card), encoding="utf-8")


def write_cards(
    staging: Path,
    per_dataset: dict[str, dict[str, dict[str, int]]],
    used: dict[str, Counter[str]],
    report: BuildReport,
    config: BuildConfig,
    composition: dict[str, Counter[tuple[str, str, str]]] | None = None,
) -> None:
    """The cards of both dataset folders, and their row counts in the report; ``composition``:
    dataset -> (lang, task, source) -> samples."""
    filters = report.filters_dict()
    for dataset, folder_name in DATASET_FOLDERS.items():
        folder = staging / folder_name
        folder.mkdir(parents=True, exist_ok=True)
        report.outputs[folder_name] = per_dataset.get(dataset, {})
        extra = CardExtras(
            demo=is_demo_build(config),
            composition=(composition or {}).get(dataset, Counter()),
            dataset_filters=dataset_filter_counts(report, dataset),
            measured=MEASURED,
            system_message=config.system_message,
            composition_policy=(report.composition or {}).get("policy"),
            knowledge_origins=report.knowledge_origins() if dataset == "ift" else {},
        )
        write_card(folder, dataset, per_dataset.get(dataset, {}), used.get(dataset, Counter()), filters, config, extra)


def write_rejects(staging: Path, rejects: Sequence[Reject]) -> None:
    with (staging / "rejects.jsonl").open("w", encoding="utf-8") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject.model_dump(), ensure_ascii=False) + "\n")


def source_dirs(config: BuildConfig) -> list[Path]:
    """The folders a build reads from (``--out`` must not overlap them)."""
    return [config.sources_dir if config.sources_dir is not None else bundled_samples_root()]


def check_output(config: BuildConfig) -> None:
    """Refuse an output folder the build must not replace, and repair what a killed run left
    beside it; called before any work starts."""
    check_out_dir(config.out_dir, source_dirs(config))
    out_dir = config.out_dir.resolve()
    if out_dir.parent.is_dir():
        with locked(out_dir):
            recover(out_dir)
        check_out_dir(config.out_dir, source_dirs(config))


@contextmanager
def staged_output(config: BuildConfig, report: BuildReport) -> Iterator[Path]:
    """A fresh, marked staging folder beside ``--out`` (under the output lock, after repairing
    what a killed run left); on success the checksums and the report are written into it and it
    replaces ``--out`` atomically (``report.html`` beside
    ``build_report.json``); on failure it is removed and ``--out`` is untouched."""
    check_out_dir(config.out_dir, source_dirs(config))
    out_dir = config.out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with locked(out_dir):
        recover(out_dir)
        check_out_dir(config.out_dir, source_dirs(config))
        staging = new_staging(out_dir)
        try:
            yield staging
            report.output_sha256 = output_checksums(staging)
            report.write(staging / "build_report.json")
            write_report_html(staging, report.to_dict())
            swap_into_place(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def finished(config: BuildConfig, report: BuildReport, rejects: Sequence[Reject]) -> BuildResult:
    """The result of a build that is in place; with ``--strict``, an error if anything was rejected."""
    out_dir = config.out_dir.resolve()
    if config.strict and rejects:
        raise BuildError(f"--strict: {len(rejects)} records were rejected (see {out_dir / 'rejects.jsonl'})")
    return BuildResult(out_dir=out_dir, report=report, rejects=len(rejects))
