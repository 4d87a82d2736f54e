"""``train RECIPE [--set section.key=value ...] [--resume]``: one stage from a recipe file."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from mmed_ift.cli.common import run_command

#: the exit status of a stage stopped by Ctrl-C or SIGTERM (128 + SIGINT, what shells report)
INTERRUPTED = 130


def add_train_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``train``; its handler returns the exit code like the other commands."""
    parser = subparsers.add_parser(
        "train",
        help="run one LoRA fine-tuning stage from a recipe",
        description=(
            "Train one stage (LoRA, or QLoRA with a GPU and bitsandbytes) on the recipe's dataset, masking"
            " every non-assistant token, then save adapter/, merged/ (if stage.save_merged), recipe.yaml"
            " and train_manifest.json in training.output_dir. Stage 2 recipes start from stage 1's"
            " output_dir (stage.init_from). For several GPUs: accelerate launch --config_file"
            " recipes/accelerate/<config>.yaml -m mmed_ift.train RECIPE."
        ),
    )
    parser.add_argument("recipe", help="recipe YAML, e.g. recipes/smollm2-135m/stage1_mmed_ift.yaml")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="overrides",
        metavar="SECTION.KEY=VALUE",
        help="override a recipe field (value read as YAML), e.g. --set training.max_steps=20; repeatable",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the last checkpoint-* in training.output_dir"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run_train)
    return parser


def run_train(args: argparse.Namespace) -> int:
    """0 when the stage finished, 130 when Ctrl-C/SIGTERM stopped it (adapter saved); 2 is a user error."""
    from mmed_ift.train.extra import require_train_extra

    require_train_extra()  # before anything imports torch: one line naming the extra, not a traceback
    from mmed_ift.train.recipe import load_recipe
    from mmed_ift.train.runner import TrainingInterrupted, train_stage

    overrides = list(args.overrides) + (["stage.resume=true"] if args.resume else [])
    recipe = load_recipe(args.recipe, overrides)
    for note in recipe.adjustments:
        logging.getLogger(__name__).info("adjusted: %s", note)
    try:
        result = train_stage(recipe, progress=not args.no_progress)
    except TrainingInterrupted as stop:
        saved = stop.result
        info = saved.manifest["interrupted"]
        resume = " (continue with --resume)" if info["checkpoint"] else ""
        print(
            f"{stop.signal_name}: {saved.manifest['stage']} stopped at step {info['at_step']}/{info['max_steps']};"
            f" adapter and manifest saved in {saved.output_dir}{resume}",
            file=sys.stderr,
        )
        return INTERRUPTED
    except KeyboardInterrupt:  # while loading or merging, where the stage cannot stop cleanly
        print(f"interrupted while loading or saving; {recipe.output_dir} is incomplete", file=sys.stderr)
        return INTERRUPTED
    losses = result.losses
    window = max(1, len(losses) // 4)  # each step has other rows: averaged ends show the trend
    curve = (
        f"loss {sum(losses[:window]) / window:.4f} -> {sum(losses[-window:]) / window:.4f}"
        f" (mean of the first and last {window} logged steps)"
        if losses
        else "no loss logged"
    )
    seconds = result.manifest["train_seconds"]
    print(f"{result.manifest['stage']}: {result.manifest['global_step']} steps in {seconds:.0f} s, {curve}")
    print(f"adapter: {result.adapter_dir}")
    if result.merged_dir:
        print(f"merged:  {result.merged_dir}")
    if result.manifest["artifacts"]["loss_curve"]:
        print(f"loss curve: {result.output_dir / result.manifest['artifacts']['loss_curve']}")
    print(f"data fingerprint: {result.manifest['data']['fingerprint']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mmed_ift.train RECIPE ...``: the same command outside the main CLI (and for accelerate)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return run_command("python -m mmed_ift.train", "train", add_train_parser, argv)
