"""Training data: the languages a recipe names, mixed by ratio with a seed, plus a fingerprint.

The fingerprint is what makes a run reproducible: ``datasets``' own ``_fingerprint`` of exactly
the rows used (it changes with any row, the mix or the seed), and, where the data came from,
a SHA-256 of the local parquet files or the Hub revision the id resolved to.  A "same recipe,
different data" surprise is then visible by diffing two ``train_manifest.json`` files.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmed_ift.errors import MMedIFTError
from mmed_ift.train.recipe import DataArguments

if TYPE_CHECKING:
    from datasets import Dataset

log = logging.getLogger(__name__)


class TrainingDataError(MMedIFTError):
    """The recipe's dataset cannot be found or has no rows for a language."""


@dataclass
class DataInfo:
    """Where the rows came from: written to ``train_manifest.json``."""

    dataset: str
    kind: str
    split: str
    revision: str | None
    fingerprint: str
    rows: int
    per_language: dict[str, dict[str, Any]] = field(default_factory=dict)
    parquet_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "kind": self.kind,
            "split": self.split,
            "revision": self.revision,
            "fingerprint": self.fingerprint,
            "rows": self.rows,
            "per_language": self.per_language,
            "parquet_sha256": self.parquet_sha256,
        }


def load_training_data(args: DataArguments) -> tuple[Dataset, DataInfo]:
    """The mixed ``messages``-only dataset and where it came from."""
    from datasets import concatenate_datasets, load_dataset

    folder = Path(args.dataset)
    is_local = folder.exists()
    if not is_local and args.dataset.count("/") != 1:
        raise TrainingDataError(
            f"data.dataset {args.dataset!r} is neither an existing folder nor a Hub id (owner/name);"
            " build one with `python -m mmed_ift build` or name a Hub dataset"
        )
    revision = None if is_local else resolve_hub_revision(args.dataset, args.revision)
    parts: list[Dataset] = []
    per_language: dict[str, dict[str, Any]] = {}
    for lang in args.languages:
        try:
            part = load_dataset(str(folder) if is_local else args.dataset, lang, split=args.split, revision=revision)
        except (ValueError, FileNotFoundError) as error:
            raise TrainingDataError(
                f"{args.dataset}: cannot load config {lang!r} split {args.split!r}: {error}"
            ) from error
        available = len(part)
        ratio = float(args.mixing.get(lang, 1.0))
        keep = max(1, round(available * ratio)) if available else 0
        if keep == 0:
            raise TrainingDataError(f"{args.dataset}: config {lang!r} has no rows in split {args.split!r}")
        if keep < available:
            part = part.shuffle(seed=args.seed).select(range(keep))
        part = part.select_columns(["messages"])
        per_language[lang] = {"available": available, "used": keep, "ratio": ratio, "fingerprint": part._fingerprint}
        parts.append(part)
    mixed = concatenate_datasets(parts).shuffle(seed=args.seed)
    if args.max_samples is not None and args.max_samples < len(mixed):
        mixed = mixed.select(range(args.max_samples))
    mixed = mixed.flatten_indices()
    info = DataInfo(
        dataset=str(folder.resolve()) if is_local else args.dataset,
        kind="local" if is_local else "hub",
        split=args.split,
        revision=revision,
        fingerprint=mixed._fingerprint,
        rows=len(mixed),
        per_language=per_language,
        parquet_sha256=hash_parquet_files(folder) if is_local else None,
    )
    log.info(
        "training data: %d rows from %s (%s), fingerprint %s", info.rows, info.dataset, info.kind, info.fingerprint
    )
    return mixed, info


def hash_parquet_files(folder: Path) -> str:
    """SHA-256 over every parquet file under ``folder`` (relative path and bytes, sorted)."""
    digest = hashlib.sha256()
    files = sorted(folder.rglob("*.parquet"))
    if not files:
        raise TrainingDataError(f"{folder} holds no parquet files; is it a build folder like mmed_ift_out/MMed-IFT?")
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def resolve_hub_revision(repo_id: str, revision: str | None) -> str:
    """The commit sha a Hub dataset id (and optional branch/tag) points at right now."""
    from huggingface_hub import HfApi

    try:
        info = HfApi().dataset_info(repo_id, revision=revision)
    except Exception as error:  # network, auth, offline mode: all need the same user action
        raise TrainingDataError(f"cannot resolve Hub dataset {repo_id}@{revision or 'main'}: {error}") from error
    if not info.sha:
        raise TrainingDataError(f"the Hub returned no commit sha for {repo_id}@{revision or 'main'}")
    return str(info.sha)
