"""Cross-lingual repeats: a training item that is another language's version of a benchmark item.

HEAD-QA publishes the same MIR exams in Spanish and (machine-translated) English; MedExpQA the
same questions in en/es/fr; MMedBench and XMedBench re-package exams in several languages.  A
Spanish training question whose English version is a benchmark item shares almost no character
shingle with it, so the monolingual index never sees it.  What does survive translation between
en/es/fr: medical terms are cognates ("transferrina" / "transferrin", "hemoglobina" /
"hemoglobin", "diverticulosis"), drug, gene and Latin names are kept, and numbers are kept.

So each item is rewritten as its *cognate words*: accents stripped, spelling variants folded
(ph→f, th→t, y→i, k→c, doubled letters), common suffixes cut (-ción/-tion/-ia/-ie/-o/-a/-s...),
words under 4 letters dropped, numbers kept with one decimal mark; the words are then shingled
into character 4-grams *within* each word (word order differs between languages) and matched
with the same rarity-weighted index as the monolingual check
(:class:`~mmed_ift.filters.decontam_index.ShingleIndex`): a 4-gram of a rare term weighs much,
one of "patient" nothing.  Pairs are only scored between items of *different* languages of the
same benchmark *family* (:data:`FAMILIES`), where a translated repeat is plausible, and with a
threshold of their own, calibrated on HEAD-QA's es→en pairs (docs/decontamination.md).  Off by
default (``--decontam-crosslingual``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mmed_ift.filters.decontam_index import ShingleIndex
from mmed_ift.filters.decontam_shingles import Segments
from mmed_ift.filters.decontam_xling_lexicon import Lexicon, lexicon_tokens
from mmed_ift.schemas import Item, MCQuestion

#: source -> family of exams published in several languages (HEAD-QA and MedExpQA are both MIR)
FAMILIES = {"headqa": "mir", "medexpqa": "mir", "mmedbench": "mmedbench", "xmedbench": "xmedbench"}
#: languages whose medical vocabulary is cognate (Latin script, shared Greco-Latin terms)
COGNATE_LANGUAGES = frozenset({"en", "es", "fr"})
#: the cross-lingual scores (stem + options, and stem alone) from which a training item is the
#: other-language version of a benchmark item, with a lexicon learned from the family's parallel
#: training items, and the stem + options score that suffices alone (calibrated on HEAD-QA es->en,
#: lexicon from train + dev, measured on test: docs/decontamination.md)
DEFAULT_XLING_THRESHOLD = 0.5
DEFAULT_XLING_STEM_THRESHOLD = 0.3
DEFAULT_XLING_ALONE = 0.6
#: the same with cognate words only (no lexicon for the pair of languages)
DEFAULT_COGNATE_THRESHOLD = 0.3
DEFAULT_COGNATE_STEM_THRESHOLD = 0.2
#: character n-gram length inside each cognate word
COGNATE_N = 4
MIN_WORD = 4

_FOLD = (("ph", "f"), ("th", "t"), ("y", "i"), ("k", "c"), ("qu", "c"), ("ae", "e"), ("oe", "e"))
_DOUBLE = re.compile(r"(.)\1")
#: longest first; a suffix is cut only when at least MIN_WORD letters remain
_SUFFIXES = tuple(
    sorted(
        (
            "aciones", "ations", "acion", "ation", "ciones", "iones", "cion", "tion", "sion", "ion",
            "ismo", "isme", "ism", "idad", "ite", "ity", "ico", "ica", "ique", "ic", "ies", "ia", "ie",
            "os", "as", "es", "a", "o", "e", "s",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+")


def family(source: str) -> str | None:
    return FAMILIES.get(source)


def cognate_word(word: str) -> str:
    """A word's language-neutral form: "Transportadora" -> "transportador", "oxidación" -> "oxid"."""
    if word[0].isdigit():
        return word.replace(",", ".")
    bare = "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))
    for old, new in _FOLD:
        bare = bare.replace(old, new)
    bare = _DOUBLE.sub(r"\1", bare)
    for suffix in _SUFFIXES:
        if bare.endswith(suffix) and len(bare) - len(suffix) >= MIN_WORD:
            return bare[: -len(suffix)]
    return bare


