"""How well each filter does what it claims, as measured by the benchmark scripts under ``bench/``.

The card prints these figures beside the build's own counts (a count says how much a filter
removed; only a labelled benchmark says how much of that was right).  Each entry names the
script that prints its numbers; rerun it and update the entry when a filter changes.  An entry
with no metrics is rendered as "not measured" - better than a figure nobody can reproduce.
"""

from __future__ import annotations

from typing import TypedDict


class Measurement(TypedDict, total=False):
    """Metrics of one filter (name -> value in [0, 1]) and the script that measures them."""

    metrics: dict[str, float]
    bench: str
    note: str


MEASURED: dict[str, Measurement] = {
    "pii": {"metrics": {}, "bench": ""},
    "langid": {
        "metrics": {"accuracy (texts > 20 chars)": 0.9973, "min precision (zh)": 0.950, "min recall (ja)": 0.951},
        "bench": "bench/bench_langid.py",
        "note": "1,355 labelled medical texts, six languages",
    },
    "exact_dedup": {"metrics": {}, "bench": ""},
    "near_dedup": {
        "metrics": {"precision": 1.000, "recall": 0.999},
        "bench": "bench/bench_dedup.py",
        "note": "200,000 records with 33,106 planted pairs; against exact Jaccard >= 0.8",
    },
    "decontam": {"metrics": {}, "bench": ""},
}
