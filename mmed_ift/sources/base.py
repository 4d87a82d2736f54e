"""The contract every source adapter follows, and the registry that finds them.

An adapter reads one upstream dataset *exactly as downloaded* and yields, for every upstream
record it meets, either a validated item (:class:`~mmed_ift.schemas.MCQuestion`,
:class:`~mmed_ift.schemas.QAPair`, :class:`~mmed_ift.schemas.Passage`) or a
:class:`~mmed_ift.schemas.Reject` that says where and why.  Because each record produces exactly
one result, ``read == kept + rejected`` holds by construction and nothing is lost silently.
"""

from __future__ import annotations

import importlib.resources
import logging
import tempfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError

from mmed_ift.errors import SourceFormatError, SourceNotFoundError
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject

log = logging.getLogger(__name__)

ReadResult = Item | Reject
ItemT = TypeVar("ItemT", MCQuestion, QAPair, Passage)


@dataclass(frozen=True)
class SourceSpec:
    """What a user (and ``python -m mmed_ift sources``) needs to know about one source."""

    name: str
    title: str
    languages: tuple[str, ...]
    kinds: tuple[str, ...]
    license: str
    url: str
    #: glob patterns, relative to the folder the user points at, that identify this source's files
    expected_files: tuple[str, ...]
    splits: tuple[str, ...] = ("train", "validation", "test")
    hub_id: str | None = None
    citation: str = ""
    #: evaluation-only sources (XMedBench) never feed training data
    training: bool = True
    #: splits that are benchmarks: held out of training, used for decontamination and evaluation.
    #: MedMCQA's benchmark is its validation split, so it widens this.
    eval_splits: tuple[str, ...] = ("test",)
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class SourceAdapter(ABC):
    """Base class: subclasses set ``spec`` and implement :meth:`read_files`."""

    spec: ClassVar[SourceSpec]

    def find_files(self, root: Path) -> list[Path]:
        """Files under ``root`` that match the spec's expected names, sorted for determinism."""
        found: set[Path] = set()
        for pattern in self.spec.expected_files:
            found.update(path for path in root.glob(pattern) if path.is_file())
        return sorted(found)

    def read(self, root: Path) -> Iterator[ReadResult]:
        """Read every matching file under ``root``, and inside its zip archives; raise if there is none.

        Upstream releases are often zips (``HEAD.zip``, ``CMB.zip``, ``question.zip``).  Each
        archive is extracted under a temporary folder at its own relative path, so locations
        read ``HEAD.zip/HEAD/train_HEAD.json#...``.  Extracted files are read as one root, apart
        from the plain files: files an adapter joins (questions and their answer key) must both
        be zipped or both be plain.
        """
        files = self.find_files(root)
        archives = sorted(path for path in root.glob("**/*.zip") if path.is_file()) if root.is_dir() else []
        if not files and not archives:
            raise SourceNotFoundError(
                f"{self.spec.name}: no files matching {list(self.spec.expected_files)} under {root}"
            )
        found_any = bool(files)
        if files:
            yield from self.read_files(root, files)
        if not archives:
            return
        with tempfile.TemporaryDirectory(prefix="mmed_ift_unzip_") as scratch:
            for archive in archives:
                shown = archive.relative_to(root).as_posix()
                extracted = Path(scratch) / shown
                try:
                    extract_archive(archive, extracted, shown)
                except SourceFormatError as error:
                    yield self.reject(error.location, "unreadable_file", error.problem)
                    continue
                inner = self.find_files(extracted)
                if inner:
                    found_any = True
                    yield from self.read_files(Path(scratch), inner)
        if not found_any:
            raise SourceNotFoundError(
                f"{self.spec.name}: no files matching {list(self.spec.expected_files)} under {root}"
                f" or inside its {len(archives)} zip archive(s)"
            )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        """Yield one item or reject per upstream record of ``files``.

        A file that breaks as a whole (truncated JSON, wrong top-level type) becomes one reject
        naming it; the other files are still read.  Adapters that join several files (answer keys
        kept apart from questions) override this.
        """
        for path in files:
            try:
                yield from self.read_file(root, path)
            except SourceFormatError as error:
                yield self.reject(error.location, "unreadable_file", error.problem)

    @abstractmethod
    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        """Yield one item or reject per upstream record of one file."""

    # -- helpers shared by adapters ---------------------------------------------------------

    def make(self, model: type[ItemT], location: str, **fields: Any) -> ItemT | Reject:
        """Build an item, or a ``validate`` reject naming the location and the failed field."""
        try:
            return model(source=self.spec.name, location=location, **self.stamp(), **fields)
        except ValidationError as error:
            return self.reject(
                location,
                "invalid_record",
                _describe_validation_error(error),
                stage="validate",
                source_id=fields.get("source_id"),
                lang=fields.get("lang"),
                split=fields.get("split"),
            )

    def stamp(self) -> dict[str, Any]:
        """The per-source facts every item of this source carries (rows need them downstream)."""
        return {"license": self.spec.license, "patient_dialogue": bool(self.spec.extra.get("patient_dialogue", False))}

    def reject(
        self,
        location: str,
        reason: str,
        detail: str = "",
        *,
        stage: str = "read",
        source_id: Any = None,
        lang: Any = None,
        split: Any = None,
    ) -> Reject:
        return Reject(
            stage=stage,
            reason=reason,
            detail=detail,
            source=self.spec.name,
            location=location,
            source_id=None if source_id is None else str(source_id),
            lang=lang if isinstance(lang, str) else None,
            split=split if isinstance(split, str) else None,
        )

    def each_record(
        self,
        rows: Iterable[tuple[str, dict[str, Any] | SourceFormatError]],
        build: Callable[[dict[str, Any], str], ReadResult],
        *,
        id_field: str | None,
        lang: str | None,
        split: str | None,
    ) -> Iterator[ReadResult]:
        """One result per row of a line or array format: a broken row becomes ``bad_format``,
        a row ``build`` cannot map becomes a reject carrying its upstream id (``id_field``)."""
        for where, record in rows:
            if isinstance(record, SourceFormatError):
                yield self.reject(where, "bad_format", record.problem, lang=lang, split=split)
                continue
            raw_id = record.get(id_field) if id_field else None
            yield from self.guarded(
                where,
                lambda: [build(record, where)],
                source_id=raw_id if isinstance(raw_id, str) else None,
                lang=lang,
                split=split,
            )

    def guarded(
        self,
        location: str,
        build: Callable[[], Iterable[ReadResult]],
        *,
        source_id: Any = None,
        lang: Any = None,
        split: Any = None,
    ) -> Iterator[ReadResult]:
        """Run ``build`` and turn a :class:`SourceFormatError` into a reject of that record.

        Adapters raise ``SourceFormatError`` from deep inside their field mapping; this keeps the
        one-result-per-record rule without a try/except in every adapter.
        """
        try:
            yield from list(build())
        except SourceFormatError as error:
            yield self.reject(error.location, "bad_format", error.problem, source_id=source_id, lang=lang, split=split)


