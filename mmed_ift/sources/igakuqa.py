"""IgakuQA (Kasai et al. 2023): the Japanese National Medical Licensing Exam, 2018-2022 (112th-116th).

Upstream ``jungokasai/IgakuQA`` ships ``data/<year>/<exam>-<block>.jsonl`` (``problem_id``,
``problem_text``, ``choices`` without letter prefixes, ``text_only``, ``answer`` as a list of
lower-case letters, ``points``) with two sibling files joined here by ``problem_id``:
``_metadata.jsonl`` (``category``: the specialty, used as subject) and ``_translate.jsonl``
(machine translation into English; not read: MMed-IFT takes Japanese from Japanese sources).

Excluded with a reason rather than guessed: questions whose figure is not in the release
(``text_only: false`` -> ``image_required``), numeric-entry questions (``numeric_entry``), the
either-or key ``"a or d"`` (``ambiguous_answer``) and questions struck from scoring
(``points: "0"`` -> ``not_scored``).  Follow-up questions of a clinical series get the case
text of the series' first question (:mod:`mmed_ift.sources._case_series`), or are rejected as
``missing_case_text`` when it cannot be found.  The 2022 exam (116th) is held out as the test split so a
model trained on the other years can be evaluated on an unseen exam year.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._case_series import MISSING_CASE, SeriesReader
from mmed_ift.sources._igakuqa_answers import UnusableAnswer, answer_keys, strip_choice_prefix
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_jsonl, letter_keys, require_list, require_str

LANG = "ja"
#: exam years held out for evaluation (the newest exam of the release)
EVAL_YEARS = frozenset({"2022"})
_PROBLEM_FILE = re.compile(r"^\d+-[A-Z]\.jsonl$")


def read_categories(path: Path, root: Path) -> dict[str, str]:
    """``problem_id -> category`` from the ``_metadata`` sibling; bad lines are skipped (metadata is optional)."""
    categories: dict[str, str] = {}
    if not path.is_file():
        return categories
    for _, record in iter_jsonl(path, root):
        if isinstance(record, dict) and isinstance(record.get("problem_id"), str):
            category = record.get("category")
            if isinstance(category, str) and category.strip():
                categories[record["problem_id"]] = category.strip()
    return categories


def options_from_choices(choices: list[Any], where: str) -> dict[str, str]:
    texts = []
    for index, choice in enumerate(choices):
        if not isinstance(choice, str):
            raise SourceFormatError(where, f"choice {index + 1} should be a string, got {type(choice).__name__}")
        texts.append(strip_choice_prefix(choice, index, where))
    return dict(zip(letter_keys(len(texts)), texts, strict=True))


IMAGE_NOT_RELEASED = "the question refers to a figure that is not released"


def exam_question(
    adapter: SourceAdapter,
    where: str,
    context: dict[str, Any],
    question: str,
    choices: list[Any],
    raw_answer: list[str] | str,
    **metadata: Any,
) -> ReadResult:
    """The MC item of a licensing-exam question, or the reject its answer key calls for.

    Shared by both Japanese exam layouts: the keys are read the same way whatever file they
    came from (see :mod:`mmed_ift.sources._igakuqa_answers`).
    """
    try:
        answer = answer_keys(raw_answer, len(choices), where)
    except UnusableAnswer as unusable:
        return adapter.reject(where, unusable.reason, unusable.detail, **context)
    return adapter.make(
        MCQuestion,
        where,
        **context,
        question=question,
        options=options_from_choices(choices, where),
        answer=answer,
        **metadata,
    )


@register
class IgakuQA(SourceAdapter):
    spec = SourceSpec(
        name="igakuqa",
        title="IgakuQA (Japanese National Medical Licensing Exam 2018-2022)",
        languages=(LANG,),
        kinds=("mc",),
        license="unspecified (exam problems published by MHLW; no LICENSE in the repository)",
        url="https://github.com/jungokasai/IgakuQA",
        expected_files=("**/[0-9][0-9][0-9]-[A-F].jsonl",),
        splits=("train", "test"),
        citation=(
            "Kasai, J. et al. Evaluating GPT-4 and ChatGPT on Japanese Medical Licensing Examinations."
            " arXiv:2303.18027, 2023."
        ),
        extra={"archive_files": ("**/*_metadata.jsonl",)},
        notes="Image, numeric-entry, either-or and unscored questions are rejected; 2022 (116th) is the test split.",
    )

    def find_files(self, root: Path) -> list[Path]:
        return [path for path in super().find_files(root) if _PROBLEM_FILE.match(path.name)]

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        year = path.parent.name
        split = "test" if year in EVAL_YEARS else "train"
        categories = read_categories(path.with_name(f"{path.stem}_metadata.jsonl"), root)
        exam = f"JMLE-{path.stem.split('-')[0]}"
        build = functools.partial(self._item, split=split, year=year, exam=exam, categories=categories)
        records = SeriesReader("problem_text", "problem_id").rows(iter_jsonl(path, root))
        rows = self.each_record(records, build, id_field="problem_id", lang=LANG, split=split)
        yield from unique_ids(self, rows)

    def _item(
        self, record: dict[str, Any], where: str, *, split: str, year: str, exam: str, categories: dict[str, str]
    ) -> ReadResult:
        problem_id = require_str(record, "problem_id", where).strip()
        question = require_str(record, "problem_text", where)
        choices = require_list(record, "choices", where)
        context = {"source_id": problem_id, "lang": LANG, "split": split}
        if MISSING_CASE in record:
            return self.reject(where, "missing_case_text", record[MISSING_CASE], **context)
        if record.get("text_only") is False:
            return self.reject(where, "image_required", IMAGE_NOT_RELEASED, **context)
        if str(record.get("points", "1")).strip() == "0":
            return self.reject(where, "not_scored", "points is 0: the question was excluded from scoring", **context)
        raw_answer = record.get("answer")
        if not isinstance(raw_answer, list | str) or not all(isinstance(piece, str) for piece in raw_answer):
            raise SourceFormatError(where, f"answer should be a list of letters, got {raw_answer!r}")
        return exam_question(
            self,
            where,
            context,
            question,
            choices,
            raw_answer,
            exam=exam,
            subject=categories.get(problem_id),
            year=year,
        )
