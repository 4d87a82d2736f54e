"""``train`` through its argparse parser, as cli.py will wire it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from mmed_ift.cli.train import add_train_parser, main
from mmed_ift.train.recipe import RecipeError
from tests.train.helpers import STAGE1, tiny_overrides


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_train_parser(parser.add_subparsers())
    return parser.parse_args(argv)


@pytest.mark.slow
def test_train_command_runs_a_stage(
    build_dir: Path, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sets = [
        item
        for override in tiny_overrides(tiny_model_dir, build_dir / "MMed-IFT", tmp_path / "out", steps=2)
        for item in ("--set", override)
    ]
    args = _parse(["train", str(STAGE1), *sets, "--set", "stage.save_merged=false", "--no-progress"])
    assert args.handler(args) == 0
    printed = capsys.readouterr().out
    assert "stage1: 2 steps" in printed and "adapter:" in printed and "merged:" not in printed
    manifest = json.loads((tmp_path / "out" / "train_manifest.json").read_text(encoding="utf-8"))
    assert manifest["overrides"][-1] == "stage.save_merged=false"


def test_bad_override_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["train", str(STAGE1), "--set", "training.nope=1"])
    with pytest.raises(RecipeError, match="nope"):
        args.handler(args)
    assert main([str(STAGE1), "--set", "oops"]) == 2
    assert "SECTION.KEY=VALUE" in capsys.readouterr().err


def test_resume_flag_sets_the_stage_option() -> None:
    args = _parse(["train", "r.yaml", "--resume", "--set", "training.max_steps=3"])
    assert args.resume is True and args.overrides == ["training.max_steps=3"]
