"""MMedBench (Qiu et al. 2024): multilingual medical MCQ with a rationale for every answer.

Upstream is the Hugging Face dataset ``Henrychur/MMedBench`` (``MMedBench.zip``), which unpacks to
``Train/<Language>.jsonl`` and ``Test/<Language>.jsonl`` for English, Chinese, Japanese, French,
Russian and Spanish.  Each line: ``question``, ``options`` ({"A": text, ...}), ``answer_idx`` (a
letter, or letters joined by ``","`` for multi-answer items; a list in some dumps), ``answer``
(option text), ``rationale`` (an explanation, GPT-written and partly human-checked),
``human_checked`` / ``human_check_passed`` (0/1 or bools) and ``meta_info``.  There are no ids,
so ids are ``<split>/<lang>/<line>``.

The rationale is what makes this source valuable for explanation-style training, so a rationale
that a human reviewed and *failed* is dropped (the question is kept without it).  Blank options
that are not the answer are dropped too: a few exams pad 4-option questions with an empty "E".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._answers import answer_letters
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_jsonl, require_dict, require_str

HUB_ID = "Henrychur/MMedBench"
#: upstream file name (the language in English) -> our language code
LANGUAGE_FILES: dict[str, str] = {
    "English": "en",
    "Chinese": "zh",
    "Japanese": "ja",
    "French": "fr",
    "Russian": "ru",
    "Spanish": "es",
}
SPLIT_FOLDERS: dict[str, str] = {"train": "train", "test": "test"}


def split_from_folder(name: str) -> str:
    """``Train`` -> ``train``; ``Test`` -> ``test``: the split is the file's folder."""
    split = SPLIT_FOLDERS.get(name.lower())
    if split is None:
        raise SourceFormatError(name, "cannot tell the split: MMedBench files live under Train/ or Test/")
    return split


def parse_answer_idx(raw: Any, where: str) -> list[str]:
    """``"B"`` / ``"A,C"`` / ``["A", "C"]`` -> sorted keys; ``[]`` when blank (a missing answer)."""
    if isinstance(raw, list) and all(isinstance(piece, str) for piece in raw):
        raw = ",".join(raw)
    if not isinstance(raw, str):
        raise SourceFormatError(where, f"field 'answer_idx' should be a string of letters, got {type(raw).__name__}")
    return answer_letters(raw, where)


def parse_options(record: dict[str, Any], answer: list[str], where: str) -> dict[str, str]:
    """``options`` with keys upper-cased; blank options that are not an answer are left out."""
    options: dict[str, str] = {}
    for key, text in require_dict(record, "options", where).items():
        if not isinstance(text, str):
            raise SourceFormatError(where, f"option {key!r} should be a string, got {type(text).__name__}")
        letter = key.strip().upper()
        if text.strip() or letter in answer:
            options[letter] = text.strip()
    return options


def flag(record: dict[str, Any], key: str) -> bool | None:
    """A 0/1 or boolean flag; None when absent or not a flag."""
    value = record.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def usable_rationale(record: dict[str, Any], where: str) -> str | None:
    """The rationale, unless a human checked it and it failed the check."""
    rationale = record.get("rationale")
    if rationale is not None and not isinstance(rationale, str):
        raise SourceFormatError(where, f"field 'rationale' should be a string, got {type(rationale).__name__}")
    if flag(record, "human_checked") and flag(record, "human_check_passed") is False:
        return None
    return rationale.strip() if rationale else None