def license_id(license: str) -> str:
    """The SPDX-style id a license string starts with, lower-cased (``"MIT"`` -> ``"mit"``).

    Free-text licenses start with a word that is no SPDX id ("other", "unspecified",
    "per dataset", "non-commercial"), so they never match an allow list by accident.
    """
    head = license.strip().split()[0] if license.strip() else ""
    return head.strip("();,").lower()


def extract_archive(archive: Path, target: Path, shown: str) -> None:
    """Extract a zip safely: members may not escape ``target`` (no ``../`` or absolute paths)."""
    try:
        with zipfile.ZipFile(archive) as handle:
            for member in handle.infolist():
                destination = (target / member.filename).resolve()
                if not destination.is_relative_to(target.resolve()):
                    raise SourceFormatError(shown, f"archive member {member.filename!r} points outside the archive")
            handle.extractall(target)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise SourceFormatError(shown, f"not a readable zip archive: {error}") from None


def _describe_validation_error(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        where = ".".join(str(piece) for piece in problem["loc"]) or "record"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


# -- registry ------------------------------------------------------------------------------

_REGISTRY: dict[str, type[SourceAdapter]] = {}


def register(adapter: type[SourceAdapter]) -> type[SourceAdapter]:
    """Class decorator: make an adapter findable by its spec name."""
    name = adapter.spec.name
    if name in _REGISTRY and _REGISTRY[name] is not adapter:
        raise ValueError(f"source name {name!r} is registered twice")
    _REGISTRY[name] = adapter
    return adapter


def registry() -> dict[str, type[SourceAdapter]]:
    """All registered adapters, by name (importing :mod:`mmed_ift.sources` fills it)."""
    return dict(sorted(_REGISTRY.items()))


def get_source(name: str) -> SourceAdapter:
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise SourceNotFoundError(f"unknown source {name!r}; known sources: {', '.join(sorted(_REGISTRY))}") from None


def bundled_samples_root() -> Path:
    """Folder of the small samples shipped in the package, one sub-folder per source."""
    return Path(str(importlib.resources.files("mmed_ift.sources") / "samples"))
