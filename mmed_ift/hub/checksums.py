"""SHA-256 of every file of a build's dataset folders: recorded at build time, checked at publish.

The build writes ``output_sha256`` into ``build_report.json`` with :func:`output_checksums`, and
``publish`` recomputes it with the same function, so a shard or card edited, truncated, added or
removed after the build is caught before anything is pushed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: the dataset folders a build writes (:data:`mmed_ift.hub.layout.DATASET_FOLDERS` values)
CHECKED_FOLDERS: tuple[str, ...] = ("MMed-IFT", "MMed-IFT-MC")
REPORT_KEY = "output_sha256"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def output_checksums(out_dir: Path) -> dict[str, str]:
    """``{relative posix path: sha256 hex}`` for every file under ``out_dir/MMed-IFT/**`` and
    ``out_dir/MMed-IFT-MC/**`` (parquet shards and cards), sorted by path.

    Paths are relative to ``out_dir`` (``MMed-IFT-MC/data/en/train-00000-of-00001.parquet``).
    Links are not followed into (a build writes none); a missing folder contributes nothing.
    """
    found: dict[str, str] = {}
    for folder_name in CHECKED_FOLDERS:
        folder = out_dir / folder_name
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(out_dir).as_posix()] = file_sha256(path)
    return dict(sorted(found.items()))


def checksum_mismatches(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """What differs between the checksums recorded at build time and the folder now, in words."""
    problems = [f"{path} changed" for path in sorted(recorded) if path in current and current[path] != recorded[path]]
    problems += [f"{path} is missing" for path in sorted(recorded) if path not in current]
    problems += [f"{path} was added" for path in sorted(current) if path not in recorded]
    return problems
