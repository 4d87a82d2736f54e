"""Wires the build: sources -> filters -> generator -> Hub-ready folders + report + rejects.

Each stage is a function of a whole batch, and every record that does not make it to the output
is accounted for in the report and in ``rejects.jsonl``.  Output is written into a temporary
folder beside ``--out`` and swapped in only when everything succeeded, so a crash never leaves a
half-written build where the previous good one was.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm.auto import tqdm

from mmed_ift import __version__
from mmed_ift.errors import BuildError, SourceNotFoundError
from mmed_ift.filters.base import FilterStep
from mmed_ift.filters.chain import FilterOptions, build_filter_chain
from mmed_ift.generate import template
from mmed_ift.generate.llm import LLMConfig, generate_llm_samples, prompt_versions_label
from mmed_ift.hub.card import render_card
from mmed_ift.hub.layout import DATASET_FOLDERS, write_dataset_folder
from mmed_ift.languages import LANGUAGE_CODES, get_language
from mmed_ift.report import BuildReport
from mmed_ift.schemas import Item, Reject, Sample
from mmed_ift.sources import SourceAdapter, bundled_samples_root, registry
from mmed_ift.sources.base import license_id
from mmed_ift.sources.hub_download import HubSource, fetch

log = logging.getLogger(__name__)

DEFAULT_OUT = Path("mmed_ift_out")
GENERATORS = ("template", "openai")


@dataclass
class BuildConfig:
    """Everything a build depends on; it is copied into the report so a build can be redone."""

    languages: tuple[str, ...]
    out_dir: Path = DEFAULT_OUT
    #: folder with one sub-folder per source (as downloaded); None builds from the bundled samples
    sources_dir: Path | None = None
    #: restrict to these sources (default: every registered source that is found)
    source_names: tuple[str, ...] | None = None
    #: sources to download from the Hub instead: "name", "name=owner/dataset" or "...@revision"
    hub_sources: tuple[str, ...] = ()
    #: only sources whose license id (SPDX, e.g. "MIT", "Apache-2.0") is listed; empty = all
    license_allow: tuple[str, ...] = ()
    generator: str = "template"
    strict: bool = False
    repo_namespace: str = "SpassMed"
    progress: bool = True
    filter_options: dict[str, Any] = field(default_factory=dict)
    #: settings of the LLM generator; required when generator == "openai"
    llm: LLMConfig | None = None

    def __post_init__(self) -> None:
        if not self.languages:
            raise BuildError("choose at least one language (--lang CODE or --all)")
        for code in self.languages:
            try:
                get_language(code)
            except ValueError as error:
                raise BuildError(str(error)) from None
        if self.generator not in GENERATORS:
            raise BuildError(f"unknown generator {self.generator!r}; choose one of {', '.join(GENERATORS)}")
        if self.generator == "openai" and self.llm is None:
            raise BuildError("generator 'openai' needs LLM settings (--base-url URL --model NAME)")
        unknown = sorted(set(self.source_names or ()) - set(registry()))
        if unknown:
            raise BuildError(f"unknown sources {unknown}; see `python -m mmed_ift sources`")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        data["sources_dir"] = str(self.sources_dir) if self.sources_dir else None
        return data


@dataclass
class BuildResult:
    out_dir: Path
    report: BuildReport
    rejects: int


@dataclass
class _Collected:
    training: list[Item] = field(default_factory=list)
    held_out: list[Item] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


FilterFactory = Callable[[BuildConfig, list[Item]], list[FilterStep]]


def default_filters(config: BuildConfig, held_out: list[Item]) -> list[FilterStep]:
    """PII scrub, language ID, exact + near dedup, decontamination against ``held_out``."""
    return build_filter_chain(FilterOptions.from_dict(config.filter_options), held_out)


def locate_sources(config: BuildConfig, report: BuildReport) -> list[tuple[SourceAdapter, Path]]:
    """Which adapters have files to read, and where; records found / not found in the report."""
    root = config.sources_dir or bundled_samples_root()
    if config.sources_dir is not None and not root.is_dir():
        raise BuildError(f"--sources {root} is not a folder")
    located: list[tuple[SourceAdapter, Path]] = []
    hub = [HubSource.parse(text) for text in config.hub_sources]
    for source in hub:
        adapter = registry()[source.name]()
        folder, revision = fetch(source)
        files = adapter.find_files(folder) + sorted(folder.glob("**/*.zip"))
        report.source_found(source.name, folder if files else None, files)
        report.config.setdefault("hub_revisions", {})[source.name] = f"{source.repo_id}@{revision}"
        if not files:
            raise BuildError(
                f"{source.name}: the Hub repository {source.repo_id} has no files matching"
                f" {list(adapter.spec.expected_files)}; it may host a conversion this adapter does not read"
            )
        located.append((adapter, folder))
    names = [name for name in config.source_names or tuple(registry()) if name not in {s.name for s in hub}]
    if hub and config.sources_dir is None:
        names = []  # with --hub and no --sources, read only what was downloaded
    for name in names:
        adapter = registry()[name]()
        if not set(adapter.spec.languages) & set(config.languages):
            continue
        folder = root / name
        files = adapter.find_files(folder) + sorted(folder.glob("**/*.zip")) if folder.is_dir() else []
        report.source_found(name, folder if files else None, files)
        if files:
            located.append((adapter, folder))
        else:
            log.info("source %s: no files matching %s under %s", name, adapter.spec.expected_files, folder)
    if not located:
        raise BuildError(
            f"no source files found under {root} for languages {', '.join(config.languages)}; "
            "put each source in a sub-folder named after it (see `python -m mmed_ift sources`)"
        )
    return located


def read_sources(config: BuildConfig, located: Sequence[tuple[SourceAdapter, Path]], report: BuildReport) -> _Collected:
    collected = _Collected()
    wanted = set(config.languages)
    allowed = {license.lower() for license in config.license_allow}
    for adapter, folder in located:
        name = adapter.spec.name
        licensed = not allowed or license_id(adapter.spec.license) in allowed
        try:
            results = adapter.read(folder)
            for result in tqdm(results, desc=f"read {name}", unit="rec", disable=not config.progress):
                if result.lang is not None and result.lang not in wanted:
                    report.record_other_language(name)
                    continue
                if isinstance(result, Reject):
                    report.record_read(name, result.split or "unknown")
                    report.record_reject(result)
                    collected.rejects.append(result)
                    continue
                report.record_read(name, result.split)
                training = adapter.spec.training and result.split not in adapter.spec.eval_splits
                if training and not licensed:
                    # benchmarks of an excluded source still serve decontamination; its training rows go
                    reject = _license_reject(result, adapter.spec.license, config.license_allow)
                    report.record_reject(reject)
                    collected.rejects.append(reject)
                elif training:
                    collected.training.append(result)
                else:
                    collected.held_out.append(result)
                    report.record_kept(name, result.split)
        except SourceNotFoundError as error:
            raise BuildError(str(error)) from None
    return collected


def _license_reject(item: Item, license: str, allowed: Sequence[str]) -> Reject:
    return Reject(
        stage="license",
        reason="license_not_allowed",
        detail=f"source license {license!r} is not among --license-allow {', '.join(allowed)}",
        source=item.source,
        location=item.location,
        source_id=item.source_id,
        lang=item.lang,
        split=item.split,
    )


def run_filters(
    steps: Iterable[FilterStep], items: list[Item], report: BuildReport, progress: bool
) -> tuple[list[Item], list[Reject]]:
    rejects: list[Reject] = []
    for step in tqdm(list(steps), desc="filters", unit="step", disable=not progress):
        with report.timed(f"filter:{step.name}"):
            result = step.process(items)
        if len(result.kept) + len(result.rejected) != len(items):
            raise BuildError(
                f"filter {step.name} returned {len(result.kept)} kept + {len(result.rejected)} rejected"
                f" for {len(items)} items; a filter must account for every item"
            )
        counts = report.step(step.name)
        counts.seen += len(items)
        counts.kept += len(result.kept)
        for reject in result.rejected:
            counts.rejected[reject.reason] += 1
            report.record_reject(reject)
        extra = getattr(step, "report_details", None)
        if callable(extra):
            counts.extra = extra()
        rejects.extend(result.rejected)
        items = result.kept
    return items, rejects


def generate_samples(
    items: list[Item], report: BuildReport, progress: bool, config: BuildConfig | None = None
) -> tuple[dict[str, dict[str, dict[str, list[Sample]]]], list[Reject]]:
    """Template samples grouped as dataset -> language -> split."""
    licenses = {name: adapter.spec.license for name, adapter in registry().items()}
    grouped: dict[str, dict[str, dict[str, list[Sample]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    rejects: list[Reject] = []
    counts = report.step("generate")
    for item in tqdm(items, desc="generate", unit="item", disable=not progress):
        counts.seen += 1
        try:
            samples = template.generate(item, licenses.__getitem__)
        except ValidationError as error:
            reject = Reject(
                stage="generate",
                reason="invalid_sample",
                detail=str(error).splitlines()[0],
                source=item.source,
                location=item.location,
                source_id=item.source_id,
                lang=item.lang,
                split=item.split,
            )
            counts.rejected[reject.reason] += 1
            rejects.append(reject)
            continue
        counts.kept += 1
        for sample in samples:
            grouped[sample.dataset][sample.lang][item.split].append(sample)
            report.tasks[(sample.dataset, sample.lang, sample.task)] += 1
    if config is not None and config.generator == "openai" and config.llm is not None:
        # Template samples stay (the bare MC answer form, QA, passages); the LLM adds to them.
        produced = [
            s for by_lang in grouped.values() for by_split in by_lang.values() for x in by_split.values() for s in x
        ]
        llm_samples, llm_rejects = generate_llm_samples(
            items, produced, config.llm.with_default_cache(config.out_dir), config.languages,
            licenses.__getitem__, report, progress,
        )  # fmt: skip
        for sample in llm_samples:
            grouped[sample.dataset][sample.lang][sample.provenance.split].append(sample)
            report.tasks[(sample.dataset, sample.lang, sample.task)] += 1
        for reject in llm_rejects:
            counts.rejected[reject.reason] += 1
        rejects.extend(llm_rejects)
    return grouped, rejects


def _source_card_info(samples_by_source: Counter[str]) -> dict[str, dict[str, Any]]:
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


def write_outputs(
    staging: Path,
    grouped: dict[str, dict[str, dict[str, list[Sample]]]],
    report: BuildReport,
    rejects: list[Reject],
    config: BuildConfig,
) -> None:
    filters = {name: step.to_dict() for name, step in report.steps.items() if name != "generate"}
    for dataset, folder_name in DATASET_FOLDERS.items():
        folder = staging / folder_name
        folder.mkdir(parents=True)
        counts = write_dataset_folder(folder, grouped.get(dataset, {}))
        report.outputs[folder_name] = counts
        used = Counter(
            sample.provenance.source
            for per_split in grouped.get(dataset, {}).values()
            for samples in per_split.values()
            for sample in samples
        )
        write_card(folder, dataset, counts, used, filters, config)
    with (staging / "rejects.jsonl").open("w", encoding="utf-8") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject.model_dump(), ensure_ascii=False) + "\n")


def write_card(
    folder: Path,
    dataset: str,
    counts: dict[str, dict[str, int]],
    used: Counter[str],
    filters: dict[str, Any],
    config: BuildConfig,
) -> None:
    """The dataset card (``README.md``) of one written dataset folder; both engines use it."""
    card = render_card(
        dataset,
        counts,
        _source_card_info(used),
        filters,
        repo_id=f"{config.repo_namespace}/{folder.name}",
        generator=config.generator,
        prompt_version=prompt_versions_label(config.llm if config.generator == "openai" else None),
        version=__version__,
        folder=folder,
    )
    (folder / "README.md").write_text(str(card), encoding="utf-8")


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` with ``staging`` so that a reader never sees a half-written build."""
    previous = out_dir.with_name(f".{out_dir.name}.previous-{os.getpid()}")
    if out_dir.exists():
        out_dir.rename(previous)
    staging.rename(out_dir)
    if previous.exists():
        shutil.rmtree(previous)


