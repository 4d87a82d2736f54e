"""Choosing the medical articles of a whole-language Wikipedia dump (the DCLM recipe).

Per language present in the dump, a supervised fastText-style classifier
(:class:`~mmed_ift.text.domain.DomainClassifier`) is trained at build time:

* **positives**: the medical text the build already reads in that language -- the training items
  of the other sources (MC questions with their options and rationales, QA pairs; the bundled
  samples of those sources when the build reads Wikipedia alone) -- plus the project's seed
  lexicon (pseudo-documents) and medical sentences (:mod:`mmed_ift.sources.wiki_seed`);
* **negatives**: a uniform random sample of the dump's articles (reservoir sampling, seeded, one
  pass), less those a first-round model (positives against the general and science seeds) gives
  even a small chance (:data:`FIRST_ROUND_CUT`) of being medical -- a dump sample is mostly
  non-medical, but the medical articles in it would teach the model the opposite of what it
  should learn -- plus pseudo-documents from the general lexicon and
  the science, nature and food seeds (:mod:`mmed_ift.sources.wiki_seed_nature`), so that the words
  medicine shares with biology and chemistry do not alone make an article medical.

Or the user brings a model (``--domain-model``).  An article whose score is at least
``--domain-threshold`` is selected.  What was trained on what, and what it chose, is kept in
:class:`Selection` for the build report.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from mmed_ift.schemas import Item, MCQuestion, QAPair
from mmed_ift.sources.wiki_seed import GENERAL, GENERAL_TEXT, MEDICAL, MEDICAL_TEXT, seed_terms
from mmed_ift.sources.wiki_seed_nature import NATURE, NATURE_TEXT
from mmed_ift.text.domain import READ_CHARS, DomainClassifier
from mmed_ift.wiki_options import WikiOptions

#: seed for sampling and training: the same dump gives the same selection on every run
SEED = 20231101
#: pseudo-documents drawn from each seed lexicon, and terms per pseudo-document
SEED_DOCS = 300
SEED_DOC_TERMS = 12
#: a dump-sample article the first-round model scores at least this is not a negative: low, since a
#: medical article left among the negatives is learnt as "not medical" and then rejected itself,
#: while a real dump (mostly not medical) loses few true negatives to it
FIRST_ROUND_CUT = 0.05
#: a language with fewer articles than this is not a dump but articles a user chose: all are kept
MIN_DUMP_ARTICLES = 5
#: medical texts read from the build's other sources, per language, at most
MAX_SOURCE_POSITIVES = 5000
#: records read from one other source while looking for positives, at most
MAX_SOURCE_RECORDS = 50000


@dataclass
class LanguageSelection:
    """One language's classifier and what it chose (a block of the build report)."""

    model: str
    model_fingerprint: str
    training_fingerprint: str | None
    training: dict[str, int] | None
    threshold: float
    articles_read: int = 0
    articles_selected: int = 0
    sections_kept: int = 0
    sections_dropped: int = 0


@dataclass
class Selection:
    languages: dict[str, LanguageSelection] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {lang: asdict(block) for lang, block in sorted(self.languages.items())}


def item_text(item: Item) -> str:
    """The medical text of a training item of another source."""
    if isinstance(item, MCQuestion):
        parts = [item.context or "", item.question, *item.options.values(), item.rationale or ""]
    elif isinstance(item, QAPair):
        parts = [item.question, item.answer]
    else:
        parts = [item.title, item.text]
    return "\n".join(part for part in parts if part)


def source_positives(sources: Iterable[tuple[str, str]], languages: set[str]) -> dict[str, list[str]]:
    """Up to :data:`MAX_SOURCE_POSITIVES` texts per language from the other sources' training items."""
    from mmed_ift.sources.base import registry

    found: dict[str, list[str]] = {lang: [] for lang in languages}
    for name, folder in sources:
        adapter = registry()[name]()
        results = adapter.read(Path(folder))
        for result in islice(results, MAX_SOURCE_RECORDS):
            if isinstance(result, Item.__args__) and result.lang in found:  # type: ignore[attr-defined]
                if result.split in adapter.spec.eval_splits or not adapter.spec.training:
                    continue
                if len(found[result.lang]) < MAX_SOURCE_POSITIVES:
                    found[result.lang].append(item_text(result))
    return found


