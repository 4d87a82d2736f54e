"""The decontamination evaluation set from the calibration files (``../shared/realdata-full``).

Reading goes through the source adapters (so the items are those a build sees); the pairing
and labelling rules are in :mod:`mmed_ift.filters.decontam_eval`.
"""

from __future__ import annotations

import random
from pathlib import Path

from mmed_ift.filters.decontam_eval import (
    Pair,
    load_pairs,
    other_language_pairs,
    real_pairs,
    stock_stem_pairs,
    transformed_pairs,
)
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
