"""Write the labelled decontamination pairs built from the calibration files (and the crafted ones).

    python bench/make_decontam_eval.py [--full ../shared/realdata-full] [--out build/decontam_eval/pairs.jsonl]

The calibration files cannot be vendored (HEAD-QA's terms), so the set is regenerated from them;
only the project's own crafted pairs live in ``tests/data/decontam_eval/crafted.jsonl``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from mmed_ift.filters.decontam_eval import write_pairs
from mmed_ift.pipeline.decontam_calibration import build_eval_set

ROOT = Path(__file__).resolve().parents[1]
CRAFTED = ROOT / "tests" / "data" / "decontam_eval" / "crafted.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", type=Path, default=ROOT.parent / "shared" / "realdata-full")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "decontam_eval" / "pairs.jsonl")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    pairs = build_eval_set(args.full, CRAFTED, seed=args.seed)
    count = write_pairs(pairs, args.out)
    kinds = Counter((pair.lang, pair.kind, pair.label) for pair in pairs)
    for (lang, kind, label), n in sorted(kinds.items()):
        print(f"{lang:<4}{kind:<18}{'repeat' if label else 'different':<11}{n:>6}")
    print(f"{count} pairs -> {args.out}")


if __name__ == "__main__":
    main()
