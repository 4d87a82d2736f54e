"""The driver's part of near-dedup: exact-Jaccard checks and clusters over the candidates only.

Banding and pair generation are distributed (:mod:`mmed_ift.engine.dedup`); what comes back to
the driver is the candidate pairs and the items they touch, typically a few percent of the
corpus.  They are put in ``seq`` order, so local indices follow the local engine's order, and
handed to the local engine's own ``verified_pairs``, ``clusters``, ``survivor_key`` and
``jaccard``: the clusters, the survivors and the reject details are the local ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.base import item_text
from mmed_ift.filters.dedup import NearDedupConfig, describe, survivor_key
from mmed_ift.filters.minhash import clusters, jaccard, verified_pairs
from mmed_ift.filters.shingles import Shingler
from mmed_ift.schemas import Item


@dataclass
class NearDecisions:
    """Which seqs are rejected (with the local engine's detail text), and the step's counters."""

    rejected: dict[int, str] = field(default_factory=dict)
    candidates: int = 0
    confirmed: int = 0
    clusters: int = 0
    #: seconds the driver spent fetching candidates, verifying and clustering (the serial part)
    driver_s: float = 0.0


def decide(pairs: npt.NDArray[np.int64], items: dict[int, Item], config: NearDedupConfig) -> NearDecisions:
    """Verify candidate ``pairs`` (of seqs) and pick each cluster's survivor."""
    decisions = NearDecisions(candidates=len(pairs))
    if not len(pairs):
        return decisions
    order = sorted(items)
    local = {seq: index for index, seq in enumerate(order)}
    texts = [item_text(items[seq]) for seq in order]
    langs = [items[seq].lang for seq in order]
    shingler = Shingler(config.word_n, config.char_n)
    batch = shingler.shingle(texts, langs)
    sets = {index: np.unique(batch.of(index)) for index in range(len(order))}
    indexed = np.array([[local[int(a)], local[int(b)]] for a, b in pairs.tolist()], dtype=np.int64)
    confirmed = verified_pairs(indexed, sets, config.threshold)
    groups = clusters(len(order), confirmed)
    decisions.confirmed = len(confirmed)
    decisions.clusters = len(groups)
    for members in groups:
        keeper = min(members, key=lambda index: survivor_key(items[order[index]]))
        for index in members:
            if index == keeper:
                continue
            similarity = jaccard(sets[index], sets[keeper])
            decisions.rejected[order[index]] = (
                f"near-duplicate of {describe(items[order[keeper]])}"
                f" (Jaccard {similarity:.2f}; cluster of {len(members)})"
            )
    return decisions
