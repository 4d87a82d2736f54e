"""The decontamination evaluation set from the calibration files (``../shared/realdata-full``).

Reading goes through the source adapters (so the items are those a build sees); the pairing
and labelling rules are in :mod:`mmed_ift.filters.decontam_eval`.
"""

from __future__ import annotations

import random
from pathlib import Path

from mmed_ift.filters.decontam import BenchmarkIndex, DecontamConfig
from mmed_ift.filters.decontam_eval import (
    Pair,
    label_pair,
    load_pairs,
    other_language_pairs,
    real_pairs,
    stock_stem_pairs,
    transformed_pairs,
    word_candidates,
)
from mmed_ift.filters.decontam_xling import CrossConfig, CrossLingualIndex
from mmed_ift.filters.decontam_xling_lexicon import Lexicon
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources.frenchmedmcqa import FrenchMedMCQA
from mmed_ift.sources.headqa import HeadQA
from mmed_ift.sources.rumedbench import RuMedBench

#: the calibration corpora: name -> (adapter, folder under realdata-full)
CORPORA = {
    "headqa": (HeadQA, "headqa"),
    "frenchmedmcqa": (FrenchMedMCQA, "frenchmedmcqa"),
    "rumedbench": (RuMedBench, "rumedbench"),
}


def read_calibration(root: Path) -> dict[str, list[MCQuestion]]:
    """Every MC item of the calibration files, per corpus (rejects are not needed here)."""
    found: dict[str, list[MCQuestion]] = {}
    for name, (adapter, folder) in CORPORA.items():
        found[name] = [item for item in adapter().read(root / folder) if isinstance(item, MCQuestion)]
    return found


def split_items(items: list[MCQuestion], lang: str) -> tuple[list[MCQuestion], list[MCQuestion]]:
    """(training + dev items, test items) of one language."""
    mine = [item for item in items if item.lang == lang]
    return [item for item in mine if item.split != "test"], [item for item in mine if item.split == "test"]


def build_eval_set(root: Path, crafted: Path | None = None, seed: int = 14, per_kind: int = 150) -> list[Pair]:
    """All labelled pairs: real repeats and negatives, other-language, transforms, crafted."""
    rng = random.Random(seed)
    corpora = read_calibration(root)
    pairs: list[Pair] = []
    for name, lang in (("headqa", "es"), ("headqa", "en"), ("frenchmedmcqa", "fr"), ("rumedbench", "ru")):
        train, test = split_items(corpora[name], lang)
        pairs += real_pairs(train, test, rng, per_kind)
        pairs += stock_stem_pairs(train + test, rng, per_kind)
        pairs += transformed_pairs(test, rng, per_kind)
    english = {f"{item.source}/{item.split}/{item.source_id}": item for item in corpora["headqa"] if item.lang == "en"}
    pairs += other_language_pairs(pairs, english)
    if crafted is not None:
        pairs += load_pairs(crafted)
    return pairs


def background_items(root: Path) -> list[MCQuestion]:
    """The real benchmark (test) items whose IDF the evaluation's index uses."""
    return [item for items in read_calibration(root).values() for item in items if item.split == "test"]


