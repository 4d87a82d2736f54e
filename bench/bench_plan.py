"""Issue 16, acceptance 1: ``build --plan`` for a 200k release on a corpus at the published sizes.

    python bench/bench_plan.py [--corpus DIR] [--scale 0.05] [--target-size N] [--balance temperature:0.3]
                               [--min-share 0] [--model gpt-4o-mini] [--price-table bench/prices-gpt-4o-mini.json]

Makes the corpus with ``bench/make_release_corpus.py`` when ``--corpus`` does not exist yet (else
reads its scale from ``corpus.json``), then does what ``python -m mmed_ift build --all --sources
CORPUS --target-size N --balance B --plan --generator openai --model M --price-table P`` does, in
this process: the read + filter + sample pass once (timed: wall, CPU, peak RSS), then the plan of
two policies on the same samples: ``--balance B`` as the build would run it (under temperature:T that
includes the default floor, 1/12 per language; docs/composition.md), and ``--balance B --min-share S``
(default S = 0: temperature sampling alone, to show what the floor changes).

At ``--scale s`` the target is ``200000 x s`` by default: every source shrinks by the same factor,
so the language shares equal those of the full-size plan (up to rounding of the smallest
sources) and rows, requests, tokens and cost are ``s`` times the full-size ones.  The last table
is that extrapolation, labelled as such: the composition arithmetic (``plan_composition``, no
reading) is redone on the measured group counts divided by ``s`` with the full target, and
requests and cost are the measured ones divided by ``s``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_release_corpus import make_corpus

from mmed_ift.cli import make_parser
from mmed_ift.cli.build import build_config_from_args
from mmed_ift.compose.apply import available_rows, plan_composition
from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.pipeline.plan import filtered_samples, plan_from_samples

FULL_TARGET = 200_000


def language_table(plan: dict[str, Any]) -> str:
    total = plan["totals"]["rows"] or 1
    lines = [f"  {'lang':<6}{'available':>10}{'selected':>10}{'llm':>9}{'rows':>9}{'share':>8}"]
    for lang, info in plan["languages"].items():
        rows = info["selected"] + info["llm"]
        lines.append(
            f"  {lang:<6}{info['available']:>10}{info['selected']:>10}{info['llm']:>9}{rows:>9}{rows / total:>8.1%}"
        )
    totals = plan["totals"]
    lines.append(
        f"  total rows {totals['rows']} (selected {totals['selected']}, LLM {totals['llm_rows']}); requests"
        f" {totals['requests']}; tokens in {totals['prompt_tokens']:,}, out {totals['completion_tokens']:,};"
        f" cost ${totals.get('cost_usd', 'n/a')}"
    )
    return "\n".join(lines)


def extrapolated(
    plan: dict[str, Any], grouped: Any, policy: CompositionPolicy, languages: tuple[str, ...], scale: float
) -> str:
    """The full-size plan from the measured group counts (divided by the scale): shares exact for
    those counts, requests and cost scaled linearly from the measured plan."""
    counts = {key: round(count / scale) for key, count in available_rows(grouped).items()}
    full = plan_composition(counts, languages, dataclasses.replace(policy, target_size=FULL_TARGET))
    per_lang = {lang: 0 for lang in languages}
    for key, allocation in full.groups.items():
        per_lang[key[1]] += allocation.selected
    for gap in full.gaps:
        per_lang[gap.lang] += gap.rows
    total = sum(per_lang.values()) or 1
    shares = "  ".join(f"{lang} {rows / total:.1%}" for lang, rows in per_lang.items())
    llm_rows = sum(gap.rows for gap in full.gaps)
    cost = plan["totals"].get("cost_usd")
    return (
        f"  rows {total:,} (LLM gap rows {llm_rows:,}; requests ~{plan['totals']['requests'] / scale:,.0f},"
        f" measured / scale); shares: {shares}\n"
        f"  tokens in ~{plan['totals']['prompt_tokens'] / scale:,.0f},"
        f" out ~{plan['totals']['completion_tokens'] / scale:,.0f};"
        f" cost ~${(cost / scale if cost is not None else float('nan')):,.2f} (measured / scale)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (made if absent)")
    parser.add_argument("--scale", type=float, default=0.05, help="scale of a corpus made here")
    parser.add_argument("--target-size", type=int, default=None, help="default: 200000 x scale")
    parser.add_argument("--balance", default="temperature:0.3")
    parser.add_argument(
        "--min-share", type=float, default=0.0, help="the second policy's floor per language (0: temperature alone)"
    )
    parser.add_argument(
        "--tasks",
        default="translate",
        help="the LLM tasks (default translate: gap filling only; rationale,knowledge,translate also plans a"
        " rationale for every MC item and knowledge rows for every passage, before the composition)",
    )
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--price-table", type=Path, default=Path(__file__).with_name("prices-gpt-4o-mini.json"))
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    corpus = args.corpus or work / "corpus"
    if not (corpus / "corpus.json").exists():
        print(f"making the corpus at scale {args.scale} in {corpus} ...", flush=True)
        written = make_corpus(corpus, args.scale, seed=0)
        print(f"  {sum(written.values()):,} records: {written}")
    scale = float(json.loads((corpus / "corpus.json").read_text(encoding="utf-8"))["scale"])
    target = args.target_size or round(FULL_TARGET * scale)
    build_argv = ["build", "--all", "--sources", str(corpus), "--out", str(work / "out"), "--no-progress"]
    build_argv += ["--target-size", str(target), "--balance", args.balance, "--plan"]
    build_argv += ["--generator", "openai", "--base-url", "http://127.0.0.1:9/v1", "--model", args.model]
    build_argv += ["--tasks", args.tasks]
    build_argv += ["--price-table", str(args.price_table)]
    config = build_config_from_args(make_parser().parse_args(build_argv))
    print(f"corpus scale {scale}; same as: python -m mmed_ift {' '.join(build_argv)}", flush=True)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    grouped = filtered_samples(config)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = sum(
        len(samples) for by_lang in grouped.values() for by_split in by_lang.values() for samples in by_split.values()
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"\nread + filter + samples: {wall:.1f} s wall, {cpu:.1f} s CPU, {rows:,} samples"
        f" ({rows / max(cpu, 1e-9):,.0f} samples per CPU-second); peak RSS {peak / 1024:.0f} MiB"
        f" (+{(peak - rss_before) / 1024:.0f} MiB)"
    )
    assert config.composition is not None
    policies = {
        f"--balance {args.balance} (default floor {config.composition.min_share:.4f})": config.composition,
        f"--balance {args.balance} --min-share {args.min_share}": dataclasses.replace(
            config.composition, min_share=args.min_share
        ),
    }
    for label, policy in policies.items():
        started = time.process_time()
        plan = plan_from_samples(dataclasses.replace(config, composition=policy), grouped)
        elapsed = time.process_time() - started
        short = [
            lang
            for lang, info in plan["languages"].items()
            if (info["selected"] + info["llm"]) / (plan["totals"]["rows"] or 1) < 0.08
        ]
        print(f"\n{label} --target-size {target} (planned in {elapsed:.2f} s CPU):")
        print(language_table(plan))
        print(f"  rows >= target: {plan['totals']['rows'] >= target}; languages under 8%: {short or 'none'}")
        (work / f"plan-{len(short)}.json").write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
        if scale < 1:
            print(f"  extrapolated to scale 1 and --target-size {FULL_TARGET} (not run; see the docstring):")
            print(extrapolated(plan, grouped, policy, config.languages, scale))
    print(f"\nplans written under {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
