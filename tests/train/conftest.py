"""Session fixtures: one small build, one tiny model, one two-stage run shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from mmed_ift.train import StageResult, load_recipe, train_stage
from tests.train.helpers import STAGE1, STAGE2, tiny_overrides


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MMed-IFT and MMed-IFT-MC for en + ja from the bundled samples (a few seconds)."""
    from mmed_ift.cli import main

    out = tmp_path_factory.mktemp("build") / "out"
    assert main(["build", "--lang", "en", "--lang", "ja", "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random tiny Llama and a BPE tokenizer trained on the build's text, saved as a local model."""
    from datasets import load_dataset

    from mmed_ift.pretrained import tiny_llama, train_tokenizer

    texts: list[str] = []
    for name in ("MMed-IFT", "MMed-IFT-MC"):
        for lang in ("en", "ja"):
            for row in load_dataset(str(build_dir / name), lang, split="train"):
                texts += [message["content"] for message in row["messages"]]
    tokenizer = train_tokenizer(texts)
    model = tiny_llama(tokenizer)
    folder = tmp_path_factory.mktemp("tiny") / "tiny-llama"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@dataclass
class TwoStages:
    stage1: StageResult
    stage2: StageResult
    build_dir: Path
    model_dir: Path


@pytest.fixture(scope="session")
def tiny_two_stages(build_dir: Path, tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TwoStages:
    """Stage 1 on MMed-IFT, then stage 2 on MMed-IFT-MC from stage 1's merged weights."""
    root = tmp_path_factory.mktemp("stages")
    first = load_recipe(STAGE1, tiny_overrides(tiny_model_dir, build_dir / "MMed-IFT", root / "stage1", steps=30))
    stage1 = train_stage(first, progress=False)
    second = load_recipe(
        STAGE2,
        tiny_overrides(
            tiny_model_dir,
            build_dir / "MMed-IFT-MC",
            root / "stage2",
            steps=16,
            extra=(f"stage.init_from={root / 'stage1'}", "model.name_or_path=null"),
        ),
    )
    stage2 = train_stage(second, progress=False)
    return TwoStages(stage1, stage2, build_dir, tiny_model_dir)
