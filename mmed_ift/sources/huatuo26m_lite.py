"""Huatuo26M-Lite (FreedomIntelligence): Chinese patient questions with doctors' answers.

The Hub repo ``FreedomIntelligence/Huatuo26M-Lite`` ships ``format_data.jsonl``, one object per
line: ``id`` (int), ``question``, ``answer``, ``score`` (quality score from the curation step),
``label`` (the clinical department, e.g. ``内科``) and ``related_diseases``.  It has no splits:
everything is train.  Answers are consumer-health advice written by doctors; an empty answer
cannot teach anything and is rejected as ``missing_answer``.  PII is left to the pipeline filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import QAPair
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_jsonl, optional_str, require_str

LANG = "zh"
SPLIT = "train"
HUB_ID = "FreedomIntelligence/Huatuo26M-Lite"


@register
class Huatuo26MLite(SourceAdapter):
    spec = SourceSpec(
        name="huatuo26m_lite",
        title="Huatuo26M-Lite: Chinese medical consultation QA",
        languages=(LANG,),
        kinds=("qa",),
        license="Apache-2.0",
        url="https://huggingface.co/datasets/FreedomIntelligence/Huatuo26M-Lite",
        hub_id=HUB_ID,
        expected_files=("**/format_data.jsonl",),
        splits=(SPLIT,),
        citation=("Li, J. et al. Huatuo-26M, a Large-scale Chinese Medical QA Dataset. arXiv:2305.01526, 2023."),
        extra={"patient_dialogue": True},
        notes="All rows are train; the department label becomes the QA type; empty answers are rejected.",
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        """As the base class, but a repeated upstream ``id`` becomes a ``duplicate_id`` reject."""
        yield from unique_ids(self, super().read_files(root, files))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        for where, record in iter_jsonl(path, root):
            fallback_id = f"{SPLIT}/{where.rsplit(':', 1)[1]}"
            if isinstance(record, SourceFormatError):
                yield self.reject(
                    where, record.reason or "bad_format", record.problem, source_id=fallback_id, lang=LANG, split=SPLIT
                )
                continue
            yield from self.guarded(
                where, lambda: [self._pair(record, where, fallback_id)], source_id=fallback_id, lang=LANG, split=SPLIT
            )

    def _pair(self, record: dict[str, Any], where: str, fallback_id: str) -> ReadResult:
        upstream_id = record.get("id")
        if upstream_id is not None and (isinstance(upstream_id, bool) or not isinstance(upstream_id, int | str)):
            raise SourceFormatError(where, f"field 'id' should be an int or a string, got {type(upstream_id).__name__}")
        source_id = str(upstream_id).strip() if upstream_id is not None and str(upstream_id).strip() else fallback_id
        ids: dict[str, Any] = {"source_id": source_id, "lang": LANG, "split": SPLIT}
        question = require_str(record, "question", where, allow_empty=True)
        answer = require_str(record, "answer", where, allow_empty=True)
        if not question.strip():
            return self.reject(where, "missing_question", "field 'question' is empty", **ids)
        if not answer.strip():
            return self.reject(where, "missing_answer", "field 'answer' is empty; nothing to learn from", **ids)
        return self.make(
            QAPair,
            where,
            **ids,
            question=question.strip(),
            answer=answer.strip(),
            qtype=optional_str(record, "label", where),
        )

    def read_hub(self, hub_id: str | None = None) -> Iterator[ReadResult]:
        """The same rows from the Hub (``train`` split), mapped by the same code as the jsonl file."""
        from datasets import load_dataset  # heavy import, only when the Hub is used

        name = hub_id or HUB_ID
        rows = load_dataset(name, split=SPLIT)
        # finish: the same safety net, text policy and unique ids as a read from files
        yield from self.finish(self._hub_rows(name, rows))

    def _hub_rows(self, name: str, rows: Any) -> Iterator[ReadResult]:
        for index, row in enumerate(rows):
            where = f"hub:{name}/{SPLIT}[{index}]"
            fallback_id = f"{SPLIT}/#{index}"
            build = lambda: [self._pair(dict(row), where, fallback_id)]  # noqa: E731
            yield from self.guarded(where, build, source_id=fallback_id, lang=LANG, split=SPLIT)