def build(config: BuildConfig, filters: FilterFactory = default_filters) -> BuildResult:
    """Run the whole build; see :class:`BuildConfig`.  Raises :class:`BuildError` on failure."""
    report = BuildReport(config=config.to_dict())
    report.config["mmed_ift_version"] = __version__
    with report.timed("read"):
        located = locate_sources(config, report)
        collected = read_sources(config, located, report)
    if not collected.training:
        raise BuildError(
            f"the sources found hold no training records in {', '.join(config.languages)}"
            f" ({', '.join(adapter.spec.name for adapter, _ in located)} were read)"
        )
    steps = filters(config, collected.held_out)
    training, filter_rejects = run_filters(steps, collected.training, report, config.progress)
    for item in training:
        report.record_kept(item.source, item.split)
    with report.timed("generate"):
        grouped, generate_rejects = generate_samples(training, report, config.progress, config)
    rejects = collected.rejects + filter_rejects + generate_rejects

    out_dir = config.out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        with report.timed("write"):
            write_outputs(staging, grouped, report, rejects, config)
        report.write(staging / "build_report.json")
        swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if config.strict and rejects:
        raise BuildError(f"--strict: {len(rejects)} records were rejected (see {out_dir / 'rejects.jsonl'})")
    return BuildResult(out_dir=out_dir, report=report, rejects=len(rejects))


ALL_LANGUAGES = LANGUAGE_CODES
