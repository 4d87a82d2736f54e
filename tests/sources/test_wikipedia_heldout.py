"""The labelled set that measures the medical-article classifier (``tests/data/domain_labelled.jsonl``,
printed by ``bench/bench_domain.py``) is held out: large enough to say something per language, and
no sentence of it is trained on -- not a seed sentence, not a bundled Wikipedia article, not a
training item of the other bundled sources (the positives of a Wikipedia-only build)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from mmed_ift.sources import bundled_samples_root, registry
from mmed_ift.sources.wiki_formats import Article, iter_articles
from mmed_ift.sources.wiki_seed import GENERAL, GENERAL_TEXT, MEDICAL, MEDICAL_TEXT
from mmed_ift.sources.wiki_seed_nature import NATURE, NATURE_TEXT
from mmed_ift.sources.wiki_select import bundled_sources, source_positives

LABELLED = Path(__file__).resolve().parent.parent / "data" / "domain_labelled.jsonl"
LANGS = ("en", "zh", "ja", "fr", "ru", "es")
#: sentence ends in the six languages (a snippet is one to three sentences)
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？；])\s*")


def _rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sentences(text: str) -> set[str]:
    """The sentences of a text worth comparing (short fragments such as a title are not)."""
    return {" ".join(part.split()) for part in _SENTENCE_END.split(text) if len(part.strip()) >= 15}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def training_texts() -> list[str]:
    """Every natural text a Wikipedia-only build trains on: seeds, the bundled dump, the positives."""
    texts = [text for table in (GENERAL_TEXT, MEDICAL_TEXT, NATURE_TEXT) for group in table.values() for text in group]
    texts += [table[lang] for table in (GENERAL, MEDICAL, NATURE) for lang in table]
    root = bundled_samples_root() / "wikipedia"
    adapter = registry()["wikipedia"]()
    for path in adapter.find_files(root):
        texts += [f"{a.title}\n{a.text}" for a in iter_articles(path, root) if isinstance(a, Article)]
    for found in source_positives(bundled_sources(), set(LANGS)).values():
        texts += found
    return [_flat(text) for text in texts]


def test_forty_medical_and_forty_other_snippets_per_language() -> None:
    rows = _rows()
    counts = Counter((row["lang"], row["label"]) for row in rows)
    assert {lang: (counts[lang, "medical"], counts[lang, "other"]) for lang in LANGS} == {
        lang: (40, 40) for lang in LANGS
    }
    assert set(counts) == {(lang, label) for lang in LANGS for label in ("medical", "other")}
    texts = [_flat(row["text"]) for row in rows]
    assert len(set(texts)) == len(texts)  # no snippet twice


def test_no_labelled_sentence_is_in_the_training_texts(training_texts: list[str]) -> None:
    corpus = "\n".join(training_texts)
    leaked = [s for row in _rows() for s in _sentences(row["text"]) if s in corpus]
    assert leaked == []


def test_no_seed_sentence_is_in_the_labelled_set() -> None:
    labelled = "\n".join(_flat(row["text"]) for row in _rows())
    tables = (GENERAL_TEXT, MEDICAL_TEXT, NATURE_TEXT)
    seeds = [s for table in tables for group in table.values() for text in group for s in _sentences(text)]
    assert seeds and [s for s in seeds if s in labelled] == []


def test_the_overlap_check_finds_a_copied_sentence(training_texts: list[str]) -> None:
    """The check above can fail: a seed sentence copied into a snippet is found."""
    copied = f"Some words first. {MEDICAL_TEXT['en'][0]}"
    corpus = "\n".join(training_texts)
    assert any(s in corpus for s in _sentences(copied))
