"""Precision and recall of decontamination per language on the labelled pairs, and its speed.

    python bench/bench_decontam.py [--full ../shared/realdata-full] [--threshold T] [--sweep]

Builds the labelled set (``bench/make_decontam_eval.py``'s pairs), scores every pair with the
filter's index, prints precision and recall per language and the outcome per kind; then the
cross-lingual check on HEAD-QA es -> en, with cognate words only and with the word lexicon learned
from the *train + dev* items' aligned versions (never from a test item: asserted); then times the
filter on HEAD-QA (train + dev items of both languages against the test items): records/s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.decontam_eval import EvalReport, evaluate
from mmed_ift.filters.decontam_xling import CrossConfig
from mmed_ift.filters.decontam_xling_lexicon import Lexicon, parallel_key, parallel_pairs
from mmed_ift.pipeline.decontam_calibration import build_eval_set, crosslingual_counts, read_calibration
from mmed_ift.schemas import MCQuestion

ROOT = Path(__file__).resolve().parents[1]
CRAFTED = ROOT / "tests" / "data" / "decontam_eval" / "crafted.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", type=Path, default=ROOT.parent / "shared" / "realdata-full")
    parser.add_argument("--threshold", type=float, default=DecontamConfig().threshold)
    parser.add_argument("--min-shared", type=float, default=DecontamConfig().min_shared)
    parser.add_argument("--question-threshold", type=float, default=DecontamConfig().question_threshold)
    parser.add_argument("--sweep", action="store_true", help="also print precision/recall at other thresholds")
    parser.add_argument("--errors", type=int, default=0, help="print this many misjudged pairs")
    parser.add_argument("--crosslingual-only", action="store_true", help="skip the labelled set's monolingual table")
    args = parser.parse_args()
    corpora = read_calibration(args.full)
    if not args.crosslingual_only:
        monolingual(args, corpora)
    crosslingual(args, corpora)


def monolingual(args: argparse.Namespace, corpora: dict[str, list[MCQuestion]]) -> None:
    """The labelled set's precision and recall per language and kind (and the sweeps)."""
    pairs = build_eval_set(args.full, CRAFTED)
    background = [item for items in corpora.values() for item in items if item.split == "test"]
    report = evaluate(pairs, background, args.threshold, args.min_shared, question_threshold=args.question_threshold)
    print(
        f"threshold {args.threshold}, min_shared {args.min_shared}, question_threshold {args.question_threshold}:"
        f" {len(pairs)} labelled pairs"
    )
    print(report.table())
    for pair, score in report.errors[: args.errors]:
        print(f"{score:.2f} {pair.kind} {pair.label} | {pair.train.question[:70]!r} | {pair.bench.question[:70]!r}")
    if args.sweep:
        for threshold in (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
            swept = evaluate(pairs, background, threshold, args.min_shared, question_threshold=args.question_threshold)
            cells = [
                f"{lang} {swept.precision(c):.3f}/{swept.recall(c):.3f}" for lang, c in sorted(swept.counts.items())
            ]
            print(f"threshold {threshold}: " + "  ".join(cells))
        for question in (0.0, 0.3, 0.4, 0.5, 0.6):
            swept = evaluate(pairs, background, args.threshold, args.min_shared, question_threshold=question)
            cells = [
                f"{lang} {swept.precision(c):.3f}/{swept.recall(c):.3f}" for lang, c in sorted(swept.counts.items())
            ]
            print(f"question_threshold {question}: " + "  ".join(cells))


def crosslingual(args: argparse.Namespace, corpora: dict[str, list[MCQuestion]]) -> None:
    """The cross-lingual check on HEAD-QA es -> en, and the filter's speed on HEAD-QA."""
    headqa = corpora["headqa"]
    parallel = [item for item in headqa if item.split != "test"]  # train + dev only: never a test item
    started = time.process_time()
    lexicon = Lexicon.learn(parallel_pairs(parallel, "es", "en"))
    learned = time.process_time() - started
    assert not {parallel_key(item) for item in headqa if item.split == "test"} & {
        parallel_key(item) for item in parallel
    }, "a test item would teach the lexicon"
    print(
        f"cross-lingual (opt-in --decontam-crosslingual), HEAD-QA es -> en test items; lexicon es->en learned from"
        f" {lexicon.learned_from} aligned train + dev item pairs only (no test item), {len(lexicon)} words,"
        f" in {learned:.2f} CPU s:"
    )
    settings = [(CrossConfig(), lexicon), (CrossConfig(), None)]
    if args.sweep:
        settings += [
            (CrossConfig(threshold, stem, alone), lexicon)
            for threshold, stem, alone in (
                (0.4, 0.3, 0.6),
                (0.45, 0.2, 0.5),
                (0.55, 0.3, 0.65),
                (0.5, 0.4, 0.6),
                (0.6, 0.4, 0.7),
            )
        ]
        settings += [
            (CrossConfig(cognate_threshold=threshold, cognate_stem_threshold=stem), None)
            for threshold, stem in ((0.2, 0.1), (0.4, 0.3), (0.5, 0.4))
        ]
    for cross, used in settings:
        counts = crosslingual_counts(corpora, cross, lexicon=used)
        cells = [
            f"{kind} precision {EvalReport.precision(c):.3f} recall {EvalReport.recall(c):.3f}"
            f" (tp {c['tp']} fp {c['fp']} fn {c['fn']} unlabelled {c['unlabelled']})"
            for kind, c in counts.items()
        ]
        shown = (
            f"lexicon: threshold {cross.threshold} stem {cross.stem_threshold} alone {cross.alone}"
            if used is not None
            else f"cognates only: threshold {cross.cognate_threshold} stem {cross.cognate_stem_threshold}"
        )
        print(f"  {shown}: " + "; ".join(cells))
    test = [item for item in headqa if item.split == "test"]
    train = [item for item in headqa if item.split != "test"]
    started = time.process_time()
    step = Decontaminate(test, DecontamConfig(threshold=args.threshold, min_shared=args.min_shared))
    built = time.process_time()
    result = step.process(list(train))
    done = time.process_time()
    print(
        f"HEAD-QA es+en: index of {len(test)} test items in {built - started:.2f} CPU s; {len(train)} training"
        f" items checked in {done - built:.2f} CPU s = {len(train) / (done - built):,.0f} records per CPU-second;"
        f" {len(result.rejections)} removed"
    )
    for label, given in (("cognates only", ()), ("lexicon from the training items", train)):
        started = time.process_time()
        step = Decontaminate(test, DecontamConfig(threshold=args.threshold, crosslingual=True), parallel_items=given)
        built = time.process_time()
        result = step.process(list(train))
        done = time.process_time()
        print(
            f"  with --decontam-crosslingual ({label}): index (and lexicons) in {built - started:.2f} CPU s;"
            f" checked in {done - built:.2f} CPU s = {len(train) / (done - built):,.0f} records per CPU-second;"
            f" {len(result.rejections)} removed"
        )


if __name__ == "__main__":
    main()
