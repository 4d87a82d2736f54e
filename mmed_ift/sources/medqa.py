"""MedQA (Jin et al. 2021): USMLE (English) and MCMLE / Taiwan (Chinese) exam questions.

Upstream ships ``data_clean/questions/<region>/4_options/*.jsonl``; each line has ``question``,
``options`` ({"A".."D": text}), ``answer`` (the option *text*) and ``answer_idx`` (the key).  We
trust the key but check it against the text, because a mismatch means the record is corrupt.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._answers import option_letter
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_jsonl, require_dict, require_str

_SPLIT_BY_NAME = {"train": "train", "dev": "validation", "test": "test"}


def split_from_name(name: str) -> str:
    """``phrases_no_exclude_dev.jsonl`` -> ``validation``; upstream encodes the split in the name."""
    stem = name.rsplit(".", 1)[0].lower()
    for marker, split in _SPLIT_BY_NAME.items():
        if stem.endswith(marker) or f"_{marker}" in stem or stem == marker:
            return split
    raise SourceFormatError(name, "cannot tell the split (train/dev/test) from the file name")


@register
class MedQA(SourceAdapter):
    spec = SourceSpec(
        name="medqa",
        title="MedQA (USMLE, MCMLE, Taiwan)",
        languages=("en", "zh"),
        kinds=("mc",),
        license="MIT",
        url="https://github.com/jind11/MedQA",
        hub_id="bigbio/med_qa",
        expected_files=(
            "**/phrases_no_exclude_*.jsonl",
            "**/Mainland/4_options/*.jsonl",
            "**/Taiwan/4_options/*.jsonl",
        ),
        citation=(
            "Jin, D. et al. What Disease Does This Patient Have? A Large-Scale Open Domain Question"
            " Answering Dataset from Medical Exams. Applied Sciences 11(14), 2021."
        ),
        notes="Only the 4-option files are read; the US test split (1273) is held for evaluation.",
    )

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        region = "US"
        if "Mainland" in path.parts:
            region = "Mainland"
        elif "Taiwan" in path.parts:
            region = "Taiwan"
        lang = "en" if region == "US" else "zh"
        split = split_from_name(path.name)
        for where, record in iter_jsonl(path, root):
            line = where.rsplit(":", 1)[1]
            source_id = f"{region}/{split}/{line}"
            if isinstance(record, SourceFormatError):
                yield self.reject(
                    where, record.reason or "bad_format", record.problem, source_id=source_id, lang=lang, split=split
                )
                continue
            yield self.guarded_one(
                where,
                lambda row, at: self._item(row, at, source_id, lang, split, region),
                record,
                source_id=source_id,
                lang=lang,
                split=split,
            )

    def _item(
        self,
        record: dict[str, object],
        where: str,
        source_id: str,
        lang: str,
        split: str,
        region: str,
    ) -> ReadResult:
        question = record.get("question")
        if question.__class__ is not str or not question or question.isspace():
            question = require_str(record, "question", where)  # its error, or a str subclass
        options_raw = record.get("options")
        if not isinstance(options_raw, dict):
            options_raw = require_dict(record, "options", where)
        options = {}
        for key, text in options_raw.items():
            if text.__class__ is not str and not isinstance(text, str):
                raise SourceFormatError(where, f"option {key!r} should be a string, got {type(text).__name__}")
            options[option_letter(key)] = text
        key = record.get("answer_idx")
        if key.__class__ is not str or not key or key.isspace():
            key = require_str(record, "answer_idx", where)
        key = key.strip().upper()
        answer_text = record.get("answer")
        if isinstance(answer_text, str) and key in options and options[key].strip() != answer_text.strip():
            return self.reject(
                where,
                "answer_mismatch",
                f"answer_idx {key!r} is {options[key]!r} but answer is {answer_text!r}",
                source_id=source_id,
                lang=lang,
                split=split,
            )
        meta = record.get("meta_info")
        return self.make(
            MCQuestion,
            where,
            source_id=source_id,
            lang=lang,
            split=split,
            question=question,
            options=options,
            answer=[key],
            exam=f"MedQA-{region}",
            subject=meta if isinstance(meta, str) else None,
        )
