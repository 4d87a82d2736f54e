"""IgakuQA119: the 119th Japanese National Medical Licensing Exam (2025), in its own layout.

Upstream ``docto-rin/IgakuQA119`` differs from IgakuQA: ``questions/119{A..F}_json.json`` are JSON
arrays of ``{number, question, choices ["a. ...", ...], has_image}`` and the answers live apart
in ``results/correct_answers.csv`` (header ``問題番号,解答``; multi-answer keys are concatenated
letters such as ``ce``; numeric-entry keys are digits).  The files are joined on the question
number; follow-up questions of a clinical series get their case text as in IgakuQA
(:mod:`mmed_ift.sources._case_series`).  The whole exam is newer than every other Japanese
source, so all of it is the test split:
it is the contamination-free Japanese benchmark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.sources._case_series import MISSING_CASE, SeriesReader
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_csv, iter_json_list, require_list, require_str
from mmed_ift.sources.igakuqa import IMAGE_NOT_RELEASED, exam_question

LANG = "ja"
SPLIT = "test"
ANSWER_FILE = "correct_answers.csv"
ANSWER_COLUMNS = ("問題番号", "解答")


def read_answer_key(path: Path, root: Path) -> tuple[dict[str, str], list[ReadResult]]:
    """``number -> key`` and a list of problems found in the CSV (raised as format errors)."""
    answers: dict[str, str] = {}
    for where, row in iter_csv(path, root):
        if isinstance(row, SourceFormatError):
            raise row
        if not isinstance(row, dict) or not all(column in row for column in ANSWER_COLUMNS):
            raise SourceFormatError(where, f"expected the columns {','.join(ANSWER_COLUMNS)}")
        answers[row[ANSWER_COLUMNS[0]].strip()] = row[ANSWER_COLUMNS[1]].strip()
    return answers, []


@register
class IgakuQA119(SourceAdapter):
    spec = SourceSpec(
        name="igakuqa119",
        title="IgakuQA119 (119th Japanese National Medical Licensing Exam, 2025)",
        languages=(LANG,),
        kinds=("mc",),
        license="Apache-2.0",
        url="https://github.com/docto-rin/IgakuQA119",
        expected_files=("**/119[A-F]_json.json",),
        splits=(SPLIT,),
        citation="docto-rin. IgakuQA119: the 119th Japanese National Medical Licensing Examination. GitHub, 2025.",
        extra={"archive_files": (f"**/{ANSWER_FILE}",)},
        notes="Answers are joined from results/correct_answers.csv; the whole exam is held for evaluation.",
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        key_files = sorted(root.glob(f"**/{ANSWER_FILE}"))
        answers: dict[str, str] = {}
        for key_file in key_files:
            try:
                answers.update(read_answer_key(key_file, root)[0])
            except SourceFormatError as error:
                yield self.reject(
                    error.location, error.reason or "unreadable_file", error.problem, lang=LANG, split=SPLIT
                )
        self._answers = answers
        self._have_key = bool(key_files)
        yield from super().read_files(root, files)

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        records = SeriesReader("question", "number").rows(iter_json_list(path, root))
        rows = self.each_record(records, self._item, id_field="number", lang=LANG, split=SPLIT)
        yield from unique_ids(self, rows)

    def _item(self, record: dict[str, Any], where: str) -> ReadResult:
        number = require_str(record, "number", where).strip()
        question = require_str(record, "question", where).strip()
        choices = require_list(record, "choices", where)
        context = {"source_id": number, "lang": LANG, "split": SPLIT}
        if MISSING_CASE in record:
            return self.reject(where, "missing_case_text", record[MISSING_CASE], **context)
        if record.get("has_image") is True:
            return self.reject(where, "image_required", IMAGE_NOT_RELEASED, **context)
        raw = self._answers.get(number)
        if raw is None or not raw:
            detail = (
                f"{number} is not in {ANSWER_FILE}"
                if self._have_key
                else f"no {ANSWER_FILE} found next to the questions"
            )
            return self.reject(where, "missing_answer", detail, **context)
        return exam_question(self, where, context, question, choices, raw, exam="JMLE-119", year="2025")
