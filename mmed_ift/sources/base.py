"""The contract every source adapter follows, and the registry that finds them.

An adapter reads one upstream dataset *exactly as downloaded* and yields, for every upstream
record it meets, either a validated item (:class:`~mmed_ift.schemas.MCQuestion`,
:class:`~mmed_ift.schemas.QAPair`, :class:`~mmed_ift.schemas.Passage`) or a
:class:`~mmed_ift.schemas.Reject` that says where and why.  Because each record produces exactly
one result, ``read == kept + rejected`` holds by construction and nothing is lost silently.

:meth:`SourceAdapter.read` adds, for every adapter:

* **Finding files** walks the folder itself (:func:`scan_tree`) instead of ``Path.glob``, which
  silently skips what it cannot list: an unreadable sub-folder, a broken link, a link loop or a
  second link to a folder already read each become a reject (``unreadable_folder``,
  ``unreadable_file``, ``symlink_loop``).  Links to folders are followed once.
* **Any failure while reading a file** (permissions, bad encoding, JSON too deep, numbers past
  Python's int digit limit, CSV fields past the csv field limit) is a reject naming the file and,
  where it can be told, the line; a failure the adapter did not expect stops that source with one
  ``read_failed`` reject naming the exception instead of a traceback.
* **Text policy** (:mod:`mmed_ift.text.clean`): control, zero-width and bidirectional
  characters are stripped and text is NFC-normalised in every item; a field that is mostly such
  characters is rejected as ``control_characters``; a field longer than ``max_field_chars``
  (default :data:`~mmed_ift.text.clean.DEFAULT_MAX_FIELD_CHARS`) as ``field_too_long``.
* **Unique ids**: output ids derive from ``(source, source_id)``, so a second item with an id
  already read (the same upstream id in two files) is a ``duplicate_id`` reject naming the first.
* **Archives**: only the zip members the adapter reads are extracted, within
  :data:`MAX_ARCHIVE_BYTES` in total and :data:`MAX_COMPRESSION_RATIO` per member; an archive past
  either is rejected (``archive_too_large``, ``zip_bomb``).
"""

from __future__ import annotations

import csv
import functools
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
from mmed_ift.sources._fast_items import plain_mc
from mmed_ift.sources.files import display, extract_archive, glob_match, matching_files, scan_tree
from mmed_ift.text.clean import DEFAULT_MAX_FIELD_CHARS, FieldProblem, all_untouched, clean_fields

#: the fields :meth:`SourceAdapter.make` passes itself (an adapter passing one too is a TypeError)
_STAMPED = frozenset({"source", "location", "license", "patient_dialogue"})
log = logging.getLogger(__name__)

ReadResult = Item | Reject
ItemT = TypeVar("ItemT", MCQuestion, QAPair, Passage)

