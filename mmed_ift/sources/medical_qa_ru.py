"""medical_qa_ru_data (Blinov 2021): Russian questions from a medical forum with doctors' answers.

The Hub dataset ``blinoff/medical_qa_ru_data`` ships one CSV, ``medical_qa_ru_data.csv`` (266 MB,
Hub size category 100K-1M rows), with the header ``date,categ,theme,desc,ans,spec10``:
``desc`` is the patient's question, ``theme`` its subject line, ``categ`` the forum section
(e.g. ``Кардиология``), ``spec10`` the doctor's speciality and ``ans`` the answers, several
joined by ``";\\n"``.  Each row becomes a :class:`QAPair` with the first answer (one doctor's
voice; later answers often reply to each other); a row with no answer is ``missing_answer``.
There are no ids and no splits: ids are ``train/<line>`` and everything is train.

The card states no license (``license: unknown``): the rows carry ``unknown`` and a build with
``--license-allow`` leaves them out.  The text is patient writing, so it goes through the PII scrub.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import QAPair
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_csv

LANG = "ru"
SPLIT = "train"
COLUMNS = ("date", "categ", "theme", "desc", "ans", "spec10")
ANSWER_SEPARATOR = ";\n"


def first_answer(raw: str) -> str:
    """The first non-empty answer of ``ans`` (answers are joined by ``";\\n"``)."""
    for answer in raw.split(ANSWER_SEPARATOR):
        if answer.strip():
            return answer.strip()
    return ""


@register
class MedicalQARu(SourceAdapter):
    spec = SourceSpec(
        name="medical_qa_ru",
        title="medical_qa_ru_data: Russian medical forum questions with doctors' answers",
        languages=(LANG,),
        kinds=("qa",),
        license="unknown (the Hub card states no license)",
        url="https://huggingface.co/datasets/blinoff/medical_qa_ru_data",
        hub_id="blinoff/medical_qa_ru_data",
        expected_files=("**/medical_qa_ru_data.csv",),
        splits=(SPLIT,),
        citation="Blinov, P. medical_qa_ru_data. Hugging Face dataset, 2021.",
        extra={"patient_dialogue": True, "published_counts": "100K<n<1M rows (Hub size category)"},
        notes="The first answer of each row is kept; no license is stated, so --license-allow excludes it.",
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        yield from unique_ids(self, super().read_files(root, files))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        for where, row in iter_csv(path, root):
            source_id = f"{SPLIT}/{where.rsplit(':', 1)[1]}"
            ids: dict[str, Any] = {"source_id": source_id, "lang": LANG, "split": SPLIT}
            if isinstance(row, SourceFormatError):
                yield self.reject(where, row.reason or "bad_format", row.problem, **ids)
                continue
            if not isinstance(row, dict):
                yield self.reject(where, "bad_format", "the file has no header row", **ids)
                continue
            missing = [column for column in ("desc", "ans") if column not in row]
            if missing:
                yield self.reject(where, "bad_format", f"missing column(s) {missing}; expected {list(COLUMNS)}", **ids)
                continue
            yield self._pair(row, where, ids)

    def _pair(self, row: dict[str, str], where: str, ids: dict[str, Any]) -> ReadResult:
        question = row["desc"].strip()
        answer = first_answer(row["ans"])
        if not question:
            return self.reject(where, "missing_question", "field 'desc' is empty", **ids)
        if not answer:
            return self.reject(where, "missing_answer", "field 'ans' is empty; nothing to learn from", **ids)
        theme = row.get("theme", "").strip()
        return self.make(
            QAPair,
            where,
            **ids,
            question=question,
            answer=answer,
            title=theme or None,
            qtype=row.get("categ", "").strip() or None,
        )
