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
from collections.abc import Sequence
from dataclasses import dataclass

from mmed_ift.filters.decontam_index import Segments, ShingleIndex
from mmed_ift.schemas import Item, MCQuestion

#: source -> family of exams published in several languages (HEAD-QA and MedExpQA are both MIR)
FAMILIES = {"headqa": "mir", "medexpqa": "mir", "mmedbench": "mmedbench", "xmedbench": "xmedbench"}
#: languages whose medical vocabulary is cognate (Latin script, shared Greco-Latin terms)
COGNATE_LANGUAGES = frozenset({"en", "es", "fr"})
#: the cross-lingual scores (stem + options, and stem alone) from which a training item is the
#: other-language version of a benchmark item (calibrated on HEAD-QA es->en; docs/decontamination.md)
DEFAULT_XLING_THRESHOLD = 0.3
DEFAULT_XLING_STEM_THRESHOLD = 0.2
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


@dataclass(frozen=True)
class CrossConfig:
    threshold: float = DEFAULT_XLING_THRESHOLD
    stem_threshold: float = DEFAULT_XLING_STEM_THRESHOLD


@dataclass(frozen=True)
class CrossHit:
    bench: int  # position among the benchmark items given to CrossLingualIndex
    score: float  # stem and options
    shared: float
    stem: float  # the stem alone: same-topic questions share options, not stems

    def repeats(self, config: CrossConfig) -> bool:
        return self.score >= config.threshold and self.stem >= config.stem_threshold


class CrossLingualIndex:
    """One cognate index per (family, language) of the benchmark MC items; a training item of a
    family is checked against that family's items in its *other* cognate languages."""

    def __init__(self, benchmark_items: Sequence[Item], max_df: int = 16, candidates: int = 3) -> None:
        groups: dict[tuple[str, str], list[int]] = {}
        for position, item in enumerate(benchmark_items):
            name = family(item.source)
            if name is not None and isinstance(item, MCQuestion) and item.lang in COGNATE_LANGUAGES:
                groups.setdefault((name, item.lang), []).append(position)
        self._groups = groups
        self._indexes = {
            key: self._index(benchmark_items, members, True, max_df, candidates) for key, members in groups.items()
        }
        self._stems = {
            key: self._index(benchmark_items, members, False, max_df, candidates) for key, members in groups.items()
        }

    @staticmethod
    def _index(
        items: Sequence[Item], members: list[int], with_options: bool, max_df: int, candidates: int
    ) -> ShingleIndex:
        segments = [cognate_segments(items[at], with_options) for at in members]  # type: ignore[arg-type]
        return ShingleIndex(segments, ["xx"] * len(members), max_df, candidates, n=COGNATE_N)

    def __len__(self) -> int:
        return sum(len(members) for members in self._groups.values())

    def best(self, items: Sequence[Item], threshold: float = 0.0) -> list[CrossHit | None]:
        """For each training item, its best other-language benchmark item of its family: the
        best candidate of the whole-item index and of the stem index are both scored on stem
        and options, and the one whose lower score is higher wins (a same-topic question shares
        the options, a translated repeat both).  ``threshold`` prunes candidates that cannot reach it."""
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
            whole = [cognate_segments(items[at]) for at in chosen]  # type: ignore[arg-type]
            stems = [cognate_segments(items[at], False) for at in chosen]  # type: ignore[arg-type]
            langs, mc = ["xx"] * len(chosen), [True] * len(chosen)
            by_whole = index.best(whole, langs, mc, threshold)
            by_stem = self._stems[(name, lang)].best(stems, langs, mc, threshold)
            for k, at in enumerate(chosen):
                for bench in {match.bench for match in (by_whole[k], by_stem[k]) if match is not None}:
                    hit = self._hit(name, lang, bench, whole[k], stems[k])
                    current = found[at]
                    if current is None or min(hit.score, hit.stem) > min(current.score, current.stem):
                        found[at] = hit
        return found

    def _hit(self, name: str, lang: str, bench: int, whole: Segments, stem: Segments) -> CrossHit:
        both = self._indexes[(name, lang)].score(whole, "xx", True, bench)
        alone = self._stems[(name, lang)].score(stem, "xx", True, bench)
        return CrossHit(self._groups[(name, lang)][bench], both.score, both.shared, alone.score)

    def max_weight(self) -> float:
        """The weight of a 4-gram held by one item of the largest group (the unit of min_shared)."""
        return max((index.max_weight for index in self._indexes.values()), default=0.0)
