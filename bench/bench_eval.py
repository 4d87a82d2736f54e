"""Items/s of log-likelihood MC scoring on CPU: one-by-one vs batched vs batched with a shared context.

    python bench/bench_eval.py [--model smollm2] [--items 40] [--batch-size 8]

Items are the real MedQA US test sample (``tests/data/realdata/medqa_us``, 4 options, lm-eval's
medqa prompt), repeated to ``--items`` if needed.  Three ways to get the same numbers:

* one-by-one: one forward pass per (item, option) pair, batch size 1 (what a naive loop does);
* batched: pairs padded into batches of ``--batch-size``;
* shared context: one forward pass per item, every one-token option (" A".." D") read from the
  same next-token distribution, items batched.

Each mode runs once after a warm-up pass; the script checks that all three give the same
log-likelihoods before it prints anything.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from mmed_ift.evaluate.benchmarks import load_benchmark
from mmed_ift.evaluate.loglik import LoglikScorer
from mmed_ift.evaluate.prompts import PromptOptions, loglik_request
from mmed_ift.pretrained import load_model

REALDATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "realdata" / "medqa_us"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--data", type=Path, default=REALDATA)
    args = parser.parse_args()

    import torch

    model, tokenizer = load_model(args.model)
    model.eval()
    items = load_benchmark("medqa", args.data).items
    items = (items * (args.items // max(1, len(items)) + 1))[: args.items]
    requests = [loglik_request(item, [], PromptOptions()) for item in items]
    groups = [(request.context, list(request.continuations)) for request in requests]
    pairs = [(context, continuation) for context, continuations in groups for continuation in continuations]
    print(f"model={args.model} items={len(items)} pairs={len(pairs)} threads={torch.get_num_threads()}")

    def one_by_one() -> list[float]:
        return [score.logprob for score in LoglikScorer(model, tokenizer, batch_size=1).score(pairs)]

    def batched() -> list[float]:
        return [score.logprob for score in LoglikScorer(model, tokenizer, batch_size=args.batch_size).score(pairs)]

    def shared() -> list[float]:
        scorer = LoglikScorer(model, tokenizer, batch_size=args.batch_size)
        return [score.logprob for group in scorer.score_groups(groups) for score in group]

    shared()  # warm-up
    rows = []
    reference: list[float] | None = None
    for name, run in (
        ("one-by-one", one_by_one),
        (f"batched ({args.batch_size})", batched),
        ("shared context", shared),
    ):
        started = time.perf_counter()
        values = run()
        seconds = time.perf_counter() - started
        if reference is None:
            reference = values
        worst = max(abs(a - b) for a, b in zip(values, reference, strict=True))
        assert worst < 1e-3, f"{name} differs from one-by-one by {worst}"
        rows.append((name, seconds, len(items) / seconds, worst))
    base = rows[0][2]
    print("| mode | seconds | items/s | speed-up | max |Δ logprob| vs one-by-one |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds, rate, worst in rows:
        print(f"| {name} | {seconds:.2f} | {rate:.2f} | {rate / base:.2f}× | {worst:.1e} |")


if __name__ == "__main__":
    main()
