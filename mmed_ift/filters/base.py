"""The filter contract: every filter runs on either engine without the engine knowing the filter.

Two shapes, because a filter either needs one record or the whole corpus:

* an :class:`ItemFilter` judges each item on its own (PII scrub, language ID, decontamination
  against a prebuilt benchmark index): :meth:`ItemFilter.judge` takes a batch and returns one
  :data:`Outcome` per item - the item kept (possibly rewritten, as PII does) or a
  :class:`Rejection`.  An engine runs it batch by batch wherever the rows are.
* a corpus filter needs every member of a duplicate group at once.  It exposes the phases a
  distributed engine shuffles between: :class:`KeyGroupFilter` (items with equal keys form a
  group; one survives) and :class:`~mmed_ift.filters.graph.SimilarityGraphFilter` (LSH bucket
  keys -> candidate pairs -> verified edges -> connected components; one survives per
  component).  Both also run whole on one machine through :meth:`process`.

Statistics are typed (:class:`FilterStats`) and mergeable, so per-batch statistics from many
workers add up to the local ones.  A rejection carries structured :class:`Evidence` beside the
reject record: the report reads fields, nobody parses a reject message.  Every item that enters a
step leaves it kept or rejected.
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject, stable_id
from mmed_ift.text.normalize import normalize_fresh, normalize_text, normalized_once, primed

#: every reason a filter may reject for (the report and rejects.jsonl use these codes)
RejectReason = Literal[
    "wrong_language",
    "exact_duplicate",
    "near_duplicate",
    "contaminated",
    # the quality step (filters/quality.py, filters/conflicts.py)
    "boilerplate_answer",
    "link_list",
    "flattened_table",
    "conflicting_prompt",
]


@dataclass(frozen=True)
class Evidence:
    """Why an item was rejected, as fields; each filter subclasses it with its own."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Rejection:
    """A rejected item: the record for ``rejects.jsonl`` and the evidence behind it."""

    reject: Reject
    evidence: Evidence


#: what a filter decides for one item: the item (kept, maybe rewritten) or its rejection
Outcome = Item | Rejection


class FilterStats(ABC):
    """Counters a filter keeps while it runs; ``merge`` adds another batch's counters."""

    @abstractmethod
    def merge(self, other: Any) -> None:
        """Add ``other`` (of the same type) into ``self``."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form; ``from_dict`` of the subclass reads it back."""

    @classmethod
    @abstractmethod
    def from_dict(cls, data: dict[str, Any]) -> FilterStats:
        """The inverse of :meth:`to_dict` (statistics travel between processes as JSON)."""


