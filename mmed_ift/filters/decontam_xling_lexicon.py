"""A bilingual word lexicon learned from the parallel versions of a benchmark family's items.

Why: HEAD-QA (and MedExpQA, MMedBench) publish the *same* exam questions in several languages,
item by item (the same id, the same option keys).  Cognate words alone find a translated repeat
only when it holds enough Greco-Latin terms; short items ("Es un tejido conjuntivo avascular:")
share too few.  The training and dev splits of such a family are parallel text that the build
reads anyway, so word translation probabilities can be learned from them at build time, with no
model and no network: IBM model 1 (Brown et al. 1993), a few EM iterations over aligned
*segments* (the stem with the stem, option A with option A: much tighter than whole items).

Only items the caller gives are learned from: a build gives its *training* items (never the
held-out ones), and the evaluation gives HEAD-QA train + dev only, so the test items it measures
on are never seen by the lexicon (docs/decontamination.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mmed_ift.schemas import Item, MCQuestion

#: EM iterations of IBM model 1 (the table stops changing much after 5 on HEAD-QA)
ITERATIONS = 6
#: a translation is kept when t(target | source) reaches this share ...
MIN_PROBABILITY = 0.15
#: ... and at most this many per source word
MAX_TRANSLATIONS = 2
#: a source word seen in fewer aligned segments than this has no reliable translation
MIN_COUNT = 2
_NULL = 0
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def lexicon_tokens(text: str) -> list[str]:
    """The words and numbers of a text, casefolded, accents stripped, decimal commas as points."""
    bare = _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return [token.replace(",", ".") for token in _TOKEN.findall(bare)]


def parallel_key(item: Item) -> tuple[str, str] | None:
    """What identifies an item across the language versions of its release: HEAD-QA ids are
    ``<lang>/<exam>/<qid>``, the same after the language prefix in every version."""
    prefix = f"{item.lang}/"
    if not item.source_id.startswith(prefix):
        return None
    return item.source, item.source_id[len(prefix) :]


def parallel_pairs(items: Iterable[Item], source_lang: str, target_lang: str) -> list[tuple[MCQuestion, MCQuestion]]:
    """(source-language item, target-language item) pairs that are versions of the same question:
    the same release id after the language prefix and the same option keys."""
    by_key: dict[str, dict[tuple[str, str], MCQuestion]] = {source_lang: {}, target_lang: {}}
    for item in items:
        key = parallel_key(item)
        if key is not None and isinstance(item, MCQuestion) and item.lang in by_key:
            by_key[item.lang][key] = item
    pairs = []
    for key, source in sorted(by_key[source_lang].items()):
        target = by_key[target_lang].get(key)
        if target is not None and set(target.options) == set(source.options):
            pairs.append((source, target))
    return pairs


def learn_lexicons(
    parallel: Iterable[Item], targets: Iterable[tuple[str, str]], family_of: Callable[[str], str | None]
) -> dict[tuple[str, str], Lexicon]:
    """One lexicon per (training language, benchmark language) direction of ``targets`` (family,
    benchmark language) that ``parallel`` (training items, never benchmark items) has aligned
    pairs for; a direction with no pairs gets none (its check falls back to cognate words)."""
    by_family: dict[str, list[Item]] = {}
    for item in parallel:
        name = family_of(item.source)
        if name is not None:
            by_family.setdefault(name, []).append(item)
    lexicons: dict[tuple[str, str], Lexicon] = {}
    wanted = sorted(set(targets))
    for name, target_lang in wanted:
        items = by_family.get(name, [])
        for source_lang in sorted({item.lang for item in items} - {target_lang}):
            if (source_lang, target_lang) in lexicons:
                continue
            pairs = parallel_pairs(items, source_lang, target_lang)
            if pairs:
                lexicons[(source_lang, target_lang)] = Lexicon.learn(pairs)
    return lexicons


def aligned_segments(pairs: Sequence[tuple[MCQuestion, MCQuestion]]) -> list[tuple[list[str], list[str]]]:
    """Stem with stem, and each option with the option of the same key."""
    segments = []
    for source, target in pairs:
        segments.append((lexicon_tokens(source.question), lexicon_tokens(target.question)))
        for key, text in source.options.items():
            segments.append((lexicon_tokens(text), lexicon_tokens(target.options[key])))
    return [(s, t) for s, t in segments if s and t]


@dataclass(frozen=True)
class Lexicon:
    """Word translations of one direction (source language -> target language)."""

    source_lang: str
    target_lang: str
    translations: Mapping[str, tuple[str, ...]]
    #: aligned item pairs it was learned from
    learned_from: int = 0

    def __len__(self) -> int:
        return len(self.translations)

    def translate(self, word: str) -> tuple[str, ...]:
        """The target words of a (token-normalised) source word; empty when it is unknown."""
        return self.translations.get(word, ())

    @classmethod
    def learn(
        cls,
        pairs: Sequence[tuple[MCQuestion, MCQuestion]],
        iterations: int = ITERATIONS,
        min_probability: float = MIN_PROBABILITY,
        max_translations: int = MAX_TRANSLATIONS,
    ) -> Lexicon:
        """IBM model 1 over the aligned segments of ``pairs`` (source item, target item)."""
        if not pairs:
            raise ValueError("a lexicon needs at least one pair of parallel items")
        source_lang, target_lang = pairs[0][0].lang, pairs[0][1].lang
        translations = _ibm1(aligned_segments(pairs), iterations, min_probability, max_translations)
        return cls(source_lang, target_lang, translations, len(pairs))


def _ibm1(
    segments: Sequence[tuple[list[str], list[str]]], iterations: int, min_probability: float, max_translations: int
) -> dict[str, tuple[str, ...]]:
    """t(target | source) by EM, vectorised: every (source token, target token) link of every
    segment is one row; each source word's likely targets are returned best first.  Source words seen
    in fewer than MIN_COUNT segments are left out (one co-occurrence proves nothing)."""
    source_vocab: dict[str, int] = {"": _NULL}
    target_vocab: dict[str, int] = {}
    link_source: list[np.ndarray] = []
    link_target: list[np.ndarray] = []
    seen: dict[int, int] = {}
    for source, target in segments:
        s = np.array([_NULL, *(source_vocab.setdefault(w, len(source_vocab)) for w in source)], dtype=np.int64)
        t = np.array([target_vocab.setdefault(w, len(target_vocab)) for w in target], dtype=np.int64)
        for word in set(s.tolist()):
            seen[word] = seen.get(word, 0) + 1
        link_source.append(np.tile(s, len(t)))
        link_target.append(np.repeat(t, len(s)))
    sources = np.concatenate(link_source)
    targets = np.concatenate(link_target)
    # one "target occurrence" per target token of a segment: the links are grouped by it
    occurrence = np.repeat(
        np.arange(sum(len(t) for _, t in segments), dtype=np.int64),
        np.repeat([len(s) + 1 for s, t in segments], [len(t) for _, t in segments]),
    )
    keys, link = np.unique(sources * len(target_vocab) + targets, return_inverse=True)
    key_source = keys // len(target_vocab)
    key_target = keys % len(target_vocab)
    probability = np.full(len(keys), 1.0 / len(target_vocab))
    for _ in range(iterations):
        p = probability[link]
        share = p / np.bincount(occurrence, weights=p)[occurrence]
        counts = np.bincount(link, weights=share, minlength=len(keys))
        probability = counts / np.bincount(key_source, weights=counts, minlength=len(source_vocab))[key_source]
    # keep the likely translations of words seen often enough, best first per source word
    count = np.zeros(len(source_vocab), dtype=np.int64)
    for word, times in seen.items():
        count[word] = times
    keep = np.flatnonzero((probability >= min_probability) & (key_source != _NULL) & (count[key_source] >= MIN_COUNT))
    keep = keep[np.lexsort((-probability[keep], key_source[keep]))]
    target_words = list(target_vocab)
    source_words = list(source_vocab)
    table: dict[str, tuple[str, ...]] = {}
    for at in keep.tolist():
        word = source_words[int(key_source[at])]
        kept = table.get(word, ())
        if len(kept) < max_translations:
            table[word] = (*kept, target_words[int(key_target[at])])
    return table
