"""Write samples as Hub-ready dataset folders: ``data/<lang>/<split>-NNNNN-of-NNNNN.parquet``.

The folder is exactly what is pushed to the Hub, so ``load_dataset(folder, "ja")`` locally and
``load_dataset("SpassMed/MMed-IFT", "ja")`` after publishing read the same files the same way.
Rows are sorted by id and written with fixed features, so two builds of the same input give
byte-identical parquet files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datasets import Features, List, Value

from mmed_ift.schemas import Sample

DATASET_FOLDERS: dict[str, str] = {"ift": "MMed-IFT", "mc": "MMed-IFT-MC"}
OUTPUT_SPLITS: tuple[str, ...] = ("train", "validation")
DEFAULT_MAX_ROWS_PER_SHARD = 50_000

SAMPLE_FEATURES = Features(
    {
        "id": Value("string"),
        "lang": Value("string"),
        "dataset": Value("string"),
        "task": Value("string"),
        "messages": List({"role": Value("string"), "content": Value("string")}),
        "provenance": {
            "source": Value("string"),
            "source_id": Value("string"),
            "split": Value("string"),
            "license": Value("string"),
            "generator": Value("string"),
            "model": Value("string"),
            "prompt_version": Value("string"),
            "template_id": Value("string"),
            "derived_from": Value("string"),
        },
    }
)

SamplesByLanguage = Mapping[str, Mapping[str, list[Sample]]]


def shard_paths(lang: str, split: str, rows: int, max_rows: int) -> list[str]:
    """Relative shard paths in the Hub naming scheme (``train-00000-of-00002.parquet``)."""
    shards = max(1, math.ceil(rows / max_rows))
    return [f"data/{lang}/{split}-{index:05d}-of-{shards:05d}.parquet" for index in range(shards)]


def write_parquet_shards(
    folder: Path, lang: str, split: str, samples: list[Sample], max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD
) -> list[str]:
    """``samples`` as the shards of one (language, split), sorted by id."""
    return write_table_shards(folder, lang, split, samples_table(samples), max_rows)


def samples_table(samples: Sequence[Sample]) -> pa.Table:
    """Samples as rows of the published schema, in their order."""
    return pa.Table.from_pylist([sample.to_row() for sample in samples], schema=SAMPLE_FEATURES.arrow_schema)


def write_table_shards(
    folder: Path, lang: str, split: str, table: pa.Table, max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD
) -> list[str]:
    """The rows of ``table`` (the published schema) as the shards of one (language, split).

    Rows are sorted by id with a stable sort (ties keep their order, as Python's ``sorted`` does)
    and gathered into one contiguous chunk, so the bytes do not depend on how the rows were
    batched before: a table built from the sorted rows at once gives the same files."""
    order = pc.sort_indices(table, sort_keys=[("id", "ascending")])
    table = table.take(order).combine_chunks()  # the unsorted rows go here (the caller holds none)
    del order
    paths = shard_paths(lang, split, table.num_rows, max_rows)
    for index, relative in enumerate(paths):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(index * max_rows, max_rows), target, compression="zstd")
    return paths


def published_splits(counts: Mapping[str, Mapping[str, int]]) -> dict[tuple[str, str], str]:
    """(lang, upstream split) -> the split its rows are published under, for one dataset.

    Every config of a dataset offers the same splits: a split other than ``train`` is published
    only when every language of the dataset has rows in it; otherwise its rows join ``train``
    (their ``provenance.split`` still names the upstream split).  Without this rule a build
    offers a one-row ``zh`` validation split that no other config has.
    """
    languages = [lang for lang, per_split in counts.items() if any(per_split.values())]
    kept = {
        split
        for split in OUTPUT_SPLITS
        if split == "train" or (languages and all(counts[lang].get(split) for lang in languages))
    }
    return {
        (lang, split): split if split in kept else "train"
        for lang, per_split in counts.items()
        for split in per_split
        if split in OUTPUT_SPLITS
    }


def write_dataset_folder(
    folder: Path, samples: SamplesByLanguage, max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD
) -> dict[str, dict[str, int]]:
    """Write every published (language, split) that has samples; returns the row counts written."""
    counts = {lang: {split: len(rows) for split, rows in per_split.items()} for lang, per_split in samples.items()}
    return write_dataset_tables(folder, counts, lambda lang, split: samples_table(samples[lang][split]), max_rows)


def write_dataset_tables(
    folder: Path,
    counts: Mapping[str, Mapping[str, int]],
    table: Callable[[str, str], pa.Table],
    max_rows: int = DEFAULT_MAX_ROWS_PER_SHARD,
) -> dict[str, dict[str, int]]:
    """Write every published (language, split) of one dataset; returns the row counts written.

    ``counts``: language -> upstream split -> rows; ``table(lang, split)`` gives the rows of one
    upstream split (asked for once each, one published split at a time, so only one split's
    rows need be in memory).  Upstream splits that :func:`published_splits` moves into ``train``
    follow its own rows, as :func:`write_dataset_folder` has always merged them."""
    target = published_splits(counts)
    written: dict[str, dict[str, int]] = {}
    for lang in sorted(counts):
        for published in OUTPUT_SPLITS:
            sources = [
                split
                for split in OUTPUT_SPLITS
                if counts[lang].get(split) and target.get((lang, split), split) == published
            ]
            if not sources:
                continue
            # the rows are passed on, not held here: the writer lets go of them once sorted
            write_table_shards(
                folder, lang, published, pa.concat_tables([table(lang, split) for split in sources]), max_rows
            )
            written.setdefault(lang, {})[published] = sum(counts[lang][split] for split in sources)
    return written


def config_entries(counts: Mapping[str, Mapping[str, int]]) -> list[dict[str, object]]:
    """YAML ``configs:`` entries: one per language plus ``all`` (the default) across languages."""
    entries: list[dict[str, object]] = []
    all_splits = sorted({split for per_split in counts.values() for split in per_split}, key=OUTPUT_SPLITS.index)
    if counts:
        entries.append(
            {
                "config_name": "all",
                "data_files": [{"split": split, "path": f"data/*/{split}-*"} for split in all_splits],
                "default": True,
            }
        )
    for lang in sorted(counts):
        entries.append(
            {
                "config_name": lang,
                "data_files": [
                    {"split": split, "path": f"data/{lang}/{split}-*"}
                    for split in OUTPUT_SPLITS
                    if counts[lang].get(split)
                ],
            }
        )
    return entries


@dataclass(frozen=True)
class SplitSize:
    """What ``dataset_info`` declares for one (language, split): rows and bytes."""

    num_examples: int
    #: uncompressed size from the parquet metadata; close to what ``datasets`` holds in memory
    num_bytes: int
    #: bytes on disk, i.e. what a user downloads
    download_bytes: int


def measure_folder(folder: Path) -> dict[str, dict[str, SplitSize]]:
    """Sizes of a written folder, read from parquet footers only (no data is loaded).

    The card's ``dataset_info`` is filled from what is on disk rather than from in-memory counts,
    so the numbers the Hub shows are the numbers of the files that are uploaded.
    """
    sizes: dict[str, dict[str, SplitSize]] = {}
    for path in sorted(folder.glob("data/*/*.parquet")):
        lang, split = path.parent.name, path.name.split("-", 1)[0]
        metadata = pq.read_metadata(path)
        uncompressed = sum(metadata.row_group(index).total_byte_size for index in range(metadata.num_row_groups))
        previous = sizes.setdefault(lang, {}).get(split, SplitSize(0, 0, 0))
        sizes[lang][split] = SplitSize(
            num_examples=previous.num_examples + metadata.num_rows,
            num_bytes=previous.num_bytes + uncompressed,
            download_bytes=previous.download_bytes + path.stat().st_size,
        )
    return sizes
