"""Both stages on the tiny random Llama: loss, chaining, artifacts, reload + generate, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from datasets import load_dataset

from mmed_ift.train import build_trainer, load_recipe, load_trained, train_stage
from mmed_ift.train.modeling import load_for_stage
from tests.train.conftest import TwoStages
from tests.train.helpers import STAGE1, STAGE2, assistant_loss, tiny_overrides

pytestmark = pytest.mark.slow


def test_both_stages_lower_their_loss(tiny_two_stages: TwoStages) -> None:
    for result in (tiny_two_stages.stage1, tiny_two_stages.stage2):
        losses = result.losses
        assert len(losses) >= 5
        assert losses[-1] < losses[0] - 0.3, losses


def test_training_lowers_held_fixed_sample_loss(tiny_two_stages: TwoStages) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    rows = list(load_dataset(str(tiny_two_stages.build_dir / "MMed-IFT"), "en", split="train").select(range(8)))
    base = AutoModelForCausalLM.from_pretrained(tiny_two_stages.model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_two_stages.model_dir)
    trained, trained_tokenizer = load_trained(tiny_two_stages.stage1.output_dir)
    assert assistant_loss(trained, trained_tokenizer, rows) < assistant_loss(base, tokenizer, rows) - 0.3


def test_artifacts_and_manifest(tiny_two_stages: TwoStages) -> None:
    stage1, stage2 = tiny_two_stages.stage1, tiny_two_stages.stage2
    for result in (stage1, stage2):
        out = result.output_dir
        assert (out / "adapter" / "adapter_config.json").is_file()
        assert (out / "merged" / "model.safetensors").is_file()
        manifest = json.loads((out / "train_manifest.json").read_text(encoding="utf-8"))
        assert manifest == json.loads(json.dumps(result.manifest, default=str))
        assert manifest["data"]["kind"] == "local" and len(manifest["data"]["parquet_sha256"]) == 64
        assert manifest["data"]["fingerprint"] and manifest["data"]["rows"] == 64
        assert manifest["libraries"]["trl"] and manifest["libraries"]["peft"] and manifest["libraries"]["torch"]
        assert "training.use_cpu=true (no GPU)" in manifest["adjustments"]
        saved = load_recipe(out / "recipe.yaml", has_gpu=False)
        assert saved.sections["training"]["max_steps"] == manifest["global_step"]
        assert saved.output_dir == out
    assert stage1.manifest["data"]["dataset"].endswith("MMed-IFT")
    assert stage2.manifest["data"]["dataset"].endswith("MMed-IFT-MC")
    assert stage2.manifest["init"] == {
        "from": str(stage1.output_dir.resolve()),
        "mode": "merged",
        "previous_stage": "stage1",
    }
    assert stage2.manifest["base_model"]["name_or_path"] == str((stage1.output_dir / "merged").resolve())
    assert yaml.safe_load((stage2.output_dir / "recipe.yaml").read_text())["stage"]["init_from"] == str(
        stage1.output_dir
    )


def _logits(model: torch.nn.Module, tokenizer: object, text: str = "Answer: B") -> torch.Tensor:
    ids = tokenizer(text, return_tensors="pt")["input_ids"]  # type: ignore[operator]
    model.eval()
    with torch.no_grad():
        return model(input_ids=ids).logits  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["merged", "adapter"])
def test_stage2_starts_from_stage1(tiny_two_stages: TwoStages, mode: str, tmp_path: Path) -> None:
    """Before any stage-2 step, the model computes exactly what stage 1 left behind."""
    from transformers import AutoModelForCausalLM

    stage1 = tiny_two_stages.stage1.output_dir
    recipe = load_recipe(
        STAGE2,
        tiny_overrides(
            tiny_two_stages.model_dir,
            tiny_two_stages.build_dir / "MMed-IFT-MC",
            tmp_path / "s2",
            steps=1,
            extra=(f"stage.init_from={stage1}", f"stage.init_mode={mode}"),
        ),
        has_gpu=False,
    )
    loaded = load_for_stage(recipe)
    expected_model, tokenizer = load_trained(stage1)
    start = _logits(loaded.model, tokenizer)
    assert torch.allclose(start, _logits(expected_model, tokenizer), atol=1e-5)
    base = AutoModelForCausalLM.from_pretrained(tiny_two_stages.model_dir)
    assert not torch.allclose(start, _logits(base, tokenizer), atol=1e-3)
    assert (loaded.peft_config is None) == (mode == "adapter")


def test_adapter_mode_end_to_end(tiny_two_stages: TwoStages, tmp_path: Path) -> None:
    recipe = load_recipe(
        STAGE2,
        tiny_overrides(
            tiny_two_stages.model_dir,
            tiny_two_stages.build_dir / "MMed-IFT-MC",
            tmp_path / "s2",
            steps=4,
            extra=(f"stage.init_from={tiny_two_stages.stage1.output_dir}", "stage.init_mode=adapter"),
        ),
        has_gpu=False,
    )
    result = train_stage(recipe, progress=False)
    assert result.manifest["base_model"]["name_or_path"] == str(tiny_two_stages.model_dir)
    merged, tokenizer = load_trained(result.output_dir)
    unmerged, _ = load_trained(result.output_dir, use_merged=False)
    assert torch.allclose(_logits(merged, tokenizer), _logits(unmerged, tokenizer), atol=1e-4)


def test_saved_artifacts_reload_and_generate(tiny_two_stages: TwoStages) -> None:
    outputs = []
    for use_merged in (True, False):
        model, tokenizer = load_trained(tiny_two_stages.stage2.output_dir, use_merged=use_merged)
        prompt = tokenizer.apply_chat_template(
            [{"role": "user", "content": "What is hypertension?"}],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )
        generated = model.generate(**prompt, max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.pad_token_id)
        new_tokens = generated[0, prompt["input_ids"].shape[1] :]
        assert 0 < len(new_tokens) <= 8
        outputs.append(new_tokens.tolist())
    assert outputs[0] == outputs[1]  # merged weights == base + adapter


def test_prompt_tokens_carry_no_loss(tiny_two_stages: TwoStages, tmp_path: Path) -> None:
    recipe = load_recipe(
        STAGE1,
        tiny_overrides(tiny_two_stages.model_dir, tiny_two_stages.build_dir / "MMed-IFT-MC", tmp_path, steps=1),
        has_gpu=False,
    )
    trainer, loaded, _ = build_trainer(recipe, progress=False)
    tokenizer = loaded.tokenizer
    rows = load_dataset(str(tiny_two_stages.build_dir / "MMed-IFT-MC"), "en", split="train")
    answers = {row["messages"][-1]["content"] for row in rows} | {
        row["messages"][-1]["content"]
        for row in load_dataset(str(tiny_two_stages.build_dir / "MMed-IFT-MC"), "ja", split="train")
    }
    batch = next(iter(trainer.get_train_dataloader()))
    for ids, labels in zip(batch["input_ids"], batch["labels"], strict=True):
        trained = ids[labels != -100]
        prompt = ids[labels == -100]
        assert len(trained) and len(prompt)
        text = tokenizer.decode(trained)
        assert "<|im_start|>" not in text and "user" not in tokenizer.decode(trained[:3])
        assert text.endswith("<|im_end|>") or len(ids[ids != tokenizer.pad_token_id]) >= 192
        # what is trained is the start of one real assistant answer (truncation may cut its end)
        assert any(answer.startswith(text.removesuffix("<|im_end|>")[:60]) for answer in answers)


def test_resume_from_last_checkpoint(tiny_two_stages: TwoStages, tmp_path: Path) -> None:
    def recipe(steps: int, *extra: str) -> object:
        return load_recipe(
            STAGE1,
            tiny_overrides(
                tiny_two_stages.model_dir,
                tiny_two_stages.build_dir / "MMed-IFT",
                tmp_path / "run",
                steps=steps,
                extra=("training.save_steps=4", "stage.save_merged=false", *extra),
            ),
            has_gpu=False,
        )

    first = train_stage(recipe(4), progress=False)  # type: ignore[arg-type]
    assert (tmp_path / "run" / "checkpoint-4").is_dir() and first.merged_dir is None
    resumed = train_stage(recipe(8, "stage.resume=true"), progress=False)  # type: ignore[arg-type]
    assert resumed.manifest["resumed_from"] == str(tmp_path / "run" / "checkpoint-4")
    assert resumed.manifest["global_step"] == 8
    # the restored trainer state keeps the first run's log (step 1 too); only steps 5-8 ran again
    assert [item["step"] for item in resumed.manifest["loss_history"]] == [1, 2, 4, 6, 8]
    assert resumed.manifest["loss_history"][:3] == first.manifest["loss_history"]
    # the per-step figure is derived from the 4 steps this run trained (rounded to milliseconds)
    assert resumed.manifest["seconds_per_step"] == pytest.approx(resumed.manifest["train_seconds"] / 4, abs=0.002)
    logged = [json.loads(line)["step"] for line in (tmp_path / "run" / "loss_log.jsonl").read_text().splitlines()]
    assert logged == [1, 2, 4, 6, 8]  # the resumed run appends to the first run's log
