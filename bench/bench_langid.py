"""Language-ID accuracy and speed on the project's labelled medical sentences.

    python bench/bench_langid.py [--backend fasttext|langdetect]

Prints precision / recall per language, accuracy on texts over 20 characters, the texts the
filter would wrongly reject (target: none), and sentences per second.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from mmed_ift.filters.langid import BACKENDS, detect_language
from mmed_ift.filters.langid_eval import evaluate, load_eval_set

EVAL_SET = Path(__file__).resolve().parent.parent / "tests" / "filters" / "langid_eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=BACKENDS, default="fasttext")
    args = parser.parse_args()
    rows = load_eval_set(EVAL_SET)
    report = evaluate(rows, backend=args.backend)
    print(f"backend: {args.backend}; {len(rows)} labelled texts")
    print(report.table())
    for row, detected, score in report.misses:
        print(f"  miss [{row.kind}] {row.lang} -> {detected} ({score:.2f}): {row.text[:70]}")
    start = time.perf_counter()
    rounds = 0
    while time.perf_counter() - start < 2.0:
        for row in rows:
            detect_language(row.text, backend=args.backend)
        rounds += 1
    elapsed = time.perf_counter() - start
    print(f"speed: {rounds * len(rows) / elapsed:,.0f} texts/s")


if __name__ == "__main__":
    main()
