"""Recipe loading: the shipped YAML files, overrides, device rules and errors (no model loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mmed_ift.train.recipe import Recipe, RecipeError, _apply_defaults, load_recipe
from tests.train.helpers import RECIPES, STAGE1, STAGE2

SHIPPED = sorted(path for path in RECIPES.glob("*/*.yaml") if path.parent.name != "accelerate")


def test_every_model_has_both_stages() -> None:
    names = {(path.parent.name, path.name) for path in SHIPPED}
    for model in ("smollm2-135m", "llama3-8b"):
        assert (model, "stage1_mmed_ift.yaml") in names
        assert (model, "stage2_mmed_ift_mc.yaml") in names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_shipped_recipes_load_on_cpu_and_gpu(path: Path) -> None:
    cpu = load_recipe(path, has_gpu=False)
    config = cpu.sft_config()
    assert config.bf16 is False and config.gradient_checkpointing is False and config.use_cpu is True
    assert config.assistant_only_loss is True
    assert cpu.lora_config().r > 0
    assert cpu.data.languages
    # The GPU rules, without building SFTConfig (which refuses bf16 on this CPU machine)
    gpu = Recipe(sections={name: dict(section) for name, section in yaml.safe_load(path.read_text()).items()})
    _apply_defaults(gpu, has_gpu=True)
    assert not any("no GPU" in note for note in gpu.adjustments)
    if path.parent.name == "llama3-8b":
        assert gpu.sections["training"]["bf16"] is True and gpu.sections["training"]["gradient_checkpointing"]


def test_stage2_recipes_chain_to_their_stage1() -> None:
    for stage2 in RECIPES.glob("*/stage2_*.yaml"):
        first = stage2.with_name(stage2.name.replace("stage2_mmed_ift_mc", "stage1_mmed_ift"))
        assert load_recipe(stage2, has_gpu=False).stage.init_from == str(load_recipe(first, has_gpu=False).output_dir)


def test_cpu_rules_are_recorded() -> None:
    recipe = load_recipe(RECIPES / "llama3-8b" / "stage1_mmed_ift.yaml", has_gpu=False)
    assert "training.bf16=false (no GPU)" in recipe.adjustments
    assert any(note.startswith("model.load_in_4bit=false") for note in recipe.adjustments) is False
    qlora = load_recipe(RECIPES / "llama3-8b" / "stage1_mmed_ift_qlora.yaml", has_gpu=False)
    assert qlora.model.load_in_4bit is False
    assert any(note.startswith("model.load_in_4bit=false (no GPU") for note in qlora.adjustments)


def test_overrides_are_typed_yaml() -> None:
    recipe = load_recipe(
        STAGE1,
        ["training.learning_rate=5e-3", "training.max_steps=7", "data.languages=[ja]", "data.mixing={ja: 0.5}"],
        has_gpu=False,
    )
    assert recipe.sft_config().learning_rate == pytest.approx(0.005)
    assert recipe.sft_config().max_steps == 7
    assert recipe.data.languages == ["ja"] and recipe.data.mixing == {"ja": 0.5}
    assert recipe.overrides[0] == "training.learning_rate=5e-3"


def test_effective_recipe_round_trips(tmp_path: Path) -> None:
    recipe = load_recipe(STAGE2, ["training.max_steps=3"], has_gpu=False)
    saved = tmp_path / "recipe.yaml"
    saved.write_text(recipe.to_yaml(), encoding="utf-8")
    again = load_recipe(saved, has_gpu=False)
    assert again.sections == recipe.sections
    assert again.adjustments == []  # already applied, so nothing left to change
    assert "# --set training.max_steps=3" in saved.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("training.learning_rat=1", "not fields of trl"),
        ("lora.rank=8", "not fields of peft"),
        ("model.name=x", "unknown keys"),
        ("optimizer.lr=1", "unknown section"),
        ("learning_rate=1", "SECTION.KEY=VALUE"),
        ("data.mixing={de: 0.5}", "not in data.languages"),
        ("data.mixing={en: 1.5}", "fraction in (0, 1]"),
        ("stage.init_mode=both", "init_mode"),
        ("model.chat_template=alpaca", "chat_template"),
        ("data.languages=[]", "empty"),
    ],
)
def test_bad_recipes_fail_before_loading_anything(override: str, message: str) -> None:
    with pytest.raises(RecipeError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_recipe(STAGE1, [override], has_gpu=False)


def test_missing_model_and_output_dir(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="name_or_path is required"):
        load_recipe(STAGE2, ["stage.init_from=null"], has_gpu=False)
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump({"model": {"name_or_path": "smollm2"}}), encoding="utf-8")
    with pytest.raises(RecipeError, match="output_dir is required"):
        load_recipe(bare, has_gpu=False)
    with pytest.raises(RecipeError, match="does not exist"):
        load_recipe(tmp_path / "nope.yaml")


@pytest.mark.parametrize("value", [0, -1, 1.5, "two", "true"])
def test_cpu_threads_must_be_a_positive_integer(value: object) -> None:
    with pytest.raises(RecipeError, match=r"stage\.cpu_threads"):
        load_recipe(STAGE1, [f"stage.cpu_threads={value}"], has_gpu=False)
