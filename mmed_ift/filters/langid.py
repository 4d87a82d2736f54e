"""Language ID: is every item written in the language its source declares?

Detection is :mod:`mmed_ift.text.langdetect` (fastText lid.176 inside a wheel, plus kana/Han and
Latin-borrowing rules).  The filter rejects only on strong evidence: text of at least
``min_chars`` characters, detected with confidence ``min_confidence`` as another language, while
the declared language scores under ``max_declared_score``.  Kanji-only Japanese
(``急性心筋梗塞``) is genuinely ambiguous with Chinese and is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mmed_ift.filters.base import Evidence, FilterStats, ItemFilter, Outcome, Rejection, item_text
from mmed_ift.schemas import Item
from mmed_ift.text.langdetect import BACKENDS, Backend, detect_language, detector, scores

__all__ = ["BACKENDS", "Backend", "LanguageIDFilter", "WrongLanguageEvidence", "detect_language", "scores"]


@dataclass(frozen=True)
class WrongLanguageEvidence(Evidence):
    declared: str
    detected: str
    confidence: float


@dataclass
class LangIDStats(FilterStats):
    checked: Counter[str] = field(default_factory=Counter)
    too_short_to_judge: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Any) -> None:
        self.checked.update(other.checked)
        self.too_short_to_judge.update(other.too_short_to_judge)

    def to_dict(self) -> dict[str, Any]:
        return {"checked": dict(self.checked), "too_short_to_judge": dict(self.too_short_to_judge)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LangIDStats:
        return cls(Counter(data["checked"]), Counter(data["too_short_to_judge"]))


@dataclass
class LanguageIDFilter(ItemFilter[LangIDStats]):
    """Reject items whose text is confidently in another language than the one declared."""

    evidence_type: ClassVar[type[Evidence]] = WrongLanguageEvidence

    backend: Backend = "fasttext"
    min_chars: int = 20
    min_confidence: float = 0.6
    max_declared_score: float = 0.05
    name: str = "langid"

    def __post_init__(self) -> None:
        detector(self.backend)  # fail at construction, not mid-build, if the backend is missing

    def new_stats(self) -> LangIDStats:
        return LangIDStats()

    def verdict(self, text: str, declared: str) -> tuple[bool, str]:
        """(keep?, why) for one text declared as ``declared``; ``why`` is a short code or, for a
        rejection, the sentence the reject record carries."""
        keep, why, _evidence = self._judge_text(text, declared)
        return keep, why

    def _judge_text(self, text: str, declared: str) -> tuple[bool, str, WrongLanguageEvidence | None]:
        if len("".join(text.split())) < self.min_chars:
            return True, "short", None
        ranked = scores(text, declared, self.backend)
        if not ranked:
            return True, "no_signal", None
        detected, confidence = next(iter(ranked.items()))
        if detected == declared:
            return True, "match", None
        if declared == "ja" and detected == "zh":
            return True, "kanji_only", None  # Japanese written without kana is real Japanese too
        if confidence >= self.min_confidence and ranked.get(declared, 0.0) < self.max_declared_score:
            evidence = WrongLanguageEvidence(declared, detected, round(confidence, 4))
            return False, f"declared {declared}, detected {detected} ({confidence:.2f})", evidence
        return True, "uncertain", None

    def judge(self, items: Sequence[Item], stats: LangIDStats) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for item in items:
            keep, why, evidence = self._judge_text(item_text(item), item.lang)
            stats.checked[item.lang] += 1
            if why == "short":
                stats.too_short_to_judge[item.lang] += 1
            if keep or evidence is None:
                outcomes.append(item)
            else:
                outcomes.append(self.reject(item, "wrong_language", evidence, why))
        return outcomes

    def details(self, stats: LangIDStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        confusions: Counter[str] = Counter()
        for rejection in rejections:
            assert isinstance(rejection.evidence, WrongLanguageEvidence)
            confusions[f"{rejection.evidence.declared}->{rejection.evidence.detected}"] += 1
        return {"backend": self.backend, **stats.to_dict(), "rejected_as": dict(confusions)}
