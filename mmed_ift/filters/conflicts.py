"""Conflicting prompts: the same prompt with different answers, of which one is kept.

MedQuAD repeats generated questions: NIHSeniorHealth files every sub-topic of a page under
``What is (are) <page title> ?`` (up to 19 answers for one prompt), and the same disease appears
in several collections.  Trained on all of them, a model learns that one question has many
unrelated answers.  The prompt is what the generator shows the model - the passage (``context``)
and the question, normalised (case, spacing, punctuation) - so CMB-Clin's stock questions about
different cases do not conflict.  Prompts about different documents were told apart before this
step by naming the document title (:mod:`~mmed_ift.filters.quality`); what still conflicts is
the same prompt about the same thing.

The kept answer is the one whose first sentence names the document title (for a repeated overview
question: the overview, not a sub-topic), then the longest, then the earlier record.  Members
whose answer equals the kept one are duplicates, not conflicts, and are left to exact dedup.
Passages are grouped by language, title and section: two whole articles titled the same (two
sources' "てんかん") give the same "explain <title>" prompt with different answers, so the longer
one is kept; sections of an article each have their own prompt and are grouped only with the same
section of the same title.  MC items are not grouped: an MC item's prompt includes its options and its
answer is a key, which exact dedup already covers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from mmed_ift.filters.base import Evidence, FilterStats, KeyGroupFilter, Rejection, describe
from mmed_ift.filters.quality_rules import mentions, words
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair
from mmed_ift.text.normalize import normalize_text


@dataclass
class ConflictStats(FilterStats):
    conflicting_prompts: int = 0
    largest_group: int = 0

    def merge(self, other: Any) -> None:
        self.conflicting_prompts += other.conflicting_prompts
        self.largest_group = max(self.largest_group, other.largest_group)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConflictStats:
        return cls(**data)


@dataclass(frozen=True)
class ConflictEvidence(Evidence):
    kept: str  # source:source_id of the answer that was kept
    prompt: str  # the shared question (as written in the kept record)
    answers: int  # distinct answers the prompt had


def prompt_key(item: QAPair) -> str:
    text = normalize_text(f"{item.context or ''}\n{item.question}")
    return hashlib.blake2b(f"{item.lang}\n{text}".encode(), digest_size=16).hexdigest()


def keeper_rank(order: int, item: QAPair) -> tuple[int, int, int]:
    """Smaller is kept: an answer whose first sentence names the document title (the overview,
    "Age-related macular degeneration ... is an eye disease", rather than "Dry AMD has three
    stages"), then the longest answer, then the earlier record."""
    first = item.answer.strip().split(". ")[0]
    names_title = bool(item.title) and mentions(first, item.title or "")
    return (0 if names_title else 1, -len(words(item.answer)), order)


@dataclass
class ConflictingPrompts(KeyGroupFilter[ConflictStats]):
    """Keep one answer per prompt (module docstring)."""

    name: str = "conflicts"
    evidence_type: ClassVar[type[Evidence]] = ConflictEvidence
    #: an MC item's group holds only MC items (their keys differ from the others' in form), of
    #: which :meth:`resolve_group` rejects none: the local run skips their keys
    ungrouped: ClassVar[tuple[type, ...]] = (MCQuestion,)

    def new_stats(self) -> ConflictStats:
        return ConflictStats()

    def group_key(self, item: Item) -> str:
        if isinstance(item, QAPair):
            return f"qa:{prompt_key(item)}"
        if isinstance(item, Passage) and item.title:
            # a section of an article has its own prompt (title and section): only the same
            # section of the same title, or two whole articles of one title, share a prompt
            part = "\u241e" if item.section is None else normalize_text(item.section)
            return f"passage:{item.lang}:{normalize_text(item.title)}:{part}"
        # never grouped with another record: the record's own id, as is (no hash: this is every
        # MC item of a build); "\x1f" and NUL cannot occur in the keys above or in the parts
        return f"{item.kind}\x1f{item.source}\x00{item.source_id}"

    def resolve_group(self, members: Sequence[tuple[int, Item]], stats: ConflictStats) -> list[tuple[int, Rejection]]:
        passages = [(order, item) for order, item in members if isinstance(item, Passage)]
        if len(passages) >= 2:
            return self._same_title(passages, stats)
        pairs = [(order, item) for order, item in members if isinstance(item, QAPair)]
        if len(pairs) < 2:
            return []
        _, keeper = min(pairs, key=lambda member: keeper_rank(*member))
        kept_answer = normalize_text(keeper.answer)
        losers = [(order, item) for order, item in pairs if normalize_text(item.answer) != kept_answer]
        if not losers:
            return []
        answers = len({normalize_text(item.answer) for _, item in pairs})
        stats.conflicting_prompts += 1
        stats.largest_group = max(stats.largest_group, answers)
        evidence = ConflictEvidence(describe(keeper), keeper.question[:200], answers)
        detail = f"{answers} answers to the same prompt; kept {describe(keeper)}"
        return [(order, self.reject(item, "conflicting_prompt", evidence, detail)) for order, item in losers]

    def _same_title(self, passages: Sequence[tuple[int, Passage]], stats: ConflictStats) -> list[tuple[int, Rejection]]:
        """Articles sharing a title: the longest (then the earlier) is kept."""
        _, keeper = min(passages, key=lambda member: (-len(member[1].text), member[0]))
        kept_text = normalize_text(keeper.text)
        losers = [(order, item) for order, item in passages if normalize_text(item.text) != kept_text]
        if not losers:
            return []
        stats.conflicting_prompts += 1
        stats.largest_group = max(stats.largest_group, len(passages))
        evidence = ConflictEvidence(describe(keeper), (keeper.title or "")[:200], len(passages))
        detail = f"{len(passages)} articles titled {keeper.title!r}; kept {describe(keeper)}"
        return [(order, self.reject(item, "conflicting_prompt", evidence, detail)) for order, item in losers]

    def details(self, stats: ConflictStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        examples = [
            {"item": f"{rejection.reject.source}:{rejection.reject.source_id}", **rejection.evidence.to_dict()}
            for rejection in rejections[:5]
        ]
        return {**stats.to_dict(), "rejected": len(rejections), "examples": examples}
