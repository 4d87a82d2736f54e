"""MedExpQA (Alonso, Oronoz & Agerri 2024): Spanish MIR exam questions with doctors' explanations.

The Hub dataset ``HiTZ/MedExpQA`` (CC-BY-4.0) is the Antidote CasiMedicos corpus: MIR
(Médico Interno Residente) exam questions commented by the CasiMedicos community of doctors,
in a parallel en/es/fr/it version.  It ships ``data/<lang>/{train,dev,test}.<lang>.casimedicos.rag.jsonl``
(a lighter release drops ``.rag``), one object per line:

* ``id`` (int), ``year``, ``type`` (the exam subject, e.g. ``CARDIOLOGÍA``), ``lang``,
  ``question_id_specific``;
* ``full_question`` (the clinical case and question), ``options`` (``{"1": text, ..., "5": text
  or null}``: MIR exams moved from five options to four, and the fifth is ``null`` - ``NaN``
  before the upstream "nan_fix" commit), ``correct_option`` (int, 1-based);
* ``full_answer``: the doctors' explanation of the right and the wrong options; it becomes the
  item's rationale (``explanations[<correct>].text`` when ``full_answer`` is empty);
  ``full_answer_no_ref`` and ``explanations`` (char ranges per option) are not needed;
* ``rag``: retrieved snippets (MedCorp, PubMed, ...), ignored.

Published counts per language: train 434, validation 63, test 125 (622 in all).  The test split
is the benchmark (held out, and decontamination's index).  MedExpQA's questions are MIR exams,
the same exams HEAD-QA draws on (2013-2017): because every held-out item of every source feeds
decontamination, a HEAD-QA test question repeated in MedExpQA's train split is removed there,
and MedExpQA's test questions are removed from HEAD-QA's training rows.  Italian is read by
no build (not a language of this project) and is not matched.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_jsonl, letter_keys, require_dict, require_str

LANGUAGES = ("en", "es", "fr")
SPLIT_BY_PREFIX = {"train": "train", "dev": "validation", "test": "test"}
HUB_ID = "HiTZ/MedExpQA"


def split_and_lang(name: str) -> tuple[str, str]:
    """``dev.es.casimedicos.rag.jsonl`` -> ``("validation", "es")``."""
    parts = name.split(".")
    if len(parts) < 4 or parts[0] not in SPLIT_BY_PREFIX or parts[1] not in LANGUAGES:
        raise SourceFormatError(name, "expected <train|dev|test>.<en|es|fr>.casimedicos[.rag].jsonl")
    return SPLIT_BY_PREFIX[parts[0]], parts[1]


def _blank(value: Any) -> bool:
    """A missing fifth option: ``null``, ``NaN`` (before the upstream fix) or an empty string."""
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def numbered_options(record: dict[str, Any], where: str) -> tuple[dict[str, str], dict[int, str]]:
    """Options ``"1".."5"`` re-keyed A.. in number order (blank ones left out), and number -> letter."""
    raw = require_dict(record, "options", where)
    numbered: list[tuple[int, str]] = []
    for key, text in raw.items():
        if not str(key).strip().isdigit():
            raise SourceFormatError(where, f"option key {key!r} is not a number")
        if _blank(text):
            continue
        if not isinstance(text, str):
            raise SourceFormatError(where, f"option {key!r} should be a string, got {type(text).__name__}")
        numbered.append((int(key), text.strip()))
    numbered.sort()
    letters = letter_keys(len(numbered))
    options = {letter: text for letter, (_, text) in zip(letters, numbered, strict=True)}
    return options, {number: letter for letter, (number, _) in zip(letters, numbered, strict=True)}


def correct_number(record: dict[str, Any], where: str) -> int:
    """``correct_option`` as an int (a digit string is accepted)."""
    value = record.get("correct_option")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SourceFormatError(where, f"field 'correct_option' should be an option number, got {value!r}")
    return value


def explanation(record: dict[str, Any], number: int, where: str) -> str | None:
    """The doctors' explanation: ``full_answer``, else the correct option's ``explanations`` text."""
    full = record.get("full_answer")
    if full is not None and not isinstance(full, str):
        raise SourceFormatError(where, f"field 'full_answer' should be a string, got {type(full).__name__}")
    if full and full.strip():
        return full.strip()
    explanations = record.get("explanations")
    if isinstance(explanations, dict):
        entry = explanations.get(str(number))
        if isinstance(entry, dict) and isinstance(entry.get("text"), str) and entry["text"].strip():
            return str(entry["text"]).strip()
    return None


@register
class MedExpQA(SourceAdapter):
    spec = SourceSpec(
        name="medexpqa",
        title="MedExpQA (Spanish MIR exams with doctors' explanations; en/es/fr)",
        languages=LANGUAGES,
        kinds=("mc",),
        license="CC-BY-4.0",
        url="https://huggingface.co/datasets/HiTZ/MedExpQA",
        hub_id=HUB_ID,
        expected_files=tuple(
            f"**/{split}.{lang}.casimedicos{rag}.jsonl"
            for split in SPLIT_BY_PREFIX
            for lang in LANGUAGES
            for rag in (".rag", "")
        ),
        citation=(
            "Alonso, I., Oronoz, M. and Agerri, R. MedExpQA: Multilingual Benchmarking of Large Language Models"
            " for Medical Question Answering. Artificial Intelligence in Medicine 155 (2024). arXiv:2404.05590."
        ),
        notes=(
            "Published counts per language: train 434, validation 63, test 125. The doctors' full_answer is the"
            " rationale. The questions are MIR exams, as in HEAD-QA: decontamination sees both test splits."
        ),
        extra={"published_counts": {"train": 434, "validation": 63, "test": 125}},
    )

    def find_files(self, root: Path) -> list[Path]:
        """Both releases of one split (``.rag`` and light) repeat the same records: the ``.rag`` one is read."""
        files = super().find_files(root)
        names = {(path.parent, path.name) for path in files}
        return [
            path
            for path in files
            if path.name.endswith(".rag.jsonl") or (path.parent, path.name.replace(".jsonl", ".rag.jsonl")) not in names
        ]

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        yield from unique_ids(self, super().read_files(root, files))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        split, lang = split_and_lang(path.name)
        rows = iter_jsonl(path, root)
        build = functools.partial(self._item, lang=lang, split=split)
        for where, record in rows:
            if isinstance(record, SourceFormatError):
                yield self.reject(where, record.reason or "bad_format", record.problem, lang=lang, split=split)
                continue
            upstream = record.get("id")
            source_id = f"{lang}/{upstream}" if isinstance(upstream, int | str) and str(upstream).strip() else None
            yield from self.guarded(
                where, lambda: [build(record, where, source_id)], source_id=source_id, lang=lang, split=split
            )

    def _item(self, record: dict[str, Any], where: str, source_id: str | None, *, lang: str, split: str) -> ReadResult:
        if source_id is None:
            raise SourceFormatError(where, f"field 'id' should be an int or a string, got {record.get('id')!r}")
        ids: dict[str, Any] = {"source_id": source_id, "lang": lang, "split": split}
        declared = record.get("lang")
        if declared is not None and declared != lang:
            return self.reject(where, "language_mismatch", f"record says lang {declared!r}, file is {lang!r}", **ids)
        options, letter_of = numbered_options(record, where)
        number = correct_number(record, where)
        if number not in letter_of:
            detail = f"correct_option {number} is not among the non-empty options {sorted(letter_of)}"
            return self.reject(where, "answer_not_in_options", detail, **ids)
        subject = record.get("type")
        year = record.get("year")
        return self.make(
            MCQuestion,
            where,
            **ids,
            question=require_str(record, "full_question", where).strip(),
            options=options,
            answer=[letter_of[number]],
            rationale=explanation(record, number, where),
            exam="MedExpQA/MIR",
            subject=subject.strip() if isinstance(subject, str) and subject.strip() else None,
            year=str(year) if isinstance(year, int | str) and not isinstance(year, bool) else None,
        )