@dataclass
class NoStats(FilterStats):
    """For filters whose report needs nothing beyond their rejections."""

    def merge(self, other: Any) -> None:
        return None

    def to_dict(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NoStats:
        return cls()


S = TypeVar("S", bound=FilterStats)


@dataclass
class StepResult:
    """A whole batch through one filter: what was kept, what was rejected, and the counters."""

    kept: list[Item] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    stats: FilterStats = field(default_factory=NoStats)

    @property
    def rejected(self) -> list[Reject]:
        return [rejection.reject for rejection in self.rejections]


class Filter(ABC, Generic[S]):
    """What every filter has: a ``name`` (the report's and rejects.jsonl's name for the step),
    fresh statistics, and the report details computed from statistics and rejections."""

    name: str = "filter"
    #: the evidence type of this filter's rejections (rebuilt from JSON by a distributed engine)
    evidence_type: ClassVar[type[Evidence]] = Evidence

    def evidence_from_dict(self, data: dict[str, Any]) -> Evidence:
        return self.evidence_type(**data)

    @abstractmethod
    def new_stats(self) -> S:
        """Empty counters for one run (or one batch of a distributed run)."""

    def details(self, stats: S, rejections: Sequence[Rejection]) -> dict[str, Any]:
        """The step's ``details`` in the build report; ``rejections`` in the build's order."""
        return stats.to_dict()

    @abstractmethod
    def process(self, items: list[Item]) -> StepResult:
        """The whole corpus on one machine; ``len(kept) + len(rejections) == len(items)``."""

    def reject(self, item: Item, reason: RejectReason, evidence: Evidence, detail: str) -> Rejection:
        return Rejection(
            Reject(
                stage=self.name,
                reason=reason,
                detail=detail,
                source=item.source,
                location=item.location,
                source_id=item.source_id,
                lang=item.lang,
                split=item.split,
            ),
            evidence,
        )


class ItemFilter(Filter[S]):
    """A filter that judges each item on its own; engines call :meth:`judge` on batches."""

    #: items per :meth:`judge` call in :meth:`process`: a judge's working memory grows with its
    #: batch (decontamination's shingle arrays: ~110 KB per item of a batch, so the whole 20k-record
    #: bench corpus in one call peaked at 2 GB; at 256 items 28 MB, and its CPU is lower too).
    #: Outcomes do not depend on the batching: each item is judged on its own.
    batch_size: ClassVar[int] = 256

    @abstractmethod
    def judge(self, items: Sequence[Item], stats: S) -> list[Outcome]:
        """One outcome per item, in order; counters go into ``stats``."""

    def process(self, items: list[Item]) -> StepResult:
        stats = self.new_stats()
        result = StepResult(stats=stats)
        for start in range(0, len(items), self.batch_size):
            for outcome in self.judge(items[start : start + self.batch_size], stats):
                if isinstance(outcome, Rejection):
                    result.rejections.append(outcome)
                else:
                    result.kept.append(outcome)
        return result


def survivor_key(item: Item) -> tuple[int, str]:
    """Which member of a duplicate group survives, smaller first: items with a rationale (they
    make the richer MC samples), then the lowest stable id - a rule independent of input order."""
    has_rationale = isinstance(item, MCQuestion) and item.rationale is not None
    return (0 if has_rationale else 1, stable_id(item.source, item.source_id))


def describe(item: Item) -> str:
    return f"{item.source}:{item.source_id}"


class KeyGroupFilter(Filter[S]):
    """Items with equal :meth:`group_key` are one group, of which one survives.

    A distributed engine hash-partitions items by key and calls :meth:`resolve_group` on each
    group with the items' global order numbers (ties go to the earlier item, as on one machine).
    """

    #: item types whose groups never yield a rejection (:meth:`resolve_group` returns nothing for
    #: them, whatever their company): :meth:`process` leaves them out of the grouping, which
    #: changes no outcome and saves a key per such item (conflicts: every MC item of a build)
    ungrouped: ClassVar[tuple[type, ...]] = ()

    @abstractmethod
    def group_key(self, item: Item) -> str:
        """Equal keys mean duplicates."""

    @abstractmethod
    def resolve_group(self, members: Sequence[tuple[int, Item]], stats: S) -> list[tuple[int, Rejection]]:
        """The rejections of one group (``members``: (order, item), at least two)."""

    def process(self, items: list[Item]) -> StepResult:
        groups: dict[str, list[tuple[int, Item]]] = {}
        group_key, ungrouped = self.group_key, self.ungrouped
        for index, item in enumerate(items):
            if not isinstance(item, ungrouped):
                groups.setdefault(group_key(item), []).append((index, item))
        stats = self.new_stats()
        rejected: dict[int, Rejection] = {}
        for members in groups.values():
            if len(members) > 1:
                rejected.update(self.resolve_group(members, stats))
        return split_outcomes(items, rejected, stats)


def split_outcomes(items: list[Item], rejected: dict[int, Rejection], stats: FilterStats) -> StepResult:
    """The items not in ``rejected`` (by position) kept, the rejections in item order; built by
    comprehensions (a per-item loop with two method calls was a tenth of a dedup step's CPU)."""
    if not rejected:
        return StepResult(kept=list(items), stats=stats)
    kept = [item for index, item in enumerate(items) if index not in rejected]
    return StepResult(kept=kept, rejections=[rejected[index] for index in sorted(rejected)], stats=stats)


class _TextCache:
    """The texts of the items of a :func:`texts_once` block, by ``id(item)``: the raw text of
    an item until its normalised text is known (then only the normalised one: the raw text is
    rebuilt when asked, a join), and every item with an entry in ``held``, so that its id cannot
    be reused by another object while the entry lasts.  Two flat dicts of strings and a list:
    ~100 bytes per item less than one ``[item, text, normalised]`` list per item (~20 MiB at
    200k records), which the chain holds to its end."""

    __slots__ = ("held", "normal", "raw")

    def __init__(self) -> None:
        self.held: list[Item] = []
        self.raw: dict[int, str] = {}
        self.normal: dict[int, str] = {}

    def retain(self, survivors: set[int]) -> None:
        """Only the entries (and held items) of the ids in ``survivors``."""
        dropped = False
        for texts in (self.raw, self.normal):
            for key in [key for key in texts if key not in survivors]:
                del texts[key]
                dropped = True
        if dropped:  # every held item has an entry: with none dropped, every one survives
            self.held = [item for item in self.held if id(item) in survivors]


#: the texts of the enclosing :func:`texts_once` block (None outside one)
_TEXTS: ContextVar[_TextCache | None] = ContextVar("texts_once", default=None)


@contextmanager
def texts_once() -> Iterator[None]:
    """Within this block each item's :func:`normalized_item_text` is computed once, and each
    distinct other text is normalised once (:func:`~mmed_ift.text.normalize.normalized_once`),
    however many filters ask: language ID, exact and near dedup and decontamination all read
    the same text.  The local engine runs its filter chain inside it; the caches end with the
    block, and :func:`retain_texts` drops the entries of the items a step rejected."""
    token = _TEXTS.set(_TextCache())
    try:
        with normalized_once():
            yield
    finally:
        _TEXTS.reset(token)


def retain_texts(kept: Sequence[Item], given: Sequence[Item] | None = None) -> None:
    """Forget the cached texts of every item not in ``kept`` (the survivors of a step): the
    entries of rejected items would hold those items and their texts to the end of the chain.

    ``given``: the items the step was given.  When it kept every one of them, the very objects
    in order (a step that rejected nothing: most steps of most builds), there is nothing to
    forget (a step asks for the texts of its own items only), and the set of every survivor's
    id and the scans of the caches (~0.1 CPU s a step at 200k records) are skipped."""
    cache = _TEXTS.get()
    if cache is None or not cache.held:
        return
    if given is not None and len(given) == len(kept) and all(map(operator.is_, kept, given)):
        return
    cache.retain({id(item) for item in kept})


def item_text(item: Item) -> str:
    """The text that identifies an item for language ID and duplicate detection.

    MC items compare question + options (two questions with the same stem but different options
    are different questions); QA pairs compare the question and answer; passages their text.
    """
    cache = _TEXTS.get()
    if cache is None:
        return _item_text(item)
    key = id(item)
    text = cache.raw.get(key)
    if text is None:
        text = _item_text(item)
        if key not in cache.normal:  # once normalised, the text is rebuilt when asked, not kept
            cache.raw[key] = text
            cache.held.append(item)
    return text


def normalized_item_text(item: Item) -> str:
    """``normalize_text(item_text(item))``, computed once per item inside :func:`texts_once` and
    kept in place of the item's text (outside the normalisation memo, which would keep the text
    as its key): a later ask is one lookup."""
    cache = _TEXTS.get()
    if cache is None:
        return normalize_text(_item_text(item))
    key = id(item)
    normalized = cache.normal.get(key)
    if normalized is None:
        text = cache.raw.pop(key, None)
        if text is None:
            text = _item_text(item)
            cache.held.append(item)
        normalized = cache.normal[key] = normalize_fresh(text)
    return normalized


@contextmanager
def normalized_item_texts(items: Sequence[Item]) -> Iterator[list[str]]:
    """The :func:`normalized_item_text` of each item, each answering itself when normalised
    inside the block (:func:`~mmed_ift.text.normalize.primed`): for code that takes raw texts and
    normalises them (a shingler), handed the normal forms so it reads exactly what it would have
    read from the raw texts, with no text rebuilt or normalised again, and nothing left in the
    memo after the block."""
    normalized = [normalized_item_text(item) for item in items]
    with primed(normalized, normalized):
        yield normalized


def _item_text(item: Item) -> str:
    if isinstance(item, MCQuestion):
        return "\n".join([item.question, *(item.options[key] for key in sorted(item.options))])
    if isinstance(item, QAPair):
        return f"{item.question}\n{item.answer}"
    if isinstance(item, Passage):
        return f"{item.title}\n{item.text}"
    raise TypeError(f"not a source item: {type(item).__name__}")
