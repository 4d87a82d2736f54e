"""CMB (Comprehensive Medical Benchmark in Chinese): CMB-Exam MCQs and CMB-Clin case questions.

Upstream (``FreedomIntelligence/CMB``, unpacked from ``data/CMB.zip``) ships:

* CMB-Exam: ``CMB-train/CMB-train-merge.json``, ``CMB-val/CMB-val-merge.json`` and
  ``CMB-test/CMB-test-choice-question-merge.json``: JSON lists of ``{exam_type, exam_class,
  exam_subject, question, answer, question_type, option: {"A": ..}}`` (val adds ``explanation``).
  Unused option slots are padded with ``""``/``" "``, so blank options are dropped.
* ``CMB-test-choice-answer.json``: the test answer key alone (``id`` + ``answer``, no question
  text).  Its answers are joined to the test questions by ``id`` when the question file is beside
  it; a key entry with no question is rejected as ``missing_question`` (it cannot make an item).
* CMB-Clin (``CMB-test-qa.json``, later ``CMB-Clin/CMB-Clin-qa.json``): 74 case records
  ``{id, title, description, QA_pairs: [{question, answer}]}`` (the later release names the answer
  ``solution``).  Each QA pair is one record and one :class:`QAPair`, with the case history as
  context.  CMB-Clin is a test set.
* ``CMB-test-choice-hierarchy.json`` only counts questions per category: metadata, never read.

All files are CRLF JSON; :func:`load_json` parses them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion, QAPair
from mmed_ift.sources._answers import answer_letters
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import (
    iter_json_list,
    optional_str,
    require_dict,
    require_list,
    require_str,
)

LANG = "zh"
HUB_ID = "FreedomIntelligence/CMB"
ANSWER_KEY_NAME = "CMB-test-choice-answer.json"
CLIN_NAMES = frozenset({"CMB-test-qa.json", "CMB-Clin-qa.json"})
_MERGE_SPLIT = re.compile(r"CMB-(train|val|test)\b", re.IGNORECASE)
_SPLITS = {"train": "train", "val": "validation", "test": "test"}


@dataclass
class _AnswerKey:
    """Test answers by question id, and which of them a question has used."""

    answers: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (location, answer)
    used: set[str] = field(default_factory=set)


def exam_split(name: str) -> str:
    """``CMB-val-merge.json`` -> ``validation``: CMB-Exam encodes the split in the file name."""
    match = _MERGE_SPLIT.search(name)
    if not match:
        raise SourceFormatError(name, "cannot tell the split (train/val/test) from the file name")
    return _SPLITS[match.group(1).lower()]


def record_id(record: dict[str, Any], where: str) -> str | None:
    """The upstream ``id`` (int in the answer key, str in CMB-Clin) as text, or None if absent."""
    if "id" not in record or record["id"] is None:
        return None
    value = record["id"]
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise SourceFormatError(where, f"field 'id' should be an int or a non-empty string, got {value!r}")
    return str(value).strip()


def exam_options(record: dict[str, Any], where: str) -> dict[str, str]:
    """Options keyed ``A``..; blank padding slots (``""``, ``" "``, None on the Hub) are dropped."""
    options: dict[str, str] = {}
    for key, text in require_dict(record, "option", where).items():
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        if not isinstance(text, str):
            raise SourceFormatError(where, f"option {key!r} should be a string, got {type(text).__name__}")
        options[str(key).strip().upper()] = text.strip()
    return options


@register
class CMB(SourceAdapter):
    spec = SourceSpec(
        name="cmb",
        title="CMB: Comprehensive Medical Benchmark in Chinese (CMB-Exam, CMB-Clin)",
        languages=(LANG,),
        kinds=("mc", "qa"),
        license="Apache-2.0",
        url="https://github.com/FreedomIntelligence/CMB",
        hub_id=HUB_ID,
        expected_files=(
            "**/CMB-*-merge.json",
            f"**/{ANSWER_KEY_NAME}",
            *(f"**/{name}" for name in sorted(CLIN_NAMES)),
        ),
        citation=(
            "Wang, X. et al. CMB: A Comprehensive Medical Benchmark in Chinese. NAACL 2024."
            " https://github.com/FreedomIntelligence/CMB"
        ),
        notes=(
            "CMB-Exam train/val/test merge files give MC questions (multi-answer kept); the test answer key"
            " is joined by id, and alone (no question texts) every entry is rejected as missing_question."
            " CMB-Clin gives one QA pair per case question (test). The hierarchy file is metadata."
        ),
    )

    # -- file dispatch -----------------------------------------------------------------------

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        """Read the answer key first so test questions without an answer can be joined to it."""
        yield from unique_ids(self, self._read_all(root, files))

    def _read_all(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        key = _AnswerKey()
        key_files = [path for path in files if path.name == ANSWER_KEY_NAME]
        for path in key_files:
            yield from self._guard_file(self._load_key(root, path, key))
        for path in files:
            if path.name != ANSWER_KEY_NAME:
                yield from self._guard_file(self._read_path(root, path, key))
        yield from self._unused_key_entries(key)

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        key = _AnswerKey()
        if path.name == ANSWER_KEY_NAME:
            yield from self._load_key(root, path, key)
            yield from self._unused_key_entries(key)
        else:
            yield from self._read_path(root, path, key)

    def _guard_file(self, results: Iterator[ReadResult]) -> Iterator[ReadResult]:
        """A file broken as a whole (truncated JSON, not a list) is one reject naming it.

        ``results`` is a generator, so the parse error surfaces while it is iterated here.
        """
        try:
            yield from results
        except SourceFormatError as error:
            yield self.reject(error.location, error.reason or "unreadable_file", error.problem, lang=LANG)

    def _read_path(self, root: Path, path: Path, key: _AnswerKey) -> Iterator[ReadResult]:
        if path.name in CLIN_NAMES:
            yield from self._read_clin(root, path)
        else:
            yield from self._read_exam(root, path, key)

    # -- CMB-Exam ----------------------------------------------------------------------------

    def _load_key(self, root: Path, path: Path, key: _AnswerKey) -> Iterator[ReadResult]:
        """Collect the answer key; only malformed or duplicate entries produce results here."""
        for where, record in iter_json_list(path, root):
            if isinstance(record, SourceFormatError):
                yield self.reject(where, record.reason or "bad_format", record.problem, lang=LANG, split="test")
                continue
            try:
                entry_id = record_id(record, where)
                if entry_id is None:
                    raise SourceFormatError(where, "missing field 'id' (needed to join the answer to its question)")
                answer = require_str(record, "answer", where, allow_empty=True)
            except SourceFormatError as error:
                yield self.reject(error.location, error.reason or "bad_format", error.problem, lang=LANG, split="test")
                continue
            if entry_id in key.answers:
                yield self.reject(
                    where,
                    "duplicate_id",
                    f"id {entry_id} already appears at {key.answers[entry_id][0]}",
                    source_id=f"exam/test/{entry_id}",
                    lang=LANG,
                    split="test",
                )
                continue
            key.answers[entry_id] = (where, answer)

    def _unused_key_entries(self, key: _AnswerKey) -> Iterator[ReadResult]:
        """Answer-key entries no question claimed: each is one upstream record we cannot use."""
        for entry_id, (where, _answer) in key.answers.items():
            if entry_id not in key.used:
                yield self.reject(
                    where,
                    "missing_question",
                    f"answer key entry id {entry_id} has no question text; put CMB-test-choice-question-merge.json"
                    " (from data/CMB.zip) beside CMB-test-choice-answer.json to join them",
                    source_id=f"exam/test/{entry_id}",
                    lang=LANG,
                    split="test",
                )

    def _read_exam(self, root: Path, path: Path, key: _AnswerKey) -> Iterator[ReadResult]:
        split = exam_split(path.name)
        for index, (where, record) in enumerate(iter_json_list(path, root)):
            if isinstance(record, SourceFormatError):
                yield self.reject(where, record.reason or "bad_format", record.problem, lang=LANG, split=split)
                continue
            yield from self.guarded(
                where,
                lambda: [self._exam_item(record, where, index, split, key)],
                lang=LANG,
                split=split,
            )

    def _exam_item(self, record: dict[str, Any], where: str, index: int, split: str, key: _AnswerKey) -> ReadResult:
        upstream_id = record_id(record, where)
        source_id = f"exam/{split}/{upstream_id}" if upstream_id else f"exam/{split}/#{index}"
        ids: dict[str, Any] = {"source_id": source_id, "lang": LANG, "split": split}
        keyed = split == "test" and upstream_id is not None and upstream_id in key.answers
        if keyed:
            key.used.add(str(upstream_id))  # this record accounts for the key entry, kept or not
        question = record.get("question")
        if not isinstance(question, str) or not question.strip():
            return self.reject(where, "missing_question", "field 'question' is missing or empty", **ids)
        options = exam_options(record, where)
        raw_answer = optional_str(record, "answer", where) or ""
        if not raw_answer.strip() and keyed:
            raw_answer = key.answers[str(upstream_id)][1]
        answer = answer_letters(raw_answer, where)
        if not answer:
            detail = "field 'answer' is empty and no answer key entry matches"
            return self.reject(where, "missing_answer", detail, **ids)
        missing = [letter for letter in answer if letter not in options]
        if missing:
            detail = f"answer {raw_answer!r} names {missing}, not among {sorted(options)}"
            return self.reject(where, "answer_not_in_options", detail, **ids)
        return self.make(
            MCQuestion,
            where,
            **ids,
            question=question.strip(),
            options=options,
            answer=answer,
            rationale=optional_str(record, "explanation", where),
            exam="/".join(
                part
                for part in ("CMB", optional_str(record, "exam_type", where), optional_str(record, "exam_class", where))
                if part
            ),
            subject=optional_str(record, "exam_subject", where),
        )

    # -- CMB-Clin ----------------------------------------------------------------------------

    def _read_clin(self, root: Path, path: Path) -> Iterator[ReadResult]:
        for index, (where, record) in enumerate(iter_json_list(path, root)):
            if isinstance(record, SourceFormatError):
                yield self.reject(where, record.reason or "bad_format", record.problem, lang=LANG, split="test")
                continue
            yield from self.guarded(
                where, lambda: list(self._clin_pairs(record, where, index)), lang=LANG, split="test"
            )

    def _clin_pairs(self, case: dict[str, Any], where: str, index: int) -> Iterator[ReadResult]:
        """One result per QA pair of a case; a case whose pairs cannot be found is one reject.

        Each pair is a record, so a broken case-level field (id, title, description) rejects every
        pair of the case rather than collapsing them into one reject.
        """
        pairs = require_list(case, "QA_pairs", where)
        if not pairs:
            raise SourceFormatError(where, "field 'QA_pairs' is empty; a case needs at least one question")
        try:
            case_id = record_id(case, where) or f"#{index}"
            title = optional_str(case, "title", where)
            description = optional_str(case, "description", where)
        except SourceFormatError as error:
            for number in range(len(pairs)):
                yield self.reject(
                    f"{where}.QA_pairs[{number}]", "bad_format", f"case: {error.problem}", lang=LANG, split="test"
                )
            return
        for number, pair in enumerate(pairs):
            pair_where = f"{where}.QA_pairs[{number}]"
            ids: dict[str, Any] = {"source_id": f"clin/{case_id}/{number}", "lang": LANG, "split": "test"}
            yield from self.guarded(
                pair_where,
                lambda: [self._clin_pair(pair, pair_where, ids, title, description)],
                **ids,
            )

    def _clin_pair(
        self, pair: Any, where: str, ids: dict[str, Any], title: str | None, description: str | None
    ) -> ReadResult:
        if not isinstance(pair, dict):
            raise SourceFormatError(where, f"expected a QA pair object, got {type(pair).__name__}")
        answer_field = "solution" if "solution" in pair and "answer" not in pair else "answer"
        answer = pair.get(answer_field)
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            return self.reject(where, "missing_answer", f"QA pair has no {answer_field!r} text", **ids)
        return self.make(
            QAPair,
            where,
            **ids,
            question=require_str(pair, "question", where),
            answer=require_str(pair, answer_field, where),
            context=description,
            title=title,
        )

    # -- Hugging Face Hub --------------------------------------------------------------------

    def read_hub(self, hub_id: str | None = None) -> Iterator[ReadResult]:
        """Load the ``exam`` and ``clin`` configs from the Hub and map rows like the JSON records."""
        yield from unique_ids(self, self._hub_rows(hub_id or HUB_ID))

    def _hub_rows(self, name: str) -> Iterator[ReadResult]:
        from datasets import load_dataset  # heavy import, only when the Hub is used

        key = _AnswerKey()
        exam = load_dataset(name, "exam")
        for hub_split, rows in exam.items():
            split = exam_split(f"CMB-{hub_split}")
            for index, row in enumerate(rows):
                where = f"hub:{name}/exam/{hub_split}[{index}]"
                yield from self.guarded(
                    where, lambda: [self._exam_item(dict(row), where, index, split, key)], lang=LANG, split=split
                )
        clin = load_dataset(name, "clin")
        for hub_split, rows in clin.items():
            for index, row in enumerate(rows):
                where = f"hub:{name}/clin/{hub_split}[{index}]"
                yield from self.guarded(
                    where, lambda: list(self._clin_pairs(dict(row), where, index)), lang=LANG, split="test"
                )
