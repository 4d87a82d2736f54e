"""PubMedQA (Jin et al. 2019): yes/no/maybe questions about PubMed abstracts.

Upstream ``pubmedqa/pubmedqa`` ships ``data/ori_pqal.json`` (PQA-L, 1,000 expert-labelled
records) as one JSON object keyed by PubMed id: ``QUESTION``, ``CONTEXTS`` + ``LABELS`` (the
abstract without its conclusion), ``LONG_ANSWER`` (the conclusion), ``final_decision``.  The
500 ids in ``test_ground_truth.json`` (``{pmid: label}``) are the benchmark test split; the rest
are training data.  The artificially labelled PQA-A (``ori_pqaa.json``, yes/no only) and the
unlabelled PQA-U (``ori_pqau.json``) use the same record shape.

Each labelled record yields two items: an MC question (options yes / no / maybe, the abstract as
context, the conclusion as rationale) and a QA pair asking for the conclusion.  Unlabelled
records yield only the QA pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion, QAPair
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import (
    display_path,
    first_duplicate_key,
    load_json,
    optional_str,
    require_list,
    require_str,
)

LANG = "en"
DECISIONS = {"yes": "A", "no": "B", "maybe": "C"}
OPTIONS = {"A": "yes", "B": "no", "C": "maybe"}
GROUND_TRUTH = "test_ground_truth.json"


def joined_context(record: dict[str, Any], where: str) -> str:
    """``CONTEXTS`` with their section ``LABELS``: ``"BACKGROUND: ...\\n\\nRESULTS: ..."``."""
    contexts = require_list(record, "CONTEXTS", where)
    labels = record.get("LABELS") or []
    if not isinstance(labels, list) or (labels and len(labels) != len(contexts)):
        raise SourceFormatError(where, "LABELS should be a list as long as CONTEXTS")
    parts = []
    for index, text in enumerate(contexts):
        if not isinstance(text, str):
            raise SourceFormatError(where, f"CONTEXTS[{index}] should be a string, got {type(text).__name__}")
        label = labels[index] if labels else None
        parts.append(f"{label}: {text.strip()}" if isinstance(label, str) and label else text.strip())
    return "\n\n".join(parts)


def load_ground_truth(root: Path) -> dict[str, str]:
    truth: dict[str, str] = {}
    for path in sorted(root.glob(f"**/{GROUND_TRUTH}")):
        data = load_json(path, root)
        if not isinstance(data, dict):
            raise SourceFormatError(display_path(path, root), "expected an object {pmid: yes|no|maybe}")
        truth.update({str(key): str(value) for key, value in data.items()})
    return truth


@register
class PubMedQA(SourceAdapter):
    spec = SourceSpec(
        name="pubmedqa",
        title="PubMedQA (PQA-L, PQA-A, PQA-U)",
        languages=(LANG,),
        kinds=("mc", "qa"),
        license="MIT",
        url="https://github.com/pubmedqa/pubmedqa",
        hub_id="qiaojin/PubMedQA",
        expected_files=("**/ori_pqal.json", "**/ori_pqaa.json", "**/ori_pqau.json"),
        splits=("train", "test"),
        citation=("Jin, Q. et al. PubMedQA: A Dataset for Biomedical Research Question Answering. EMNLP 2019."),
        extra={"archive_files": (f"**/{GROUND_TRUTH}",)},
        notes="The 500 ids of test_ground_truth.json are the test split; a labelled record gives an MC and a QA item.",
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        try:
            self._truth = load_ground_truth(root)
        except SourceFormatError as error:
            yield self.reject(error.location, error.reason or "unreadable_file", error.problem, lang=LANG, split="test")
            self._truth = {}
        yield from super().read_files(root, files)

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        shown = display_path(path, root)
        data = load_json(path, root)
        if not isinstance(data, dict):
            raise SourceFormatError(shown, f"expected an object keyed by PubMed id, got {type(data).__name__}")
        subset = path.stem.removeprefix("ori_").upper()
        for pmid, record in data.items():
            where = f"{shown}#{pmid}"
            split = "test" if pmid in self._truth else "train"
            if not isinstance(record, dict):
                yield self.reject(
                    where, "bad_format", "record is not an object", source_id=pmid, lang=LANG, split=split
                )
                continue
            duplicate = first_duplicate_key(record)
            if duplicate is not None:
                yield self.reject(
                    where, "duplicate_key", f"key {duplicate!r} appears twice with different values",
                    source_id=pmid, lang=LANG, split=split,
                )  # fmt: skip
                continue
            yield from self.guarded(
                where, lambda: self._items(record, where, pmid, split, subset), source_id=pmid, lang=LANG, split=split
            )

    def _items(self, record: dict[str, Any], where: str, pmid: str, split: str, subset: str) -> list[ReadResult]:
        question = require_str(record, "QUESTION", where)
        context = joined_context(record, where)
        long_answer = optional_str(record, "LONG_ANSWER", where)
        decision = record.get("final_decision")
        common = {"lang": LANG, "split": split}
        results: list[ReadResult] = []
        if decision is not None or pmid in self._truth:
            label = str(decision).strip().lower() if decision is not None else None
            truth = self._truth.get(pmid)
            if truth is not None and label is not None and truth != label:
                results.append(
                    self.reject(
                        where,
                        "answer_mismatch",
                        f"final_decision {label!r} but {GROUND_TRUTH} says {truth!r}",
                        source_id=pmid,
                        **common,
                    )
                )
            elif (truth or label) not in DECISIONS:
                results.append(
                    self.reject(
                        where,
                        "answer_not_in_options",
                        f"final_decision {decision!r} is not yes/no/maybe",
                        source_id=pmid,
                        **common,
                    )
                )
            else:
                results.append(
                    self.make(
                        MCQuestion,
                        where,
                        source_id=pmid,
                        **common,
                        question=question,
                        options=OPTIONS,
                        answer=[DECISIONS[truth or label or ""]],
                        rationale=long_answer,
                        context=context,
                        exam=f"PubMedQA-{subset}",
                    )
                )
        if long_answer and long_answer.strip():
            results.append(
                self.make(
                    QAPair,
                    f"{where}/LONG_ANSWER",
                    source_id=f"{pmid}/long_answer",
                    **common,
                    question=question,
                    answer=long_answer,
                    context=context,
                )
            )
        else:
            results.append(
                self.reject(
                    f"{where}/LONG_ANSWER",
                    "empty_answer",
                    "LONG_ANSWER is missing or empty",
                    source_id=f"{pmid}/long_answer",
                    **common,
                )
            )
        return results