def crosslingual_counts(
    corpora: dict[str, list[MCQuestion]],
    config: CrossConfig,
    source: str = "es",
    target: str = "en",
    lexicon: Lexicon | None = None,
) -> dict[str, dict[str, int]]:
    """The cross-lingual check on HEAD-QA, ``source``-language items against the ``target``
    test items (the English release is a translation of the Spanish, item by item).

    * ``other_language``: every train/dev item of ``source`` that the gold rules label a repeat
      of a test item (:func:`label_pair`, on the two ``source`` texts) must be removed with that
      test item's ``target`` version (tp / fn); a removal whose matched item's ``source`` version
      the rules label a different question is a false removal (fp); other removals are not
      labelled (``unlabelled``).
    * ``via_version``: the same labels, with each training item judged by its ``target`` version's
      monolingual match (the build's default when it reads both versions).
    * ``translation_via_version``: the same pairs, found by the release id alone (a training item
      whose other-language version is a benchmark item), as the default check does.
    * ``translation``: each ``source`` test item must be matched with its own translation (tp);
      a removal naming another test item of the exam is a false removal (fp), none is a fn.
    """
    items = corpora["headqa"]
    train = [item for item in items if item.lang == source and item.split != "test"]
    test = {item.source_id: item for item in items if item.lang == source and item.split == "test"}
    targets = [item for item in items if item.lang == target and item.split == "test"]
    twin = {item.source_id.replace(f"{target}/", f"{source}/", 1): at for at, item in enumerate(targets)}
    index = CrossLingualIndex(
        targets, config.max_df, config.candidates, lexicons={(source, target): lexicon} if lexicon is not None else None
    )
    test_items = list(test.values())
    repeats = {
        (t, test_items[b].source_id)
        for t, b in word_candidates(train, test_items)
        if (label_pair(train[t], test_items[b]) or (False, ""))[0]
    }
    repeated: dict[int, set[str]] = {}
    for t, bench_id in repeats:
        repeated.setdefault(t, set()).add(bench_id)
    counts: dict[str, dict[str, int]] = {
        kind: {"tp": 0, "fp": 0, "fn": 0, "unlabelled": 0} for kind in ("other_language", "translation")
    }
    found = counts["other_language"]
    for at, hit in enumerate(index.best(train, config)):
        wanted = repeated.get(at)
        removed = hit is not None and hit.repeats(config)
        matched = targets[hit.bench].source_id.replace(f"{target}/", f"{source}/", 1) if removed and hit else None
        if wanted is not None:
            found["tp" if matched in wanted else "fn"] += 1
            found["fp"] += int(removed and matched not in wanted)
        elif matched is not None:
            labelled = label_pair(train[at], test[matched]) if matched in test else None
            found["unlabelled" if labelled is None else "tp" if labelled[0] else "fp"] += 1
    # The same Spanish training items, judged by their English versions: a training item whose
    # other-language version (same release id) repeats a test item monolingually is removed with it
    # (BenchmarkIndex._versions_repeating, on in every build that reads both versions).
    versions = BenchmarkIndex(targets, DecontamConfig(), [item for item in items if item.split != "test"])
    counts["via_version"] = {"tp": 0, "fp": 0, "fn": 0, "unlabelled": 0}
    by_version = counts["via_version"]
    for at, version_hit in enumerate(versions.check_items(train)):
        wanted = repeated.get(at)
        matched = version_hit.benchmark_id.replace(f"{target}/", f"{source}/", 1) if version_hit else None
        if wanted is not None:
            by_version["tp" if matched in wanted else "fn"] += 1
            by_version["fp"] += int(matched is not None and matched not in wanted)
        elif matched is not None:
            labelled = label_pair(train[at], test[matched]) if matched in test else None
            by_version["unlabelled" if labelled is None else "tp" if labelled[0] else "fp"] += 1
    # Each source test item judged as a training item would be: its own target version is a
    # benchmark item with the same release id (the default check's version link).
    counts["translation_via_version"] = {"tp": 0, "fp": 0, "fn": 0, "unlabelled": 0}
    linked = counts["translation_via_version"]
    for item, version_hit in zip(test_items, versions.check_items(test_items), strict=True):
        expected = twin.get(item.source_id)
        if version_hit is None:
            linked["fn"] += int(expected is not None)
        elif expected is not None and targets[expected].source_id == version_hit.benchmark_id:
            linked["tp"] += 1
        else:
            linked["fp"] += 1
            linked["fn"] += int(expected is not None)
    translated = counts["translation"]
    for item, hit in zip(test_items, index.best(test_items, config), strict=True):
        if hit is None or not hit.repeats(config):
            translated["fn"] += int(item.source_id in twin)
        elif twin.get(item.source_id) == hit.bench:
            translated["tp"] += 1
        else:
            translated["fp"] += 1
            translated["fn"] += int(item.source_id in twin)
    return counts
