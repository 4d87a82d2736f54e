"""The quality step: answers a model cannot learn from are rejected, question forms are tidied.

An item filter over QA pairs (MC questions and passages pass unchanged: exam items are checked
by their adapters, and their tables - lab values, one per line - are part of the question).
For each QA pair, in this order:

1. ``boilerplate_answer`` - the answer is empty or only pointers elsewhere ("See ... for more
   information", "This page is under construction");
2. ``link_list`` - the answer is a list of links or a directory of organisations;
3. ``flattened_table`` - the answer holds a table flattened into a run of cells (see
   :mod:`mmed_ift.filters.quality_rules`; ``table_min_cells`` sets the run length);
4. rewrites of kept English questions (``normalize_questions``): ``What is (are) X ?`` becomes
   ``What is X?`` or ``What are X?``, stray spaces and doubled question marks go, the first letter
   is capitalised; and a question that does not name its document's title (MedQuAD's focus) gets
   it appended - ``what is the prognosis? (Holmes-Adie)`` - so prompts about different documents
   do not read the same (a prompt with a passage is already told apart by the passage).

Same prompts with different answers are the :mod:`~mmed_ift.filters.conflicts` step's job: it
needs the whole corpus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mmed_ift.filters.base import Evidence, FilterStats, ItemFilter, Outcome, Rejection
from mmed_ift.filters.quality_rules import boilerplate, flattened_table, link_list, mentions, normalize_question
from mmed_ift.schemas import Item, QAPair

#: at most this many example rejections per reason in the report
EXAMPLES = 5


@dataclass
class QualityStats(FilterStats):
    """QA pairs seen, rejected per reason and rewritten per rule."""

    checked: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    rewritten: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Any) -> None:
        self.checked += other.checked
        self.rejected.update(other.rejected)
        self.rewritten.update(other.rewritten)

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "rejected": dict(self.rejected), "rewritten": dict(self.rewritten)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityStats:
        return cls(int(data["checked"]), Counter(data["rejected"]), Counter(data["rewritten"]))


@dataclass(frozen=True)
class QualityEvidence(Evidence):
    """What the rule found: ``rule`` is the reason code, ``shape`` the kind of finding (``empty``,
    ``bullets``, ``directory``, ``inline``, ``lines``, ``header`` or the boilerplate patterns),
    ``count`` its size (links, cells, words left) and ``sample`` a short excerpt."""

    rule: str
    shape: str
    count: int
    sample: str


@dataclass
class QualityFilter(ItemFilter[QualityStats]):
    """Reject link-list, table and boilerplate answers; tidy English questions (module docstring)."""

    check_answers: bool = True
    table_min_cells: int = 6
    normalize_questions: bool = True
    name: str = "quality"
    evidence_type: ClassVar[type[Evidence]] = QualityEvidence

    def new_stats(self) -> QualityStats:
        return QualityStats()

    def judge(self, items: Sequence[Item], stats: QualityStats) -> list[Outcome]:
        return [self._judge(item, stats) if isinstance(item, QAPair) else item for item in items]

    def _judge(self, item: QAPair, stats: QualityStats) -> Outcome:
        stats.checked += 1
        rejection = self._check(item) if self.check_answers else None
        if rejection is not None:
            stats.rejected[rejection.reject.reason] += 1
            return rejection
        if not self.normalize_questions:
            return item
        question, rules = normalize_question(item.question) if item.lang == "en" else (item.question, [])
        if item.title and not item.context and not mentions(question, item.title):
            question = f"{question} ({item.title.strip()})"
            rules.append("title")
        if question == item.question:
            return item
        stats.rewritten.update(rules)
        return item.model_copy(update={"question": question})

    def _check(self, item: QAPair) -> Rejection | None:
        answer = item.answer
        found = boilerplate(answer)
        if found is not None:
            names, left = found
            evidence = QualityEvidence("boilerplate_answer", "+".join(names), left, answer[:120])
            detail = f"the answer is only boilerplate ({', '.join(names)})"
            return self.reject(item, "boilerplate_answer", evidence, detail)
        links = link_list(answer)
        if links is not None:
            evidence = QualityEvidence("link_list", links.shape, links.links, answer[:120])
            detail = (
                f"the answer is a list of links ({links.shape}: {links.links} links, {links.prose_words} prose words)"
            )
            return self.reject(item, "link_list", evidence, detail)
        table = flattened_table(answer, self.table_min_cells)
        if table is not None:
            evidence = QualityEvidence("flattened_table", table.shape, table.cells, table.sample[:120])
            detail = f"the answer holds a flattened table ({table.shape}, {table.cells} cells: {table.sample[:80]})"
            return self.reject(item, "flattened_table", evidence, detail)
        return None

    def details(self, stats: QualityStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        examples: dict[str, list[dict[str, Any]]] = {}
        for rejection in rejections:
            shown = examples.setdefault(rejection.reject.reason, [])
            if len(shown) < EXAMPLES:
                shown.append(
                    {"item": f"{rejection.reject.source}:{rejection.reject.source_id}", **rejection.evidence.to_dict()}
                )
        return {
            "check_answers": self.check_answers,
            "table_min_cells": self.table_min_cells,
            "normalize_questions": self.normalize_questions,
            **stats.to_dict(),
            "examples": examples,
        }
