"""``python -m mmed_ift evaluate``: the command line of the evaluation harness.

:func:`add_evaluate_parser` registers the sub-command on the main CLI's sub-parsers, in the
style of the other commands: its handler returns the exit code and user errors are raised as
:class:`~mmed_ift.errors.MMedIFTError` subclasses for the main CLI to print.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mmed_ift.cli.common import run_command
from mmed_ift.cli.options import utf8_path
from mmed_ift.evaluate.catalog import BENCHMARKS, CONTINUATIONS, PROMPT_STYLES
from mmed_ift.evaluate.errors import EvaluationError

if TYPE_CHECKING:
    from mmed_ift.evaluate.runner import EvalConfig
from mmed_ift.languages import LANGUAGE_CODES


def add_evaluate_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``evaluate``; its handler returns the exit code like the other commands."""
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate a model on medical multiple-choice benchmarks, per language",
        description=(
            "Score a model on the benchmarks' held-out splits (read through the source adapters) by option"
            " log-likelihood (acc, acc_norm as lm-evaluation-harness defines them) or by generation and"
            " answer extraction. Writes results.md, results.json and predictions.jsonl to --out."
        ),
    )
    parser.add_argument(
        "--model",
        default=None,
        help="'smollm2', a local folder or a Hub id; with --api-base, the served model name (required unless"
        " --export-lm-eval)",
    )
    parser.add_argument(
        "--export-lm-eval",
        type=utf8_path,
        default=None,
        metavar="DIR",
        help=(
            "write the benchmarks (--benchmarks, --data, --lang, --limit) as lm-evaluation-harness tasks to DIR"
            " (one task per benchmark and language, one group mmed_ift_<lang> per language) and exit;"
            " then: lm_eval --include_path DIR --tasks mmed_ift_ja"
        ),
    )
    parser.add_argument("--adapter", default=None, help="a PEFT (LoRA) adapter folder to apply to --model")
    parser.add_argument(
        "--benchmarks",
        default=",".join(BENCHMARKS),
        help=(
            "comma-separated; NAME, NAME=FOLDER or NAME=OWNER/DATASET (Hub). Known: "
            + ", ".join(BENCHMARKS)
            + " (default: all)"
        ),
    )
    parser.add_argument(
        "--data",
        type=utf8_path,
        default=None,
        help="folder with one sub-folder per source, as for `build --sources` (default: bundled samples)",
    )
    parser.add_argument(
        "--lang", action="append", choices=LANGUAGE_CODES, default=[], help="only this language (repeatable)"
    )
    parser.add_argument("--shots", type=int, default=0, help="few-shot examples from the benchmark's other splits")
    parser.add_argument("--method", choices=["loglik", "generate"], default="loglik")
    parser.add_argument("--limit", type=int, default=None, help="at most N items per benchmark and language")
    parser.add_argument(
        "--prompt-style",
        choices=PROMPT_STYLES,
        default=None,
        help=(
            "lmeval (the harness's medqa format) or recipe (the MC training prompt);"
            " default lmeval for loglik, recipe for generate"
        ),
    )
    parser.add_argument(
        "--continuation",
        choices=CONTINUATIONS,
        default="letter",
        help="loglik: score the option letter or the option text (default: %(default)s)",
    )
    parser.add_argument(
        "--chat-template",
        choices=["auto", "on", "off"],
        default="auto",
        help="auto: on for generation when the tokenizer has one, off for loglik",
    )
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=None, help="left-truncate prompts to this many tokens")
    parser.add_argument("--dtype", default="float32", help="torch dtype to load the model in (default: %(default)s)")
    parser.add_argument(
        "--api-base", default=None, help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (generate only)"
    )
    parser.add_argument(
        "--api-key-env", default="OPENAI_API_KEY", help="environment variable with the API key (default: %(default)s)"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="parallel API requests")
    parser.add_argument("--seed", type=int, default=0, help="seed of the few-shot choice")
    parser.add_argument("--out", type=utf8_path, default=Path("eval_out"), help="output folder (default: %(default)s)")
    parser.set_defaults(handler=run_evaluate)
    return parser


def config_from_args(args: argparse.Namespace) -> EvalConfig:
    from mmed_ift.evaluate.benchmarks import parse_benchmark_list
    from mmed_ift.evaluate.runner import EvalConfig

    return EvalConfig(
        model=args.model,
        benchmarks=tuple(parse_benchmark_list(args.benchmarks)),
        adapter=args.adapter,
        languages=tuple(dict.fromkeys(args.lang)),
        shots=args.shots,
        method=args.method,
        limit=args.limit,
        data_dir=args.data,
        prompt_style=args.prompt_style,
        continuation=args.continuation,
        chat_template=args.chat_template,
        batch_size=args.batch_size,
        max_new_tokens=args.max_new_tokens,
        max_length=args.max_length,
        api_base=args.api_base,
        api_key=os.environ.get(args.api_key_env) if args.api_base else None,
        concurrency=args.concurrency,
        seed=args.seed,
        dtype=args.dtype,
    )


def run_export(args: argparse.Namespace) -> int:
    from mmed_ift.evaluate.benchmarks import parse_benchmark_list
    from mmed_ift.evaluate.lmeval_export import export_lm_eval

    export = export_lm_eval(
        args.export_lm_eval,
        parse_benchmark_list(args.benchmarks),
        data_dir=args.data,
        languages=tuple(dict.fromkeys(args.lang)),
        limit=args.limit,
    )
    print(export.summary())
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    if args.export_lm_eval is not None:
        return run_export(args)
    if not args.model:
        raise EvaluationError("--model is required (or --export-lm-eval DIR to write lm-eval tasks)")
    from mmed_ift.evaluate.runner import evaluate

    report = evaluate(config_from_args(args))
    paths = report.write(args.out)
    print(report.markdown())
    print(f"wrote {paths['markdown']}, {paths['json']} and {paths['predictions']} ({len(report.items)} items)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mmed_ift.evaluate ...``: the same command outside the main CLI."""
    return run_command("python -m mmed_ift.evaluate", "evaluate", add_evaluate_parser, argv)
