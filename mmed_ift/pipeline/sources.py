"""Finding the sources of a build and sorting what they yield; both engines use these rules.

Every record an adapter yields is classified once, by :func:`classify`: a training item, a
held-out benchmark item (test splits, evaluation-only sources: decontamination's index), a read
reject, a training item of a source whose license the build excludes (a reject), or a record in
a language outside the build (only counted).
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from tqdm.auto import tqdm

from mmed_ift.errors import BuildError, SourceNotFoundError
from mmed_ift.pipeline.compact import SharedFieldSets
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.memory import no_cycle_collection
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item, Reject
from mmed_ift.sources import SourceAdapter, bundled_samples_root, registry
from mmed_ift.sources.base import ReadResult, license_id
from mmed_ift.sources.hub_download import HubSource, fetch
from mmed_ift.sources.rationale_join import RationaleIndex
from mmed_ift.sources.wikipedia import Wikipedia

log = logging.getLogger(__name__)


class Role(Enum):
    TRAINING = "training"
    HELD_OUT = "held_out"
    REJECT = "reject"
    OTHER_LANGUAGE = "other_language"


def locate_sources(config: BuildConfig, report: BuildReport) -> list[tuple[SourceAdapter, Path]]:
    """Which adapters have files to read, and where; records found / not found in the report."""
    root = config.sources_dir or bundled_samples_root()
    if config.sources_dir is not None and not root.is_dir():
        raise BuildError(f"--sources {root} is not a folder")
    located: list[tuple[SourceAdapter, Path]] = []
    hub = [HubSource.parse(text) for text in config.hub_sources]
    for source in hub:
        adapter = registry()[source.name]()
        folder, revision = fetch(source, languages=config.languages)
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
    if config.sources_dir is not None:
        note_unread_folders(root, report)
    if not located:
        raise BuildError(
            f"no source files found under {root} for languages {', '.join(config.languages)}; "
            "put each source in a sub-folder named after it (see `python -m mmed_ift sources`)"
        )
    return located


def note_unread_folders(root: Path, report: BuildReport) -> None:
    """Name every folder under ``--sources`` that no adapter reads, with the closest source name
    (a misspelt ``medqa_us`` is read as nothing, so the user is told)."""
    known = list(registry())
    for entry in sorted(root.iterdir()):
        if not entry.is_dir() or entry.name in known or entry.name.startswith("."):
            continue
        close = difflib.get_close_matches(entry.name.lower(), known, n=1, cutoff=0.5)
        report.unread_folders[entry.name] = close[0] if close else None
        hint = f"; did you mean {close[0]!r}?" if close else ""
        log.warning(
            "--sources %s: folder %r matches no source and was not read%s (see `python -m mmed_ift sources`)",
            root,
            entry.name,
            hint,
        )


def classify(adapter: SourceAdapter, result: ReadResult, config: BuildConfig) -> tuple[Role, Item | Reject]:
    """The role of one record in the build, with the reject it becomes if it is one."""
    if result.lang is not None and result.lang not in config.languages:
        return Role.OTHER_LANGUAGE, result
    if isinstance(result, Reject):
        return Role.REJECT, result
    spec = adapter.spec
    if not (spec.training and result.split not in spec.eval_splits):
        return Role.HELD_OUT, result
    if config.license_allow and license_id(spec.license) not in {license.lower() for license in config.license_allow}:
        # benchmarks of an excluded source still serve decontamination; its training rows go
        return Role.REJECT, Reject(
            stage="license",
            reason="license_not_allowed",
            detail=f"source license {spec.license!r} is not among --license-allow {', '.join(config.license_allow)}",
            source=result.source,
            location=result.location,
            source_id=result.source_id,
            lang=result.lang,
            split=result.split,
        )
    return Role.TRAINING, result


def read_split(result: ReadResult) -> str:
    """The split a record is counted under (a reject may not know its split)."""
    return result.split or "unknown"


def reading_config(config: BuildConfig, located: list[tuple[SourceAdapter, Path]]) -> BuildConfig:
    """The config the read runs with: Wikipedia's classifier learns from the other located
    sources' medical text (its positives) and only the build's languages are scored."""
    positives = tuple(
        (adapter.spec.name, str(folder))
        for adapter, folder in located
        if adapter.spec.training and not isinstance(adapter, Wikipedia)
    )
    options = dataclasses.replace(config.wikipedia, positive_sources=positives, languages=config.languages)
    return dataclasses.replace(config, wikipedia=options)


def configure(adapter: SourceAdapter, config: BuildConfig) -> None:
    """Give an adapter that has options its part of the config (Wikipedia's selection)."""
    if isinstance(adapter, Wikipedia):
        adapter.options = config.wikipedia


def record_selection(adapter: SourceAdapter, report: BuildReport) -> None:
    """What an adapter that chooses its records chose, into the report."""
    if isinstance(adapter, Wikipedia) and adapter.selection.languages:
        report.selection[adapter.spec.name] = adapter.selection.to_dict()


def classified(
    adapter: SourceAdapter, folder: Path, config: BuildConfig, rationales: RationaleIndex | None = None
) -> Iterator[tuple[Role, Item | Reject]]:
    """Every record of one source with its role; a missing source is a :class:`BuildError`.

    With ``rationales``, a training MC item without a rationale borrows MMedBench's for the same
    question (:mod:`mmed_ift.sources.rationale_join`; the item's licence then names both)."""
    configure(adapter, config)
    try:
        for result in adapter.read(folder, max_field_chars=config.max_field_chars):
            role, classified_result = classify(adapter, result, config)
            if rationales is not None and role is Role.TRAINING and not isinstance(classified_result, Reject):
                classified_result = rationales.join(classified_result)
            yield role, classified_result
    except SourceNotFoundError as error:
        raise BuildError(str(error)) from None


#: the source whose rationales MC items of other sources may borrow
RATIONALE_DONOR = "mmedbench"


def rationale_index(config: BuildConfig, located: list[tuple[SourceAdapter, Path]]) -> RationaleIndex | None:
    """MMedBench's *training* questions with rationales, when the build reads MMedBench and its
    licence is allowed (its benchmark questions never lend a rationale to a training row).
    MMedBench is read once more for this; both engines build the index on the driver."""
    for adapter, folder in located:
        if adapter.spec.name == RATIONALE_DONOR:
            training = (
                item
                for role, item in classified(adapter, folder, config)
                if role is Role.TRAINING and not isinstance(item, Reject)
            )
            index = RationaleIndex.from_items(training, source=RATIONALE_DONOR, license=adapter.spec.license)
            return index if len(index) else None
    return None


@dataclass
class Collected:
    """What reading gives the rest of a build."""

    training: list[Item] = field(default_factory=list)
    held_out: list[Item] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def record(report: BuildReport, role: Role, result: Item | Reject, name: str) -> None:
    """The report's read/kept/rejected counts for one classified record (training items are
    counted as kept only once they survive the filters)."""
    if role is Role.OTHER_LANGUAGE:
        report.record_other_language(name)
        return
    report.record_read(name, read_split(result))
    if isinstance(result, Reject):
        report.record_reject(result)
    elif role is Role.HELD_OUT:
        report.record_kept(name, result.split)
        report.record_held_out(name)


def read_sources(config: BuildConfig, located: list[tuple[SourceAdapter, Path]], report: BuildReport) -> Collected:
    """Read every located source on this machine, in order (with the cycle collector paused:
    :func:`no_cycle_collection`)."""
    with no_cycle_collection():
        return _read_sources(config, located, report)


def _read_sources(config: BuildConfig, located: list[tuple[SourceAdapter, Path]], report: BuildReport) -> Collected:
    collected = Collected()
    config = reading_config(config, located)
    rationales = rationale_index(config, located)
    shared = SharedFieldSets()  # the items are held for the whole build: one fields-set per kind
    for adapter, folder in located:
        name = adapter.spec.name
        results: Iterable[tuple[Role, Item | Reject]] = classified(adapter, folder, config, rationales)
        if config.progress:  # a disabled tqdm is still a generator layer per record
            results = tqdm(results, desc=f"read {name}", unit="rec")
        for role, result in results:
            record(report, role, result, name)
            if role is Role.TRAINING:
                assert not isinstance(result, Reject)
                collected.training.append(shared(result))
            elif role is Role.HELD_OUT:
                assert not isinstance(result, Reject)
                collected.held_out.append(shared(result))
            elif role is Role.REJECT and isinstance(result, Reject):  # outside the build: only counted
                collected.rejects.append(result)
        record_selection(adapter, report)
    return collected
