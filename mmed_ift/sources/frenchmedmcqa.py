"""FrenchMedMCQA (Labrak et al. 2022): French pharmacy-exam questions with five options.

Upstream ``qanastek/FrenchMedMCQA`` ships ``corpus/{train,dev,test}.json``: JSON arrays of
``{id (sha256 hex), question, answers {"a".."e"}, correct_answers [letters], subject_name,
type, nbr_correct_answers}``.  Multi-answer questions are the norm (about 70 %), so the answer
list is kept whole and the template writes every correct letter.  Traps handled here: one train
record lists its option keys out of order (a, c, d, e, b), the test split has no ``type`` field,
and ``nbr_correct_answers`` must agree with ``correct_answers`` or the record is rejected.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._answers import option_letter
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_json_list, require_dict, require_list, require_str

LANG = "fr"
SPLIT_BY_FILE = {"train.json": "train", "dev.json": "validation", "test.json": "test"}


def option_texts(record: dict[str, Any], where: str) -> dict[str, str]:
    """``{"a": ..., "c": ..., "b": ...}`` -> ``{"A": ..., "B": ..., "C": ...}`` whatever the key order."""
    options: dict[str, str] = {}
    for key, text in require_dict(record, "answers", where).items():
        if not isinstance(text, str):
            raise SourceFormatError(where, f"option {key!r} should be a string, got {type(text).__name__}")
        options[option_letter(key)] = text
    return dict(sorted(options.items()))


def correct_letters(record: dict[str, Any], where: str) -> list[str]:
    letters = []
    for value in require_list(record, "correct_answers", where):
        if not isinstance(value, str):
            raise SourceFormatError(where, f"correct_answers holds {value!r}, not a letter")
        letters.append(value.strip().upper())
    return sorted(letters)


@register
class FrenchMedMCQA(SourceAdapter):
    spec = SourceSpec(
        name="frenchmedmcqa",
        title="FrenchMedMCQA (French pharmacy exams)",
        languages=(LANG,),
        kinds=("mc",),
        license="Apache-2.0",
        url="https://github.com/qanastek/FrenchMedMCQA",
        hub_id="qanastek/frenchmedmcqa",
        expected_files=tuple(f"**/{name}" for name in SPLIT_BY_FILE),
        citation=(
            "Labrak, Y. et al. FrenchMedMCQA: A French Multiple-Choice Question Answering Dataset for"
            " Medical domain. LOUHI 2022."
        ),
        notes="Multi-answer questions keep every correct letter; the test split is held for evaluation.",
    )

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        split = SPLIT_BY_FILE[path.name]
        rows = iter_json_list(path, root)
        build = functools.partial(self._item, split=split)
        yield from unique_ids(self, self.each_record(rows, build, id_field="id", lang=LANG, split=split))

    def _item(self, record: dict[str, Any], where: str, *, split: str) -> ReadResult:
        source_id = require_str(record, "id", where).strip()
        answer = correct_letters(record, where)
        declared = record.get("nbr_correct_answers")
        if declared is not None and declared != len(answer):
            return self.reject(
                where,
                "answer_count_mismatch",
                f"nbr_correct_answers is {declared!r} but correct_answers lists {len(answer)}",
                source_id=source_id,
                lang=LANG,
                split=split,
            )
        subject = record.get("subject_name")
        return self.make(
            MCQuestion,
            where,
            source_id=source_id,
            lang=LANG,
            split=split,
            question=require_str(record, "question", where),
            options=option_texts(record, where),
            answer=answer,
            exam="FrenchMedMCQA",
            subject=subject if isinstance(subject, str) else None,
        )
