"""MedMCQA (Pal et al. 2022): Indian AIIMS/NEET-PG entrance questions, four options, with explanations.

Two upstream forms exist and both are read:

* the GitHub release (``train.json``, ``dev.json``, ``test.json``): JSON *lines* despite the
  extension, ``cop`` **1-based** (1 = ``opa``); the test file has no answers;
* the Hugging Face conversion (``data/{train,validation,test}-*.parquet``): the same fields with
  ``cop`` **0-based** and ``-1`` for the hidden test answers.

``exp`` (the explanation) becomes the rationale.  The benchmark everyone reports is the
validation (dev) split, so it is held out of training with the test split.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import display_path, iter_jsonl, optional_str, require_str

LANG = "en"
OPTION_FIELDS = ("opa", "opb", "opc", "opd")
OPTION_KEYS = ("A", "B", "C", "D")
SPLIT_BY_STEM = {"train": "train", "dev": "validation", "validation": "validation", "test": "test"}


def split_from_name(name: str) -> str:
    """``dev.json`` / ``validation-00000-of-00001.parquet`` -> ``validation``."""
    stem = name.split(".", 1)[0].split("-", 1)[0].lower()
    if stem not in SPLIT_BY_STEM:
        raise SourceFormatError(name, "cannot tell the split (train/dev/validation/test) from the file name")
    return SPLIT_BY_STEM[stem]


def answer_key(cop: Any, zero_based: bool, where: str) -> str | None:
    """``cop`` -> option key; None when the answer is hidden (missing, null or -1)."""
    if cop is None or cop == -1 or cop == "":
        return None
    if isinstance(cop, bool) or not isinstance(cop, int | str):
        raise SourceFormatError(where, f"cop should be an integer, got {type(cop).__name__}")
    try:
        index = int(cop) - (0 if zero_based else 1)
    except ValueError:
        raise SourceFormatError(where, f"cop {cop!r} is not an integer") from None
    if not 0 <= index < len(OPTION_KEYS):
        base = "0-based (Hugging Face)" if zero_based else "1-based (GitHub)"
        raise SourceFormatError(where, f"cop {cop!r} is out of range for a {base} answer index")
    return OPTION_KEYS[index]


def iter_parquet_rows(path: Path, root: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    shown = display_path(path, root)
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several unrelated types for a damaged file
        raise SourceFormatError(shown, f"not a readable parquet file: {error}") from None
    row = 0
    batches = parquet.iter_batches(batch_size=4096)
    while True:
        try:
            batch = next(batches, None)
            records = [] if batch is None else batch.to_pylist()
        except Exception as error:  # a damaged data page: the rest of the file cannot be trusted
            raise SourceFormatError(f"{shown}[{row}]", f"unreadable parquet data page: {error}") from None
        if batch is None:
            return
        for record in records:
            yield f"{shown}[{row}]", record
            row += 1


@register
class MedMCQA(SourceAdapter):
    spec = SourceSpec(
        name="medmcqa",
        title="MedMCQA (Indian medical entrance exams)",
        languages=(LANG,),
        kinds=("mc",),
        license="MIT",
        url="https://github.com/medmcqa/medmcqa",
        hub_id="openlifescienceai/medmcqa",
        expected_files=("**/train.json", "**/dev.json", "**/test.json", "**/*.parquet"),
        eval_splits=("validation", "test"),
        citation=(
            "Pal, A., Umapathi, L. K. and Sankarasubbu, M. MedMCQA: A Large-scale Multi-Subject Multi-Choice"
            " Dataset for Medical domain Question Answering. CHIL 2022."
        ),
        notes="cop is 1-based in the GitHub json, 0-based in the HF parquet; dev/validation is the benchmark.",
    )

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        split = split_from_name(path.name)
        zero_based = path.suffix == ".parquet"
        rows: Iterator[tuple[str, dict[str, Any] | SourceFormatError]] = (
            iter_parquet_rows(path, root) if zero_based else iter_jsonl(path, root)
        )
        build = functools.partial(self._item, split=split, zero_based=zero_based)
        yield from unique_ids(self, self.each_record(rows, build, id_field="id", lang=LANG, split=split))

    def _item(self, record: dict[str, Any], where: str, *, split: str, zero_based: bool) -> ReadResult:
        source_id = require_str(record, "id", where).strip()
        options = {
            key: require_str(record, field, where) for key, field in zip(OPTION_KEYS, OPTION_FIELDS, strict=True)
        }
        key = answer_key(record.get("cop"), zero_based, where)
        if key is None:
            return self.reject(
                where,
                "missing_answer",
                "no answer (cop absent or -1: hidden test labels)",
                source_id=source_id,
                lang=LANG,
                split=split,
            )
        return self.make(
            MCQuestion,
            where,
            source_id=source_id,
            lang=LANG,
            split=split,
            question=require_str(record, "question", where),
            options=options,
            answer=[key],
            rationale=optional_str(record, "exp", where),
            exam="MedMCQA",
            subject=optional_str(record, "subject_name", where),
        )
