"""Alpaca-style medical instruction data: ChatDoctor (HealthCareMagic, iCliniq), medalpaca's medical meadow.

The format is a JSON array (or JSON lines) of ``{"instruction", "input", "output"}``.  In the
medical sets the ``instruction`` is one fixed preamble per file ("If you are a doctor, please
answer the medical questions based on the patient's description.", "Answer this question
truthfully") and the real question is in ``input``; so the question is ``input`` when it is
present and ``instruction`` otherwise, and the preamble is not copied into every sample.
Patient-dialogue sources carry personal details; the PII filter scrubs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import QAPair
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import display_path, iter_json_list, iter_jsonl, require_str

LANG = "en"
SPLIT = "train"


def question_of(record: dict[str, Any], where: str) -> str:
    given = record.get("input")
    if given is not None and not isinstance(given, str):
        raise SourceFormatError(where, f"field 'input' should be a string, got {type(given).__name__}")
    if given and given.strip():
        return given.strip()
    return require_str(record, "instruction", where).strip()


@register
class Alpaca(SourceAdapter):
    spec = SourceSpec(
        name="alpaca",
        title="Alpaca-style medical instructions (ChatDoctor, medical meadow)",
        languages=(LANG,),
        kinds=("qa",),
        license="per dataset (ChatDoctor: Apache-2.0; medical meadow WikiDoc: CC-BY-SA-4.0)",
        url="https://github.com/Kent0n-Li/ChatDoctor",
        hub_id="medalpaca/medical_meadow_wikidoc",
        expected_files=("**/*.json", "**/*.jsonl"),
        splits=(SPLIT,),
        citation=(
            "Li, Y. et al. ChatDoctor: A Medical Chat Model Fine-Tuned on a Large Language Model Meta-AI"
            " (LLaMA) Using Medical Domain Knowledge. Cureus 15(6), 2023. | Han, T. et al. MedAlpaca."
            " arXiv:2304.08247, 2023."
        ),
        extra={"patient_dialogue": True},
        notes="question = input (or instruction when input is empty); the fixed per-file preamble is dropped.",
    )

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        reader = iter_jsonl if path.suffix == ".jsonl" else iter_json_list
        # the file's path under the root keeps ids distinct across folders (every medalpaca
        # set may be called train.json) and between x.json and x.jsonl
        yield from unique_ids(self, self._records(reader(path, root), display_path(path, root)))

    def _records(
        self, rows: Iterator[tuple[str, dict[str, Any] | SourceFormatError]], file_id: str
    ) -> Iterator[ReadResult]:
        for index, (where, record) in enumerate(rows):
            source_id = f"{file_id}/{index}"
            if isinstance(record, SourceFormatError):
                yield self.reject(
                    where, record.reason or "bad_format", record.problem, source_id=source_id, lang=LANG, split=SPLIT
                )
                continue
            yield from self.guarded(
                where,
                lambda: [self._item(record, where, source_id)],
                source_id=source_id,
                lang=LANG,
                split=SPLIT,
            )

    def _item(self, record: dict[str, Any], where: str, source_id: str) -> ReadResult:
        answer = require_str(record, "output", where, allow_empty=True)
        if not answer.strip():
            return self.reject(where, "empty_answer", "output is empty", source_id=source_id, lang=LANG, split=SPLIT)
        return self.make(
            QAPair,
            where,
            source_id=source_id,
            lang=LANG,
            split=SPLIT,
            question=question_of(record, where),
            answer=answer.strip(),
        )
