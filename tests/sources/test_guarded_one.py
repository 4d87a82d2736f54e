"""``guarded_one`` (the per-record hot path of line and array formats) gives what ``guarded`` gives."""

from __future__ import annotations

from typing import Any

import pytest

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources import get_source
from mmed_ift.sources.base import ReadResult, SourceAdapter


def _item(adapter: SourceAdapter, record: dict[str, Any], where: str) -> ReadResult:
    if "fail" in record:
        raise SourceFormatError(f"{where}:deep", record["fail"], reason=record.get("reason"))
    return adapter.make(
        MCQuestion, where, source_id=record["id"], lang="en", split="train", question=record["question"],
        options={"A": "yes", "B": "no"}, answer=["A"],
    )  # fmt: skip


@pytest.mark.parametrize(
    "record",
    [
        {"id": "1", "question": "Is it?"},
        {"id": "2", "question": "   "},  # a validate reject
        {"id": "3", "fail": "field 'question' is missing"},
        {"id": "4", "fail": "bad option", "reason": "answer_not_in_options"},
    ],
)
def test_one_result_the_same_as_guarded(record: dict[str, Any]) -> None:
    adapter = get_source("medqa")

    def build(row: dict[str, Any], at: str) -> ReadResult:
        return _item(adapter, row, at)

    ids: dict[str, Any] = {"source_id": record["id"], "lang": "en", "split": "train"}
    slow = list(adapter.guarded("f.jsonl:3", lambda: [build(record, "f.jsonl:3")], **ids))
    fast = adapter.guarded_one("f.jsonl:3", build, record, **ids)
    assert slow == [fast]
