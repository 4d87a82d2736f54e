"""The build report: what every step read, kept and rejected, and why.

A single ledger is updated as records flow through the build, so the invariant
``read == kept + sum(rejected)`` per source and split is a property of the bookkeeping rather
than something each step has to remember.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmed_ift import __version__
from mmed_ift.errors import MMedIFTError
from mmed_ift.hub.checksums import REPORT_KEY
from mmed_ift.schemas import Reject


@dataclass
class SplitCounts:
    read: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "kept": self.kept,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
        }


@dataclass
class StepCounts:
    seen: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "in": self.seen,
            "kept": self.kept,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            **({"details": self.extra} if self.extra else {}),
        }


@dataclass
class BuildReport:
    """Accumulates counts during a build and serialises them to ``build_report.json``."""

    config: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    splits: dict[tuple[str, str], SplitCounts] = field(default_factory=lambda: defaultdict(SplitCounts))
    other_languages: Counter[str] = field(default_factory=Counter)
    held_out: Counter[str] = field(default_factory=Counter)
    steps: dict[str, StepCounts] = field(default_factory=dict)
    outputs: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    tasks: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: samples by (dataset, language, source, task): the card's rows by source and task per language
    source_tasks: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)
    #: folders under --sources that no adapter reads -> the closest source name (None: none close)
    unread_folders: dict[str, str | None] = field(default_factory=dict)
    #: sha256 of every file of the dataset folders, checked again by ``publish``
    output_sha256: dict[str, str] = field(default_factory=dict)
    #: ``--target-size``: the policy and per group available/selected (:mod:`mmed_ift.compose`)
    composition: dict[str, Any] | None = None
    #: per source that chooses its records (Wikipedia's medical articles), per language: the
    #: classifier (path or "trained", model and training-data sha256) and what it selected
    selection: dict[str, dict[str, Any]] = field(default_factory=dict)

    # -- recording ---------------------------------------------------------------------------

    def source_found(self, name: str, path: Path | None, files: list[Path]) -> None:
        self.sources[name] = {
            "found": path is not None,
            "path": str(path) if path else None,
            "files": len(files),
        }

    def record_read(self, source: str, split: str) -> None:
        self.splits[(source, split)].read += 1

    def record_other_language(self, source: str, count: int = 1) -> None:
        if count:
            self.other_languages[source] += count

    def record_held_out(self, source: str) -> None:
        """A benchmark item read for decontamination (and evaluation), never for training."""
        self.held_out[source] += 1

    def record_reject(self, reject: Reject) -> None:
        self.splits[(reject.source, reject.split or "unknown")].rejected[f"{reject.stage}:{reject.reason}"] += 1

    def record_kept(self, source: str, split: str) -> None:
        self.splits[(source, split)].kept += 1

    def step(self, name: str) -> StepCounts:
        return self.steps.setdefault(name, StepCounts())

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - start, 3)

    # -- reading back ------------------------------------------------------------------------

    def per_source(self) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        for name, info in sorted(self.sources.items()):
            splits = {
                split: counts.to_dict() for (source, split), counts in sorted(self.splits.items()) if source == name
            }
            totals = SplitCounts()
            for (source, _split), counts in self.splits.items():
                if source == name:
                    totals.read += counts.read
                    totals.kept += counts.kept
                    totals.rejected.update(counts.rejected)
            table[name] = {
                **info,
                **totals.to_dict(),
                "other_languages": self.other_languages.get(name, 0),
                "held_out": self.held_out.get(name, 0),
                "splits": splits,
            }
        return table

    def per_language(self) -> dict[str, dict[str, int]]:
        languages: dict[str, dict[str, int]] = defaultdict(dict)
        for dataset, per_lang in self.outputs.items():
            for lang, per_split in per_lang.items():
                languages[lang][dataset] = sum(per_split.values())
        return dict(sorted(languages.items()))

    def by_language(self) -> dict[str, dict[str, dict[str, dict[str, int]]]]:
        """``{lang: {dataset: {source: {task: samples}}}}``: what each language's rows are made of."""
        table: dict[str, dict[str, dict[str, dict[str, int]]]] = {}
        for (dataset, lang, source, task), count in sorted(self.source_tasks.items()):
            table.setdefault(lang, {}).setdefault(dataset, {}).setdefault(source, {})[task] = count
        return table

    def knowledge_origins(self) -> dict[str, list[dict[str, Any]]]:
        """Per language, where the MMed-IFT (knowledge) rows came from: each source's rows, title,
        kinds, licence and address, most rows first (the card's "where the knowledge came from")."""
        from mmed_ift.sources import registry  # the specs describe each source

        specs = registry()
        origins: dict[str, list[dict[str, Any]]] = {}
        for lang, datasets in self.by_language().items():
            rows = [(source, sum(tasks.values())) for source, tasks in datasets.get("ift", {}).items()]
            entries = []
            for source, count in sorted(rows, key=lambda pair: (-pair[1], pair[0])):
                spec = specs[source].spec if source in specs else None
                entries.append({
                    "source": source, "rows": count, "title": spec.title if spec else source,
                    "kinds": list(spec.kinds) if spec else [], "license": spec.license if spec else "",
                    "url": spec.url if spec else "",
                })  # fmt: skip
            origins[lang] = entries
        return origins

    def total_rejected(self) -> int:
        return sum(sum(counts.rejected.values()) for counts in self.splits.values()) + sum(
            count for step in ("generate",) for count in self.step(step).rejected.values()
        )

    def filters_dict(self) -> dict[str, Any]:
        """The ``filters`` section: each filter step's counts and details, in chain order."""
        return {name: step.to_dict() for name, step in self.steps.items() if name != "generate"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config,
            "sources": self.per_source(),
            "filters": self.filters_dict(),
            "generate": self.step("generate").to_dict(),
            "tasks": [
                {"dataset": dataset, "lang": lang, "task": task, "samples": count}
                for (dataset, lang, task), count in sorted(self.tasks.items())
            ],
            "outputs": self.outputs,
            "languages": self.per_language(),
            "by_language": self.by_language(),
            "knowledge_origins": self.knowledge_origins(),
            "rejected_total": self.total_rejected(),
            "unread_folders": self.unread_folders,
            **({"composition": self.composition} if self.composition is not None else {}),
            "selection": self.selection,
            "timings_s": self.timings,
            REPORT_KEY: self.output_sha256,
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def new_report(config: dict[str, Any]) -> BuildReport:
    """An empty report for a build of ``config`` (its ``to_dict()``), stamped with this version."""
    report = BuildReport(config=config)
    report.config["mmed_ift_version"] = __version__
    return report


@dataclass
class BuildResult:
    """What a finished build returns: where it is, its report, and how many records it rejected.

    :meth:`load` reads a built dataset back as a ``datasets.DatasetDict``.
    """

    out_dir: Path
    report: BuildReport
    rejects: int

    def load(self, dataset: str = "MMed-IFT-MC", lang: str | None = None) -> Any:
        """``datasets.load_dataset`` of one built folder (``MMed-IFT`` or ``MMed-IFT-MC``), one
        language config (default: the folder's default config)."""
        import datasets

        folder = self.out_dir / dataset
        if not (folder / "README.md").is_file():
            raise MMedIFTError(f"{folder} is not a built dataset folder; choose MMed-IFT or MMed-IFT-MC")
        return datasets.load_dataset(str(folder), lang)

    @property
    def datasets(self) -> dict[str, dict[str, Any]]:
        """Every built dataset and language: ``{"MMed-IFT-MC": {"ja": DatasetDict, ...}, ...}``."""
        loaded: dict[str, dict[str, Any]] = {}
        for dataset, per_lang in self.report.outputs.items():
            loaded[dataset] = {lang: self.load(dataset, lang) for lang in sorted(per_lang)}
        return loaded