@register
class MMedBench(SourceAdapter):
    spec = SourceSpec(
        name="mmedbench",
        title="MMedBench: multilingual medical MCQ with rationales",
        languages=tuple(LANGUAGE_FILES.values()),
        kinds=("mc",),
        license="CC-BY-NC-4.0",
        url="https://huggingface.co/datasets/Henrychur/MMedBench",
        hub_id=HUB_ID,
        expected_files=tuple(
            f"**/{folder}/{language}.jsonl" for folder in ("Train", "Test") for language in LANGUAGE_FILES
        ),
        splits=("train", "test"),
        citation=(
            "Qiu, P. et al. Towards Building Multilingual Language Model for Medicine. Nature Communications"
            " 15, 8384 (2024). arXiv:2402.13963."
        ),
        notes=(
            "Rationales become MCQuestion.rationale (dropped when human_checked and not human_check_passed)."
            " It re-packages MedQA (en/zh), IgakuQA (ja), FrenchMedMCQA (fr), RuMedDaNet (ru) and HEAD-QA (es):"
            " do not mix its Test with those sources' training data. Licence CC-BY-NC-4.0: non-commercial."
        ),
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        """As the base class, but ids stay unique if two copies of a file are found (nested unzip)."""
        yield from unique_ids(self, super().read_files(root, files))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        split = split_from_folder(path.parent.name)
        lang = LANGUAGE_FILES.get(path.stem)
        if lang is None:
            raise SourceFormatError(path.name, f"unknown language file; expected one of {sorted(LANGUAGE_FILES)}")
        for where, record in iter_jsonl(path, root):
            yield from self._record(record, where, f"{split}/{lang}/{where.rsplit(':', 1)[1]}", lang, split)

    def read_hub(self, hub_id: str | None = None) -> Iterator[ReadResult]:
        """The same files from the Hub, mapped by the same code as the local jsonl files."""
        yield from unique_ids(self, self._hub_files(hub_id or HUB_ID))

    def _hub_files(self, name: str) -> Iterator[ReadResult]:
        """One ``json`` load per split folder and language, so each row keeps its language."""
        from datasets import load_dataset  # heavy import, only when the Hub is used

        for folder in ("Train", "Test"):
            split = split_from_folder(folder)
            for language, lang in LANGUAGE_FILES.items():
                url = f"hf://datasets/{name}/{folder}/{language}.jsonl"
                rows = load_dataset("json", data_files=url, split="train")
                yield from self._hub_rows(rows, f"hub:{name}/{folder}/{language}.jsonl", lang, split)

    def _hub_rows(self, rows: Any, shown: str, lang: str, split: str) -> Iterator[ReadResult]:
        for line, row in enumerate(rows, start=1):
            yield from self._record(dict(row), f"{shown}:{line}", f"{split}/{lang}/{line}", lang, split)

    def _record(
        self, record: dict[str, Any] | SourceFormatError, where: str, source_id: str, lang: str, split: str
    ) -> Iterator[ReadResult]:
        if isinstance(record, SourceFormatError):
            yield self.reject(
                where, record.reason or "bad_format", record.problem, source_id=source_id, lang=lang, split=split
            )
            return
        yield from self.guarded(
            where,
            lambda: [self._item(record, where, {"source_id": source_id, "lang": lang, "split": split})],
            source_id=source_id,
            lang=lang,
            split=split,
        )

    def _item(self, record: dict[str, Any], where: str, ids: dict[str, Any]) -> ReadResult:
        question = require_str(record, "question", where)
        if "answer_idx" not in record:
            return self.reject(where, "missing_answer", "no 'answer_idx' field", **ids)
        answer = parse_answer_idx(record["answer_idx"], where)
        if not answer:
            return self.reject(where, "missing_answer", "field 'answer_idx' is empty", **ids)
        options = parse_options(record, answer, where)
        missing = [key for key in answer if key not in options]
        if missing:
            detail = f"answer_idx {record['answer_idx']!r} names {missing}, not among the options {sorted(options)}"
            return self.reject(where, "answer_not_in_options", detail, **ids)
        meta = record.get("meta_info")
        return self.make(
            MCQuestion,
            where,
            **ids,
            question=question.strip(),
            options=options,
            answer=answer,
            rationale=usable_rationale(record, where),
            exam="MMedBench",
            subject=meta.strip() if isinstance(meta, str) and meta.strip() else None,
        )
