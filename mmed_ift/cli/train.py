"""``train RECIPE [--set section.key=value ...] [--resume]``: one stage from a recipe file."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from mmed_ift.cli.common import run_command


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
    from mmed_ift.train.recipe import load_recipe
    from mmed_ift.train.runner import train_stage

    overrides = list(args.overrides) + (["stage.resume=true"] if args.resume else [])
    recipe = load_recipe(args.recipe, overrides)
    for note in recipe.adjustments:
        logging.getLogger(__name__).info("adjusted: %s", note)
    result = train_stage(recipe, progress=not args.no_progress)
    losses = result.losses
    curve = f"loss {losses[0]:.4f} -> {losses[-1]:.4f}" if losses else "no loss logged"
    print(f"{result.manifest['stage']}: {result.manifest['global_step']} steps, {curve}")
    print(f"adapter: {result.adapter_dir}")
    if result.merged_dir:
        print(f"merged:  {result.merged_dir}")
    print(f"data fingerprint: {result.manifest['data']['fingerprint']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mmed_ift.train RECIPE ...``: the same command outside the main CLI (and for accelerate)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return run_command("python -m mmed_ift.train", "train", add_train_parser, argv)
