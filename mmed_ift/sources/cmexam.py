"""CMExam (Liu et al. 2023): Chinese National Medical Licensing Examination questions.

Upstream ``williamliujl/CMExam`` ships ``data/train.csv``, ``data/val.csv`` and
``data/test_with_annotations.csv`` (pandas ``to_csv``; UTF-8, quoted multi-line cells).  Columns:
``Question``, ``Options`` (one cell, one option per line: ``"A 选项文本\\nB ..."``), ``Answer``
(option letters, several for multi-answer questions, e.g. ``"ACE"``), ``Explanation`` (empty for
~15% of rows) and the annotations ``Disease Group``, ``Clinical Department``, ``Medical
Discipline``, ``Competency``, ``Difficulty level``.  There is no id column, so ids are
``<split>/<line>``, the row's first physical line in its file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._answers import answer_letters
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_csv, require_str

LANG = "zh"
#: "A 文本", "A. 文本", "A、文本", "(A) 文本": a key letter, then at least one separator
_OPTION_LINE = re.compile(r"^\s*[(（]?([A-Ha-h])[)）]?[\s.．、:：]+(.*?)\s*$")


def split_from_name(name: str) -> str:
    """``val.csv`` -> ``validation``; ``test_with_annotations.csv`` -> ``test``."""
    stem = name.rsplit(".", 1)[0].lower()
    for marker, split in (("train", "train"), ("val", "validation"), ("dev", "validation"), ("test", "test")):
        if stem.startswith(marker):
            return split
    raise SourceFormatError(name, "cannot tell the split (train/val/test) from the file name")


def parse_options(cell: str, where: str) -> dict[str, str]:
    """The ``Options`` cell, one ``"<letter> <text>"`` per line, as ``{"A": text, ...}``."""
    options: dict[str, str] = {}
    for line in cell.splitlines():
        if not line.strip():
            continue
        match = _OPTION_LINE.match(line)
        if not match:
            raise SourceFormatError(where, f"option line {line!r} does not start with an option letter A-H")
        key, text = match.group(1).upper(), match.group(2)
        if key in options:
            raise SourceFormatError(where, f"option {key} appears twice in the Options cell")
        if not text:
            raise SourceFormatError(where, f"option {key} has no text")
        options[key] = text
    return options


def annotation(row: dict[str, str], column: str) -> str | None:
    """An annotation cell, or None when the column is absent or blank (train/val lack some)."""
    value = row.get(column, "").strip()
    return value or None


@register
class CMExam(SourceAdapter):
    spec = SourceSpec(
        name="cmexam",
        title="CMExam: Chinese National Medical Licensing Examination",
        languages=(LANG,),
        kinds=("mc",),
        license="Apache-2.0",
        url="https://github.com/williamliujl/CMExam",
        hub_id=None,
        expected_files=("**/train.csv", "**/val.csv", "**/test_with_annotation*.csv"),
        citation=(
            "Liu, J. et al. Benchmarking Large Language Models on CMExam - A Comprehensive Chinese Medical"
            " Exam Dataset. NeurIPS 2023 Datasets and Benchmarks. arXiv:2306.03030."
        ),
        notes=(
            "Multi-answer questions are kept (answer = several keys); Explanation becomes the rationale."
            " Rows without an answer are rejected as missing_answer. The GitHub repo has no LICENSE file;"
            " its Hub mirrors declare Apache-2.0, which is what is recorded here: check before redistributing."
        ),
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        """As the base class, but ids stay unique if two files map to the same split."""
        yield from unique_ids(self, super().read_files(root, files))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        split = split_from_name(path.name)
        for where, row in iter_csv(path, root):
            source_id = f"{split}/{where.rsplit(':', 1)[1]}"
            if not isinstance(row, dict):
                problem = row.problem if isinstance(row, SourceFormatError) else "row without a header"
                reason = (row.reason if isinstance(row, SourceFormatError) else None) or "bad_format"
                yield self.reject(where, reason, problem, source_id=source_id, lang=LANG, split=split)
                continue
            yield from self.guarded(
                where,
                lambda: [self._item(row, where, source_id, split)],
                source_id=source_id,
                lang=LANG,
                split=split,
            )

    def _item(self, row: dict[str, str], where: str, source_id: str, split: str) -> ReadResult:
        ids = {"source_id": source_id, "lang": LANG, "split": split}
        question = require_str(row, "Question", where)
        options = parse_options(require_str(row, "Options", where), where)
        raw_answer = require_str(row, "Answer", where, allow_empty=True)
        answer = answer_letters(raw_answer, where)
        if not answer:
            return self.reject(where, "missing_answer", "the Answer cell is empty", **ids)
        missing = [letter for letter in answer if letter not in options]
        if missing:
            detail = f"Answer {raw_answer!r} names {missing}, not among the options {sorted(options)}"
            return self.reject(where, "answer_not_in_options", detail, **ids)
        return self.make(
            MCQuestion,
            where,
            **ids,
            question=question.strip(),
            options=options,
            answer=answer,
            rationale=annotation(row, "Explanation"),
            exam="CMExam",
            subject=annotation(row, "Clinical Department") or annotation(row, "Medical Discipline"),
        )
