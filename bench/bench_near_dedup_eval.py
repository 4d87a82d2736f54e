"""Near-dedup on labelled MedQuAD-like pairs: precision and recall with and without the
distinct-record check, every pair it gets wrong, and what the check costs.

    python bench/bench_near_dedup_eval.py

The pairs (``tests/filters/near_dedup_pairs.jsonl``, written by
``tests/filters/make_near_dedup_pairs.py``) are true near-duplicates (re-crawled, re-indented,
re-punctuated, a sentence added, typos, a phrase edited, a focus spelt differently) and hard
negatives (one template about two diseases).  Each pair is a two-record corpus through
``NearDedup``.  The cost line runs the whole set as one corpus, 20 times, with and without the
check (CPU seconds, median of 3 interleaved runs).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mmed_ift.filters.near_dedup import NearDedup, NearDedupConfig  # noqa: E402
from mmed_ift.filters.near_dedup_eval import deciding_rules, evaluate_pairs, load_pairs  # noqa: E402
from mmed_ift.schemas import Item  # noqa: E402

PAIRS = ROOT / "tests" / "filters" / "near_dedup_pairs.jsonl"


def cpu_seconds(items: list[Item], config: NearDedupConfig) -> float:
    start = time.process_time()
    for _ in range(20):
        NearDedup(config).process(items)
    return time.process_time() - start


def main() -> None:
    pairs = load_pairs(PAIRS)
    kinds = Counter((pair.kind, pair.duplicate) for pair in pairs)
    print(
        f"{len(pairs)} labelled pairs: {sum(p.duplicate for p in pairs)} near-duplicates,"
        f" {sum(not p.duplicate for p in pairs)} hard negatives"
    )
    for (kind, duplicate), count in sorted(kinds.items()):
        print(f"  {'dup' if duplicate else 'neg'} {kind:<30} {count}")
    for label, config in (("Jaccard >= 0.8 only", NearDedupConfig(distinct=None)),
                          ("Jaccard + distinct records", NearDedupConfig())):  # fmt: skip
        report = evaluate_pairs(pairs, config, label)
        print(report.line())
        for pair, score, why in report.wrong:
            said = "merged" if not pair.duplicate else "kept apart"
            print(f"    {said}: {pair.name} (Jaccard {score:.3f}{'; ' + why if why else ''}) {pair.note}")
    decided = deciding_rules(pairs, NearDedupConfig())
    print(f"pairs above Jaccard 0.8, by the rule that tells them apart: {dict(sorted(decided.items()))}")
    items: list[Item] = [record for pair in pairs for record in (pair.left, pair.right)]
    runs: dict[str, list[float]] = {"without": [], "with": []}
    for _ in range(3):
        runs["without"].append(cpu_seconds(items, NearDedupConfig(distinct=None)))
        runs["with"].append(cpu_seconds(items, NearDedupConfig()))
    without, with_check = sorted(runs["without"])[1], sorted(runs["with"])[1]
    print(
        f"cost on {len(items)} records x 20: {without:.2f} s CPU without the check, {with_check:.2f} s with"
        f" ({with_check / without:.2f}x); only records in a candidate pair are tokenised"
    )


if __name__ == "__main__":
    main()
