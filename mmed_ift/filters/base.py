"""The one shape every filter has: a batch of items in, (kept, rejected) out.

Filters run on source items (before generation) so a rejected record costs no generation
requests.  A step is a plain function of a list, so the same step runs in-process on one machine
or inside a distributed ``map_batches`` when the corpus outgrows it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject


@dataclass
class StepResult:
    kept: list[Item] = field(default_factory=list)
    rejected: list[Reject] = field(default_factory=list)


class FilterStep(ABC):
    """Base class: ``name`` is what the build report and rejects.jsonl call this step."""

    name: str = "filter"

    @abstractmethod
    def process(self, items: list[Item]) -> StepResult:
        """Keep or reject every item; ``len(kept) + len(rejected) == len(items)``."""

    def reject(self, item: Item, reason: str, detail: str = "") -> Reject:
        return Reject(
            stage=self.name,
            reason=reason,
            detail=detail,
            source=item.source,
            location=item.location,
            source_id=item.source_id,
            lang=item.lang,
            split=item.split,
        )


def item_text(item: Item) -> str:
    """The text that identifies an item for language ID and duplicate detection.

    MC items compare question + options (two questions with the same stem but different options
    are different questions); QA pairs compare the question and answer; passages their text.
    """
    if isinstance(item, MCQuestion):
        return "\n".join([item.question, *(item.options[key] for key in sorted(item.options))])
    if isinstance(item, QAPair):
        return f"{item.question}\n{item.answer}"
    if isinstance(item, Passage):
        return f"{item.title}\n{item.text}"
    raise TypeError(f"not a source item: {type(item).__name__}")