#: exceptions a hostile file can raise from code that does not expect it (the safety net)
_READ_ERRORS = (OSError, RecursionError, ValueError, UnicodeError, csv.Error, zipfile.BadZipFile, EOFError)


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
        return matching_files(scan_tree(root).files, root, self.spec.expected_files)

    def archive_members(self, names: list[str]) -> list[str]:
        """The members of a zip archive this adapter reads (others are never extracted).

        By default those matching ``spec.expected_files``; adapters that read a file besides
        those (an answer key) list it in ``spec.extra["archive_files"]`` (glob patterns).
        """
        patterns = tuple(self.spec.expected_files) + tuple(self.spec.extra.get("archive_files", ()))
        return [name for name in names if not name.endswith("/") and any(glob_match(name, p) for p in patterns)]

    def read(self, root: Path, *, max_field_chars: int = DEFAULT_MAX_FIELD_CHARS) -> Iterator[ReadResult]:
        """Read every matching file under ``root``, and inside its zip archives; raise if there is none.

        Upstream releases are often zips (``HEAD.zip``, ``CMB.zip``, ``question.zip``).  Each
        archive is extracted under a temporary folder at its own relative path, so locations
        read ``HEAD.zip/HEAD/train_HEAD.json#...``.  Extracted files are read as one root, apart
        from the plain files: files an adapter joins (questions and their answer key) must both
        be zipped or both be plain.

        Every item is cleaned (see the module docstring); a string field longer than
        ``max_field_chars`` characters is a ``field_too_long`` reject.
        """
        if max_field_chars < 1:
            raise ValueError(f"max_field_chars must be at least 1, got {max_field_chars}")
        results = self.finish(self._read_everything(root), max_field_chars=max_field_chars)
        yield from results

    def finish(
        self, results: Iterable[ReadResult], *, max_field_chars: int = DEFAULT_MAX_FIELD_CHARS
    ) -> Iterator[ReadResult]:
        """What :meth:`read` applies to every adapter's raw results: the safety net, the text
        policy and unique ids (public so that other read paths, e.g. ``read_hub``, share it)."""
        from mmed_ift.sources._unique import unique_ids

        yield from unique_ids(self, self._safely(results), clean_at=max_field_chars)

    def _safely(self, results: Iterable[ReadResult]) -> Iterator[ReadResult]:
        """Pass results through; an unexpected read error ends this source with one reject naming it."""
        try:
            yield from results
        except SourceFormatError as error:  # raised outside read_files' per-file guard
            yield self.reject(error.location, error.reason or "unreadable_file", error.problem)
        except _READ_ERRORS as error:
            where = getattr(error, "filename", None) or self.spec.name
            log.warning("source %s: reading stopped at %s: %s", self.spec.name, where, error)
            yield self.reject(
                str(where),
                "read_failed",
                f"reading {self.spec.name} stopped: {type(error).__name__}: {error}"[:500],
            )

    def clean(self, result: ReadResult, max_field_chars: int = DEFAULT_MAX_FIELD_CHARS) -> ReadResult:
        """An item under the text policy (see :mod:`mmed_ift.text.clean`), or its reject."""
        if isinstance(result, Reject):
            return result
        # the usual case, decided on the item's own field values: an item's fields are plain
        # strings, string lists and string dicts, so ``__dict__`` holds what ``model_dump`` copies
        if all_untouched(result.__dict__, max_field_chars):
            return result
        ids = {"source_id": result.source_id, "lang": result.lang, "split": result.split}
        try:
            data = result.model_dump()
            cleaned = clean_fields(data, max_field_chars)
            if cleaned == data:
                return result
            return type(result).model_validate(cleaned)
        except FieldProblem as problem:
            return self.reject(result.location, problem.reason, problem.detail, **ids)
        except ValidationError as error:
            return self.reject(
                result.location, "invalid_record", f"after cleaning: {_describe_validation_error(error)}",
                stage="validate", **ids,
            )  # fmt: skip

    def _read_everything(self, root: Path) -> Iterator[ReadResult]:
        scan = scan_tree(root)
        for where, reason, detail in scan.problems:
            yield self.reject(where, reason, detail)
        files = self.find_files(root)
        archives = [path for path in scan.files if path.name.lower().endswith(".zip")]
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
                shown = display(archive, root)
                extracted = Path(scratch) / shown
                try:
                    extract_archive(archive, extracted, shown, self.archive_members)
                except SourceFormatError as error:
                    yield self.reject(error.location, error.reason or "unreadable_file", error.problem)
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
                yield self.reject(error.location, error.reason or "unreadable_file", error.problem)
            except _READ_ERRORS as error:
                # a failure the adapter did not foresee: the file is named, the other files are read
                yield self.reject(display(path, root), "unreadable_file", f"{type(error).__name__}: {error}"[:500])

    @abstractmethod
    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        """Yield one item or reject per upstream record of one file."""

    # -- helpers shared by adapters ---------------------------------------------------------

    def make(self, model: type[ItemT], location: str, **fields: Any) -> ItemT | Reject:
        """Build an item, or a ``validate`` reject naming the location and the failed field.

        A plain multiple-choice record skips pydantic's validation, which it could only pass
        (:func:`~mmed_ift.sources._fast_items.plain_mc`: the same item, a fifth less reading CPU)."""
        if model is MCQuestion and _STAMPED.isdisjoint(fields):
            plain = plain_mc({**self._stamped, "location": location, **fields})
            if plain is not None:
                return plain  # type: ignore[return-value]  # model is MCQuestion
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

    @functools.cached_property
    def _stamped(self) -> dict[str, Any]:
        """``source``, a ``location`` to fill and :meth:`stamp`, in the order :meth:`make` passes
        them: made once per adapter instead of once per item (a source's stamp never changes)."""
        return {"source": self.spec.name, "location": "", **self.stamp()}

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
                yield self.reject(where, record.reason or "bad_format", record.problem, lang=lang, split=split)
                continue
            raw_id = record.get(id_field) if id_field else None
            yield self.guarded_one(
                where, build, record, source_id=raw_id if isinstance(raw_id, str) else None, lang=lang, split=split
            )

    def guarded_one(
        self,
        location: str,
        build: Callable[[dict[str, Any], str], ReadResult],
        record: dict[str, Any],
        *,
        source_id: Any = None,
        lang: Any = None,
        split: Any = None,
    ) -> ReadResult:
        """``build(record, location)``, or the reject :meth:`guarded` makes of its
        :class:`SourceFormatError`: the same for a build of one result, without a generator and a
        closure per record (the hot path of line and array formats)."""
        try:
            return build(record, location)
        except SourceFormatError as error:
            return self.reject(
                error.location, error.reason or "bad_format", error.problem, source_id=source_id, lang=lang, split=split
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
            yield self.reject(
                error.location, error.reason or "bad_format", error.problem, source_id=source_id, lang=lang, split=split
            )


def license_id(license: str) -> str:
    """The SPDX-style id a license string starts with, lower-cased (``"MIT"`` -> ``"mit"``).

    Free-text licenses start with a word that is no SPDX id ("other", "unspecified",
    "per dataset", "non-commercial"), so they never match an allow list by accident.
    """
    head = license.strip().split()[0] if license.strip() else ""
    return head.strip("();,").lower()


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
