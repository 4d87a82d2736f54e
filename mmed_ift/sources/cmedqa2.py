"""cMedQA2 (Zhang et al. 2018): Chinese community medical questions with doctors' answers.

Upstream ``zhangsheng93/cMedQA2`` ships zip archives; unzipped they are UTF-8 CSV files:

* ``question.csv``: ``question_id,content``
* ``answer.csv``: ``ans_id,question_id,content``
* ``train_candidates.txt``: ``question_id,pos_ans_id,neg_ans_id`` (one row per sampled negative,
  so a question repeats many times)
* ``dev_candidates.txt`` / ``test_candidates.txt``: ``question_id,ans_id,cnt,label`` (a ranking
  pool per question; ``label`` 1 marks a correct answer)

The candidate files define the splits, so a record is one *question of a candidates file*; it
becomes one :class:`QAPair` with its first positive answer.  The question and answer tables are
lookups: their broken rows are rejected where they are, and a question whose text or answer cannot
be found is rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import QAPair
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_csv, require_str

LANG = "zh"
QUESTIONS_NAME = "question.csv"
ANSWERS_NAME = "answer.csv"
_SPLITS = {"train": "train", "dev": "validation", "test": "test"}


@dataclass
class _Tables:
    """The question and answer lookups shared by all candidate files."""

    questions: dict[str, str] = field(default_factory=dict)
    answers: dict[str, tuple[str, str]] = field(default_factory=dict)  # ans_id -> (question_id, content)
    problems: list[str] = field(default_factory=list)  # why a table could not be read, for details


@dataclass
class _Candidate:
    """One question of a candidates file: where it first appears and its positive answer ids."""

    location: str
    positives: list[str] = field(default_factory=list)


def split_from_name(name: str) -> str:
    """``dev_candidates.txt`` -> ``validation``."""
    prefix = name.split("_", 1)[0].lower()
    if prefix not in _SPLITS:
        raise SourceFormatError(name, "cannot tell the split (train/dev/test) from the candidates file name")
    return _SPLITS[prefix]


def positive_answer_id(row: dict[str, str], where: str) -> str | None:
    """The row's correct answer id: ``pos_ans_id`` in train, ``ans_id`` where ``label`` is 1 in dev/test."""
    if "pos_ans_id" in row:
        return require_str(row, "pos_ans_id", where).strip()
    label = require_str(row, "label", where).strip()
    if label not in {"0", "1"}:
        raise SourceFormatError(where, f"label should be 0 or 1, got {label!r}")
    return require_str(row, "ans_id", where).strip() if label == "1" else None


def _row_error(row: list[str] | SourceFormatError, where: str) -> SourceFormatError:
    """The error to reject a row with that :func:`iter_csv` could not turn into a dict."""
    return row if isinstance(row, SourceFormatError) else SourceFormatError(where, "row without a header")


