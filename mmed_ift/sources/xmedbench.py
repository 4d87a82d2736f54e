"""XMedBench (Apollo, Wang et al. 2024): the multilingual medical MCQ benchmark of the Apollo models.

Upstream ``FreedomIntelligence/Apollo`` ships ``metadata/{dev,test}/<lang>.json`` (ar en es fr hi zh)
and ``metadata/dev.json`` / ``metadata/test.json``, which combine the per-language files.  Each file
is a JSON list of ``{question, options, answer, source[, context]}`` where ``options`` is ONE
string, ``"(A) text.\\n(B) text."``, and ``answer`` is ``"(C)"`` or, for multi-answer items,
``"(ACE)"``.  It is a re-packaging of MedQA, MedMCQA, PubMedQA, MMLU, HEAD-QA, FrenchMedMCQA,
CMB, CMExam and CMMLU, used here for evaluation only (``training=False``).

Traps handled:

* Arabic and Hindi are not among our languages: those items are ``unsupported_language`` rejects.
* The combined files repeat the per-language items; an item identical to one already read (also
  a repeat inside one file) is a ``duplicate_record`` reject that names the first copy, so reading
  the whole ``metadata/`` folder counts every question once.
* The combined files carry no language; it is taken from the item's ``source`` dataset.
* Apollo appends a period to every option (``"Colágeno.."`` for HEAD-QA); when all options of an
  item end in one, it is removed so the option text is the original dataset's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import display_path, iter_json_list, require_str

_SPLIT_BY_NAME = {"dev": "validation", "test": "test"}
#: language of each ``source`` dataset, for the combined dev.json/test.json that have no file language
SOURCE_LANGUAGE: dict[str, str] = {
    "medqa-usmle": "en",
    "medmcqa": "en",
    "pubmedqa": "en",
    "mmlu-medical": "en",
    "headqa": "es",
    "frenchmedmcqa": "fr",
    "medqa-mcmle": "zh",
    "cmb-single": "zh",
    "cmb": "zh",
    "cmexam": "zh",
    "cmmlu-medical": "zh",
    "mmlu-medical-ar": "ar",
    "mmlu-medical-hi": "hi",
}
#: "(A) " at the start of the string or of a line
_OPTION_MARK = re.compile(r"(?:^|\n)[ \t]*\(([A-Za-z])\)[ \t]*")
_ANSWER = re.compile(r"^\(?\s*([A-Za-z]*)\s*\)?\.?$")


def parse_options(raw: str, where: str) -> dict[str, str]:
    """``"(A) x.\\n(B) y."`` -> ``{"A": "x", "B": "y"}``; an option may span several lines."""
    pieces = _OPTION_MARK.split(raw.strip())
    if pieces[0].strip():
        raise SourceFormatError(where, f"options {raw[:40]!r} do not start with an '(A) ' marker")
    options: dict[str, str] = {}
    for key, text in zip(pieces[1::2], pieces[2::2], strict=True):
        key = key.upper()
        if key in options:
            raise SourceFormatError(where, f"option ({key}) appears twice in the options string")
        if not text.strip():
            raise SourceFormatError(where, f"option ({key}) has no text")
        options[key] = text.strip()
    if options and all(text.endswith(".") for text in options.values()):
        options = {key: text[:-1].rstrip() or text for key, text in options.items()}
    return options


def parse_answer(raw: str, where: str) -> list[str]:
    """``"(C)"`` -> ``["C"]``; ``"(ACE)"`` -> ``["A", "C", "E"]``; ``"()"`` -> ``[]``."""
    match = _ANSWER.match(raw.strip())
    if not match:
        raise SourceFormatError(where, f"answer {raw!r} is not option letters in parentheses, e.g. '(C)' or '(ACE)'")
    letters = match.group(1).upper()
    if len(set(letters)) != len(letters):
        raise SourceFormatError(where, f"answer {raw!r} repeats an option letter")
    return sorted(letters)


def fingerprint(record: dict[str, Any]) -> tuple[str, ...]:
    """What makes two items the same question: every field that reaches the item."""
    return tuple(str(record.get(key, "")).strip() for key in ("question", "options", "answer", "context"))


@register
class XMedBench(SourceAdapter):
    spec = SourceSpec(
        name="xmedbench",
        title="XMedBench (Apollo multilingual medical benchmark)",
        languages=("en", "zh", "fr", "es"),
        kinds=("mc",),
        license="Apache-2.0",
        url="https://github.com/FreedomIntelligence/Apollo",
        hub_id=None,
        expected_files=(
            "**/metadata/dev.json",
            "**/metadata/test.json",
            "**/metadata/dev/*.json",
            "**/metadata/test/*.json",
        ),
        splits=("validation", "test"),
        citation=(
            "Wang, X. et al. Apollo: A Lightweight Multilingual Medical LLM towards Democratizing Medical AI"
            " to 6B People. arXiv:2403.03640, 2024."
        ),
        training=False,
        notes=(
            "Evaluation only. Arabic and Hindi items are rejected (unsupported_language). The combined"
            " dev.json/test.json repeat the per-language files; repeats are rejected as duplicate_record."
            " Items are re-packaged by Apollo from MedQA, MedMCQA, PubMedQA, MMLU, HEAD-QA, FrenchMedMCQA,"
            " CMB, CMExam and CMMLU: decontaminate training data from those sources against them."
        ),
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        """Per-language files first, then the combined ones, dropping repeats of items already read."""
        combined = [path for path in files if path.parent.name == "metadata"]
        per_language = [path for path in files if path not in combined]
        seen: dict[tuple[str, ...], str] = {}
        for path in per_language + combined:
            try:
                yield from self._read_file_once(root, path, seen)
            except SourceFormatError as error:
                yield self.reject(error.location, error.reason or "unreadable_file", error.problem)

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        """One file on its own (no repeat detection across files)."""
        yield from self._read_file_once(root, path, {})

    def _read_file_once(self, root: Path, path: Path, seen: dict[tuple[str, ...], str]) -> Iterator[ReadResult]:
        combined = path.parent.name == "metadata"
        split_name = path.stem if combined else path.parent.name
        split = _SPLIT_BY_NAME.get(split_name)
        if split is None:
            raise SourceFormatError(display_path(path, root), f"cannot tell the split (dev/test) from {split_name!r}")
        file_lang = None if combined else path.stem
        for where, record in iter_json_list(path, root):
            index = where.rsplit("[", 1)[1].rstrip("]")
            if isinstance(record, SourceFormatError):
                yield self.reject(where, record.reason or "bad_format", record.problem, lang=file_lang, split=split)
                continue
            lang = file_lang or SOURCE_LANGUAGE.get(str(record.get("source", "")).strip())
            source_id = f"{split}/{lang or 'unknown'}/{'all-' if combined else ''}{index}"
            yield from self.guarded(
                where,
                lambda: [self._result(record, where, source_id, lang, split, seen)],
                source_id=source_id,
                lang=lang,
                split=split,
            )

    def _result(
        self,
        record: dict[str, Any],
        where: str,
        source_id: str,
        lang: str | None,
        split: str,
        seen: dict[tuple[str, ...], str],
    ) -> ReadResult:
        ids: dict[str, Any] = {"source_id": source_id, "lang": lang, "split": split}
        if lang is None:
            detail = f"source {record.get('source')!r} of a combined file names no known language"
            return self.reject(where, "unknown_language", detail, **ids)
        if lang not in LANGUAGE_CODES:
            detail = f"language {lang!r} is not among {', '.join(LANGUAGE_CODES)}"
            return self.reject(where, "unsupported_language", detail, **ids)
        result = self._item(record, where, ids)
        if isinstance(result, Reject):
            return result
        first = seen.setdefault(fingerprint(record), where)
        if first != where:
            return self.reject(where, "duplicate_record", f"same question, options and answer as {first}", **ids)
        return result

    def _item(self, record: dict[str, Any], where: str, ids: dict[str, Any]) -> ReadResult:
        question = require_str(record, "question", where)
        options = parse_options(require_str(record, "options", where), where)
        raw_answer = require_str(record, "answer", where, allow_empty=True)
        answer = parse_answer(raw_answer, where)
        if not answer:
            return self.reject(where, "missing_answer", f"answer {raw_answer!r} names no option", **ids)
        missing = [key for key in answer if key not in options]
        if missing:
            detail = f"answer {raw_answer!r} names {missing}, not among the options {sorted(options)}"
            return self.reject(where, "answer_not_in_options", detail, **ids)
        context = record.get("context")
        if context is not None and not isinstance(context, str):
            raise SourceFormatError(where, f"field 'context' should be a string, got {type(context).__name__}")
        source = record.get("source")
        return self.make(
            MCQuestion,
            where,
            **ids,
            question=question.strip(),
            options=options,
            answer=answer,
            context=context.strip() if context else None,
            exam=f"XMedBench/{source.strip()}" if isinstance(source, str) and source.strip() else "XMedBench",
        )