def cognate_words(text: str) -> tuple[str, ...]:
    """The cognate forms of a text's words of MIN_WORD letters or more, and of its numbers."""
    found = []
    for token in _TOKEN.findall(text):
        if token[0].isdigit() or len(token) >= MIN_WORD:
            found.append(cognate_word(token))
    return tuple(found)


def cognate_segments(item: MCQuestion, with_options: bool = True) -> Segments:
    """Every cognate word of the stem (and options) as its own segment (4-grams stay inside a word)."""
    words = cognate_words(" ".join([item.question, *item.options.values()]) if with_options else item.question)
    return Segments("", words)


def translated_words(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The cognate forms of a text's words *in the lexicon's target language*: a word the lexicon
    knows is replaced by its translations, any other word (a name, a rare term: often a cognate)
    and every number is kept as it is."""
    found: list[str] = []
    for token in lexicon_tokens(text):
        if token[0].isdigit():
            found.append(token)
            continue
        targets = lexicon.translate(token)
        # the best translation only: a second one adds mass the other version cannot match
        word = targets[0] if targets else token
        if len(word) >= MIN_WORD:
            found.append(cognate_word(word))
    return tuple(found)


def translated_segments(item: MCQuestion, lexicon: Lexicon, with_options: bool = True) -> Segments:
    """:func:`cognate_segments` of the item's words translated with ``lexicon``."""
    text = " ".join([item.question, *item.options.values()]) if with_options else item.question
    return Segments("", translated_words(text, lexicon))


@dataclass(frozen=True)
class CrossConfig:
    threshold: float = DEFAULT_XLING_THRESHOLD
    stem_threshold: float = DEFAULT_XLING_STEM_THRESHOLD
    #: the stem + options score that suffices alone (a short stem the translation rewords: "El
    #: simpático:" / "The nice one:"); above 1: never
    alone: float = DEFAULT_XLING_ALONE
    #: without a lexicon (cognate words only): lower scores, and the stem is always needed
    cognate_threshold: float = DEFAULT_COGNATE_THRESHOLD
    cognate_stem_threshold: float = DEFAULT_COGNATE_STEM_THRESHOLD
    #: 4-grams held by more benchmark items than this do not propose candidates (translated words
    #: are common words: "cell", "cycle"), and the candidates scored exactly per record and index
    max_df: int = 64
    candidates: int = 5


@dataclass(frozen=True)
class CrossHit:
    bench: int  # position among the benchmark items given to CrossLingualIndex
    score: float  # stem and options
    shared: float
    stem: float  # the stem alone: same-topic questions share options, not stems
    translated: bool = False  # the training item's words were translated with a lexicon

    def repeats(self, config: CrossConfig) -> bool:
        if not self.translated:
            return self.score >= config.cognate_threshold and self.stem >= config.cognate_stem_threshold
        return (self.score >= config.threshold and self.stem >= config.stem_threshold) or self.score >= config.alone

    def rank(self, config: CrossConfig) -> tuple[bool, float]:
        """Candidates that repeat come first (the best-scoring of them), then the others."""
        return self.repeats(config), self.score + self.stem if self.repeats(config) else min(self.score, self.stem)


class CrossLingualIndex:
    """One cognate index per (family, language) of the benchmark MC items; a training item of a
    family is checked against that family's items in its *other* cognate languages."""

    def __init__(
        self,
        benchmark_items: Sequence[Item],
        max_df: int = 16,
        candidates: int = 3,
        lexicons: Mapping[tuple[str, str], Lexicon] | None = None,
    ) -> None:
        self.lexicons = dict(lexicons or {})
        self._groups = groups = self.groups_of(benchmark_items)
        self._indexes = {
            key: self._index(benchmark_items, members, True, max_df, candidates) for key, members in groups.items()
        }
        self._stems = {
            key: self._index(benchmark_items, members, False, max_df, candidates) for key, members in groups.items()
        }

    @staticmethod
    def groups_of(benchmark_items: Sequence[Item]) -> dict[tuple[str, str], list[int]]:
        """(family, language) -> positions of the benchmark MC items the check compares with."""
        groups: dict[tuple[str, str], list[int]] = {}
        for position, item in enumerate(benchmark_items):
            name = family(item.source)
            if name is not None and isinstance(item, MCQuestion) and item.lang in COGNATE_LANGUAGES:
                groups.setdefault((name, item.lang), []).append(position)
        return groups

    @staticmethod
    def _index(
        items: Sequence[Item], members: list[int], with_options: bool, max_df: int, candidates: int
    ) -> ShingleIndex:
        segments = [cognate_segments(items[at], with_options) for at in members]  # type: ignore[arg-type]
        return ShingleIndex(segments, ["xx"] * len(members), max_df, candidates, n=COGNATE_N)

    def __len__(self) -> int:
        return sum(len(members) for members in self._groups.values())

    def best(self, items: Sequence[Item], config: CrossConfig | None = None) -> list[CrossHit | None]:
        """For each training item, its best other-language benchmark item of its family: the
        best candidate of the whole-item index and of the stem index are both scored on stem
        and options, and the one whose lower score is higher wins (a same-topic question shares
        the options, a translated repeat both).  ``config`` ranks them and prunes candidates that
        cannot reach its threshold."""
        config = config or CrossConfig(0.0, 0.0, 0.0, 0.0, 0.0)
        found: list[CrossHit | None] = [None] * len(items)
        for (name, lang), index in self._indexes.items():
            chosen = [
                at
                for at, item in enumerate(items)
                if isinstance(item, MCQuestion)
                and family(item.source) == name
                and item.lang != lang
                and item.lang in COGNATE_LANGUAGES
            ]
            if not chosen:
                continue
            whole = [self._segments(items[at], lang, True) for at in chosen]  # type: ignore[arg-type]
            stems = [self._segments(items[at], lang, False) for at in chosen]  # type: ignore[arg-type]
            langs, mc = ["xx"] * len(chosen), [True] * len(chosen)
            # candidates that cannot reach the lower of the two thresholds are never scored exactly
            threshold = min(config.threshold, config.cognate_threshold)
            by_whole = index.best(whole, langs, mc, threshold)
            by_stem = self._stems[(name, lang)].best(stems, langs, mc, threshold)
            for k, at in enumerate(chosen):
                translated = (items[at].lang, lang) in self.lexicons
                for bench in {match.bench for match in (by_whole[k], by_stem[k]) if match is not None}:
                    hit = self._hit(name, lang, bench, whole[k], stems[k], translated)
                    current = found[at]
                    if current is None or hit.rank(config) > current.rank(config):
                        found[at] = hit
        return found

    def _segments(self, item: MCQuestion, lang: str, with_options: bool) -> Segments:
        """A training item's words as the index of ``lang`` holds them: translated where a
        lexicon of the two languages was learned, cognate forms otherwise."""
        lexicon = self.lexicons.get((item.lang, lang))
        if lexicon is None:
            return cognate_segments(item, with_options)
        return translated_segments(item, lexicon, with_options)

    def _hit(
        self, name: str, lang: str, bench: int, whole: Segments, stem: Segments, translated: bool = False
    ) -> CrossHit:
        both = self._indexes[(name, lang)].score(whole, "xx", True, bench)
        alone = self._stems[(name, lang)].score(stem, "xx", True, bench)
        return CrossHit(self._groups[(name, lang)][bench], both.score, both.shared, alone.score, translated)

    def max_weight(self) -> float:
        """The weight of a 4-gram held by one item of the largest group (the unit of min_shared)."""
        return max((index.max_weight for index in self._indexes.values()), default=0.0)