@register
class CMedQA2(SourceAdapter):
    spec = SourceSpec(
        name="cmedqa2",
        title="cMedQA2: Chinese community medical question answering",
        languages=(LANG,),
        kinds=("qa",),
        license="non-commercial research use (per upstream README)",
        url="https://github.com/zhangsheng93/cMedQA2",
        hub_id=None,
        expected_files=(f"**/{QUESTIONS_NAME}", f"**/{ANSWERS_NAME}", "**/*_candidates.txt"),
        citation=(
            "Zhang, S. et al. Multi-Scale Attentive Interaction Networks for Chinese Medical Question Answer"
            " Selection. IEEE Access 6, 2018."
        ),
        extra={"patient_dialogue": True},
        notes=(
            "Unzip question.zip, answer.zip and *_candidates.zip first. One QA pair per question of each"
            " candidates file, with its first positive answer; the upstream licence allows non-commercial"
            " research use only."
        ),
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        tables = _Tables()
        for path in files:
            if path.name == QUESTIONS_NAME:
                yield from self._guard_table(path, root, tables, self._load_questions(root, path, tables))
            elif path.name == ANSWERS_NAME:
                yield from self._guard_table(path, root, tables, self._load_answers(root, path, tables))
        seen: dict[str, str] = {}
        for path in files:
            if path.name.endswith("_candidates.txt"):
                yield from self._guard_candidates(self._read_candidates(root, path, tables, seen))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        """One candidates file, with the question/answer tables found beside it under ``root``."""
        tables = [found for found in self.find_files(root) if found.name in {QUESTIONS_NAME, ANSWERS_NAME}]
        yield from self.read_files(root, [*tables, path])

    # -- lookup tables -----------------------------------------------------------------------

    def _guard_table(
        self, path: Path, root: Path, tables: _Tables, results: Iterator[ReadResult]
    ) -> Iterator[ReadResult]:
        """A table broken as a whole is one reject; the questions that need it are rejected later."""
        try:
            yield from results
        except SourceFormatError as error:
            tables.problems.append(f"{path.name} is unreadable ({error.problem})")
            yield self.reject(error.location, error.reason or "unreadable_file", error.problem, lang=LANG)

    def _load_questions(self, root: Path, path: Path, tables: _Tables) -> Iterator[ReadResult]:
        for where, row in iter_csv(path, root):
            try:
                if not isinstance(row, dict):
                    raise _row_error(row, where)
                question_id = require_str(row, "question_id", where).strip()
                tables.questions[question_id] = require_str(row, "content", where, allow_empty=True)
            except SourceFormatError as error:
                yield self.reject(error.location, error.reason or "bad_format", error.problem, lang=LANG)

    def _load_answers(self, root: Path, path: Path, tables: _Tables) -> Iterator[ReadResult]:
        for where, row in iter_csv(path, root):
            try:
                if not isinstance(row, dict):
                    raise _row_error(row, where)
                answer_id = require_str(row, "ans_id", where).strip()
                question_id = require_str(row, "question_id", where).strip()
                tables.answers[answer_id] = (question_id, require_str(row, "content", where, allow_empty=True))
            except SourceFormatError as error:
                yield self.reject(error.location, error.reason or "bad_format", error.problem, lang=LANG)

    # -- candidate files (the records) -------------------------------------------------------

    def _guard_candidates(self, results: Iterator[ReadResult]) -> Iterator[ReadResult]:
        try:
            yield from results
        except SourceFormatError as error:
            yield self.reject(error.location, error.reason or "unreadable_file", error.problem, lang=LANG)

    def _read_candidates(self, root: Path, path: Path, tables: _Tables, seen: dict[str, str]) -> Iterator[ReadResult]:
        split = split_from_name(path.name)
        candidates: dict[str, _Candidate] = {}
        for where, row in iter_csv(path, root):
            try:
                if not isinstance(row, dict):
                    raise _row_error(row, where)
                question_id = require_str(row, "question_id", where).strip()
                positive = positive_answer_id(row, where)
            except SourceFormatError as error:
                yield self.reject(error.location, error.reason or "bad_format", error.problem, lang=LANG, split=split)
                continue
            candidate = candidates.setdefault(question_id, _Candidate(where))
            if positive and positive not in candidate.positives:
                candidate.positives.append(positive)
        for question_id, candidate in candidates.items():
            yield self._pair(question_id, candidate, split, tables, seen)
            seen.setdefault(question_id, candidate.location)

    def _pair(
        self, question_id: str, candidate: _Candidate, split: str, tables: _Tables, seen: dict[str, str]
    ) -> ReadResult:
        where = candidate.location
        ids = {"source_id": question_id, "lang": LANG, "split": split}
        if question_id in seen:
            detail = f"question {question_id} is already in {seen[question_id]}"
            return self.reject(where, "duplicate_question", detail, **ids)
        question = tables.questions.get(question_id, "")
        if not question.strip():
            detail = f"question {question_id} has no text in {QUESTIONS_NAME}"
            return self.reject(where, "missing_question", "; ".join([detail, *tables.problems]), **ids)
        answer, problem = self._first_answer(question_id, candidate, tables)
        if answer is None:
            return self.reject(where, "missing_answer", "; ".join([problem, *tables.problems]), **ids)
        return self.make(QAPair, where, **ids, question=question.strip(), answer=answer.strip())

    @staticmethod
    def _first_answer(question_id: str, candidate: _Candidate, tables: _Tables) -> tuple[str | None, str]:
        """The first usable positive answer's text, or None and why there is none."""
        if not candidate.positives:
            return None, f"question {question_id} has no positive answer in its candidates file"
        for answer_id in candidate.positives:
            owner, content = tables.answers.get(answer_id, ("", ""))
            if owner == question_id and content.strip():
                return content, ""
        return None, (
            f"none of the positive answers {candidate.positives} of question {question_id}"
            f" has text for that question in {ANSWERS_NAME}"
        )