def bundled_sources() -> tuple[tuple[str, str], ...]:
    """The project's bundled samples of the other sources: the positives of a Wikipedia read
    that has no other source beside it (``build --source wikipedia``, or the adapter alone)."""
    from mmed_ift.sources.base import bundled_samples_root, registry

    root = bundled_samples_root()
    return tuple((name, str(root / name)) for name in registry() if name != "wikipedia" and (root / name).is_dir())


def seed_documents(table: dict[str, str], lang: str, seed: int) -> list[str]:
    """Pseudo-documents of :data:`SEED_DOC_TERMS` lexicon terms each, drawn with ``seed``."""
    terms = seed_terms(table, lang)
    if not terms:
        return []
    rng = random.Random(seed)
    return [" ".join(rng.choices(terms, k=SEED_DOC_TERMS)) for _ in range(SEED_DOCS)]


class Reservoir:
    """A uniform random sample of fixed size from a stream (Algorithm R), per language."""

    def __init__(self, size: int, seed: int = SEED) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.seen: dict[str, int] = {}
        self.kept: dict[str, list[str]] = {}

    def offer(self, lang: str, text: str) -> None:
        count = self.seen.get(lang, 0)
        self.seen[lang] = count + 1
        sample = self.kept.setdefault(lang, [])
        if count < self.size:
            sample.append(text[:READ_CHARS])
        else:
            slot = self.rng.randrange(count + 1)
            if slot < self.size:
                sample[slot] = text[:READ_CHARS]


def train_language(lang: str, dump_sample: list[str], extra_positives: list[str]) -> DomainClassifier:
    """The classifier of one language (see the module docstring), in two rounds: a first model of
    positives against the general lexicon and sentences takes the dump sample's medical-looking
    articles out of the negatives, then the model is trained on positives against the cleaned
    sample and the general seeds."""
    seeds: list[tuple[int, list[str]]] = [
        (1, extra_positives),
        (1, seed_documents(MEDICAL, lang, SEED)),
        (1, list(MEDICAL_TEXT.get(lang, ()))),
        (0, seed_documents(GENERAL, lang, SEED + 1)),
        (0, list(GENERAL_TEXT.get(lang, ()))),
        (0, seed_documents(NATURE, lang, SEED + 2)),
        (0, list(NATURE_TEXT.get(lang, ()))),
    ]
    first = DomainClassifier.train(seeds, seed=SEED)
    negatives = [text for text in dump_sample if first.score(text) < FIRST_ROUND_CUT]
    return DomainClassifier.train([*seeds, (0, negatives)], seed=SEED)


def classifiers(options: WikiOptions, dump_sample: dict[str, list[str]]) -> Iterator[tuple[str, DomainClassifier]]:
    """One classifier per language of the sample: the user's model for all, or one trained each."""
    if options.domain_model:
        model = DomainClassifier.load(Path(options.domain_model))
        for lang in sorted(dump_sample):
            yield lang, model
        return
    dumps = {lang: sample for lang, sample in dump_sample.items() if len(sample) >= MIN_DUMP_ARTICLES}
    positives = source_positives(options.positive_sources or bundled_sources(), set(dumps)) if dumps else {}
    for lang in sorted(dump_sample):
        if lang in dumps:
            yield lang, train_language(lang, dump_sample[lang], positives.get(lang, []))
        else:
            found = len(dump_sample[lang])
            yield lang, DomainClassifier.keep_all(f"none: {found} article(s), fewer than {MIN_DUMP_ARTICLES}")
