"""The files of a source as downloaded: walking its folder (links, loops, unreadable folders) and
extracting the zip members an adapter reads, within size and compression-ratio limits."""

from __future__ import annotations

import functools
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mmed_ift.errors import SourceFormatError

#: at most this many bytes extracted from one zip archive (the members an adapter reads)
MAX_ARCHIVE_BYTES = 16 * 1024**3
#: a member that inflates more than this many times its compressed size is a zip bomb
MAX_COMPRESSION_RATIO = 200
#: ... unless it is small: tiny members of repeated text compress very well legitimately
_RATIO_MIN_BYTES = 1024 * 1024


def extract_archive(
    archive: Path, target: Path, shown: str, select: Callable[[list[str]], list[str]] | None = None
) -> None:
    """Extract a zip safely: only the members ``select`` picks (default: all), none escaping
    ``target`` (no ``../`` or absolute paths), within :data:`MAX_ARCHIVE_BYTES` in total and
    :data:`MAX_COMPRESSION_RATIO` per member.  Sizes are counted as the bytes come out, so a
    member whose header lies about its size is caught too.  Raises :class:`SourceFormatError`
    (reason ``zip_bomb``, ``archive_too_large`` or none for an unreadable archive)."""
    try:
        with zipfile.ZipFile(archive) as handle:
            members = {info.filename: info for info in handle.infolist()}
            names = list(members) if select is None else select(list(members))
            base = target.resolve()
            for name in names:
                destination = (target / name).resolve()
                if not destination.is_relative_to(base):
                    raise SourceFormatError(shown, f"archive member {name!r} points outside the archive")
            declared = sum(members[name].file_size for name in names)
            if declared > MAX_ARCHIVE_BYTES:
                raise SourceFormatError(
                    shown, f"the members to read would take {declared} bytes; the limit is {MAX_ARCHIVE_BYTES}",
                    reason="archive_too_large",
                )  # fmt: skip
            total = 0
            for name in names:
                info = members[name]
                if info.is_dir():
                    continue
                limit = _member_limit(info, shown)
                destination = target / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with handle.open(info) as source, destination.open("wb") as sink:
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        total += len(chunk)
                        if written > limit:
                            raise SourceFormatError(
                                f"{shown}/{name}",
                                f"member inflates past {limit} bytes ({info.compress_size} compressed): a zip bomb",
                                reason="zip_bomb",
                            )
                        if total > MAX_ARCHIVE_BYTES:
                            raise SourceFormatError(
                                shown, f"extracting passes {MAX_ARCHIVE_BYTES} bytes", reason="archive_too_large"
                            )
                        sink.write(chunk)
    except SourceFormatError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError) as error:
        shutil.rmtree(target, ignore_errors=True)
        raise SourceFormatError(shown, f"not a readable zip archive: {error}") from None


def _member_limit(info: zipfile.ZipInfo, shown: str) -> int:
    """Most bytes a member may inflate to: its declared size, and a sane ratio to its compressed size."""
    ratio_cap = max(_RATIO_MIN_BYTES, info.compress_size * MAX_COMPRESSION_RATIO)
    if info.file_size > ratio_cap:
        raise SourceFormatError(
            f"{shown}/{info.filename}",
            f"member declares {info.file_size} bytes from {info.compress_size} compressed"
            f" (more than {MAX_COMPRESSION_RATIO}:1): a zip bomb",
            reason="zip_bomb",
        )
    return min(info.file_size, ratio_cap)


# -- finding files -------------------------------------------------------------------------


@dataclass
class TreeScan:
    """The regular files under a folder, and what could not be walked (``(where, reason, detail)``)."""

    files: list[Path] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)


def display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def scan_tree(root: Path) -> TreeScan:
    """Walk ``root`` following links to folders once; report instead of skipping.

    ``Path.glob`` silently skips unreadable folders and links to folders; here every such case
    becomes a problem a caller can report.  A file path keeps the name it was reached by (a file
    reached through a linked folder is shown under the link).
    """
    scan = TreeScan()
    if root.is_file():
        scan.files.append(root)
        return scan
    if not root.is_dir():
        return scan
    seen: dict[str, str] = {os.path.realpath(root): "."}
    stack = [root]
    while stack:
        folder = stack.pop()
        shown = display(folder, root)
        try:
            # real folders before links, so a link (not the folder it points at) is what is reported
            entries = sorted(os.scandir(folder), key=lambda entry: (_is_link(entry), entry.name))
        except OSError as error:
            scan.problems.append((shown, "unreadable_folder", f"cannot list the folder: {error.strerror or error}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=True):
                    real = os.path.realpath(path)
                    if real in seen:
                        scan.problems.append((
                            display(path, root),
                            "symlink_loop",
                            f"leads to the same folder as {seen[real]!r}, which is read already (a link loop or"
                            " a second link); it is not read twice",
                        ))  # fmt: skip
                        continue
                    seen[real] = display(path, root)
                    stack.append(path)
                elif entry.is_file(follow_symlinks=True):
                    scan.files.append(path)
                elif entry.is_symlink():
                    scan.problems.append(
                        (display(path, root), "unreadable_file", "a broken link (its target is missing)")
                    )
                else:  # a pipe, socket or device: reading it could block or never end
                    scan.problems.append(
                        (display(path, root), "unreadable_file", "not a regular file (a pipe, socket or device)")
                    )
            except OSError as error:
                scan.problems.append(
                    (display(path, root), "unreadable_file", f"cannot inspect: {error.strerror or error}")
                )
    scan.files.sort()
    return scan


def _segment_regex(segment: str) -> str:
    """One glob path segment as a regex that never crosses ``/``."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in segment[index + 2 :]:
            end = segment.index("]", index + 2)
            body = segment[index + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True


@functools.cache
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A glob pattern as ``Path.glob`` reads it (``**`` any number of folders) as one regex."""
    segments = pattern.split("/")
    parts = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_segment_regex(segment) + ("" if last else "/"))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def glob_match(relative: str, pattern: str) -> bool:
    """Whether a posix path relative to a root matches a ``Path.glob`` pattern of that root."""
    return _pattern_regex(pattern).match(relative) is not None


def matching_files(files: Iterable[Path], root: Path, patterns: Iterable[str]) -> list[Path]:
    """The files whose path relative to ``root`` matches one of ``patterns``, sorted."""
    patterns = tuple(patterns)
    return sorted(path for path in files if any(glob_match(display(path, root), pattern) for pattern in patterns))
