"""Question series of the Japanese licensing exam: follow-up questions get the case they refer to.

A clinical series opens with a declaration and the case, then the first question's stem, all in
the first row (IgakuQA ``112C51``: ``次の文を読み、51〜53の問いに答えよ。73歳の女性。...
確認すべき症状として最も重要なのはどれか。``).  The rows of the follow-up questions hold only
their own text (``112C53``: ``来院時の血液検査所見から...その根拠として最も重要なのはどれか。``),
sometimes with new findings first (``112C52``: ``検査所見（来院時）：...次に行うべき検査はどれか。``).
Alone, a follow-up cannot be answered.

:class:`SeriesReader` walks one file's rows in order and rewrites the question text: the
declaration is dropped (its numbers mean nothing outside the exam booklet), and every follow-up
gets the case plus the new findings of the questions before it in the series, so each item
reads as the examinee read it.  The declaration names the members (``51〜53``, ``40、41``,
``40と41``); a row that declares a series (``次の文を読み、以下の問いに答えよ。``) but carries no
case text, outside any open series, is marked :data:`MISSING_CASE` for its adapter to reject
as ``missing_case_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mmed_ift.errors import SourceFormatError

#: key set on a row whose case text cannot be found (its value says why)
MISSING_CASE = "_missing_case_text"
DECLARATION = re.compile(r"^\s*次の文を読み[、,]\s*(?P<span>[^。]*?)の問いに答えよ。\s*")
_RANGE = re.compile(r"(\d+)\s*[〜～~\-－]\s*(\d+)")
_NUMBER = re.compile(r"\d+")
_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")
#: what a question stem asks ("...はどれか。", "...を求めよ。"); the case is what comes before
_ASKS = re.compile(r"(?:どれか|求めよ|何か|いくつか|選べ|答えよ)[。？?]?$")
_SENTENCE = re.compile(r"[^。]*。|[^。]+$")


def members(span: str) -> frozenset[int] | None:
    """The question numbers a declaration names; None for ``以下`` (the following questions)."""
    found = _RANGE.search(span)
    if found:
        low, high = int(found.group(1)), int(found.group(2))
        return frozenset(range(low, high + 1)) if 0 < high - low < 20 else frozenset({low, high})
    numbers = frozenset(int(number) for number in _NUMBER.findall(span))
    return numbers or None


def split_stem(text: str) -> tuple[str, str]:
    """``(findings, stem)``: the stem starts at the last sentence that asks something, and takes
    what follows it (``2つ選べ。``, ``解答：①②``); everything before it is case or findings."""
    sentences = [sentence for sentence in _SENTENCE.findall(text.strip()) if sentence.strip()]
    for index in range(len(sentences) - 1, -1, -1):
        if _ASKS.search(sentences[index].strip()) and not re.fullmatch(r"\s*\d+つ選べ。\s*", sentences[index]):
            return "".join(sentences[:index]).strip(), "".join(sentences[index:]).strip()
    return "", text.strip()


def question_number(problem_id: str) -> int | None:
    found = _TRAILING_NUMBER.search(problem_id)
    return int(found.group(1)) if found else None


@dataclass
class _Series:
    numbers: frozenset[int] | None
    context: list[str] = field(default_factory=list)


class SeriesReader:
    """Rewrites the ``text_field`` of rows in one file (see the module docstring)."""

    def __init__(self, text_field: str, id_field: str) -> None:
        self.text_field = text_field
        self.id_field = id_field

    def rows(
        self, rows: Iterable[tuple[str, dict[str, Any] | SourceFormatError]]
    ) -> Iterator[tuple[str, dict[str, Any] | SourceFormatError]]:
        series: _Series | None = None
        for where, record in rows:
            text = record.get(self.text_field) if isinstance(record, dict) else None
            raw_id = record.get(self.id_field) if isinstance(record, dict) else None
            if not isinstance(record, dict) or not isinstance(text, str) or not isinstance(raw_id, str):
                yield where, record
                continue
            number = question_number(raw_id)
            declared = DECLARATION.match(text)
            if declared:
                body = text[declared.end() :]
                findings, stem = split_stem(body)
                if findings:
                    series = _Series(members(declared.group("span")), [findings])
                    yield where, {**record, self.text_field: f"{findings}\n{stem}"}
                    continue
                if series is None or not _belongs(series, number):
                    detail = f"{raw_id} opens a question series but holds no case text, and no earlier row has it"
                    yield where, {**record, self.text_field: stem or body, MISSING_CASE: detail}
                    continue
                text = body
            elif series is None or series.numbers is None or not _belongs(series, number):
                series = None if series is not None and series.numbers is not None else series
                yield where, record
                continue
            assert series is not None
            findings, stem = split_stem(text)
            rewritten = "\n".join([*series.context, text.strip()])
            if findings:
                series.context.append(findings)
            yield where, {**record, self.text_field: rewritten}


def _belongs(series: _Series, number: int | None) -> bool:
    return series.numbers is None or (number is not None and number in series.numbers)
