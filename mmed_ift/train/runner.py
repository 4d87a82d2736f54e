"""One training stage: data + model + TRL ``SFTTrainer`` + LoRA, then the artifacts.

The wrapper does only what plain TRL does not: read the recipe, mix the languages, chain to the
previous stage, and save the adapter, the merged model, the effective recipe and the manifest.
The training loop itself is TRL's, untouched, which is why ``bench/bench_train.py`` finds no
measurable overhead.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mmed_ift.train.data import DataInfo, load_training_data
from mmed_ift.train.manifest import device_description, library_versions, now, write_json
from mmed_ift.train.modeling import (
    ADAPTER_DIR,
    MANIFEST_NAME,
    MERGED_DIR,
    LoadedModel,
    load_for_stage,
    merge_adapter,
)
from mmed_ift.train.recipe import Recipe

log = logging.getLogger(__name__)

RECIPE_NAME = "recipe.yaml"


@dataclass
class StageResult:
    output_dir: Path
    adapter_dir: Path
    merged_dir: Path | None
    manifest: dict[str, Any]

    @property
    def losses(self) -> list[float]:
        return [float(item["loss"]) for item in self.manifest["loss_history"]]


def build_trainer(recipe: Recipe, *, progress: bool = True) -> tuple[Any, LoadedModel, DataInfo]:
    """The ``SFTTrainer`` a stage runs, with its tokenized data (labels already masked)."""
    from trl import SFTTrainer  # type: ignore[attr-defined]

    dataset, info = load_training_data(recipe.data)
    loaded = load_for_stage(recipe)
    args = recipe.sft_config()
    if not progress:
        args.disable_tqdm = True
    trainer = SFTTrainer(
        model=loaded.model,
        args=args,
        train_dataset=dataset,
        processing_class=loaded.tokenizer,
        peft_config=loaded.peft_config,
    )
    return trainer, loaded, info


def train_stage(recipe: Recipe, *, progress: bool = True) -> StageResult:
    """Train one stage and save adapter (+ merged model), ``recipe.yaml`` and the manifest."""
    from transformers.trainer_utils import get_last_checkpoint

    output_dir = recipe.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / RECIPE_NAME).write_text(recipe.to_yaml(), encoding="utf-8")
    started = now()
    trainer, loaded, info = build_trainer(recipe, progress=progress)
    checkpoint = get_last_checkpoint(str(output_dir)) if recipe.stage.resume else None  # type: ignore[no-untyped-call]
    if recipe.stage.resume:
        log.info("resuming from %s", checkpoint or "scratch (no checkpoint yet)")
    train_output = trainer.train(resume_from_checkpoint=checkpoint)
    adapter_dir = output_dir / ADAPTER_DIR
    trainer.save_model(str(adapter_dir))
    history = [
        {"step": int(item["step"]), "loss": float(item["loss"])} for item in trainer.state.log_history if "loss" in item
    ]
    tokens_seen = int(getattr(trainer.state, "num_input_tokens_seen", 0) or 0)
    is_main = trainer.is_world_process_zero()
    del trainer
    loaded.model = None
    _free_memory()
    merged_dir: Path | None = None
    if is_main and recipe.stage.save_merged:
        merged_dir = merge_adapter(loaded.base, recipe.model, adapter_dir, output_dir / MERGED_DIR)
    manifest: dict[str, Any] = {
        "stage": recipe.stage.name,
        "recipe": str(recipe.path) if recipe.path else None,
        "overrides": recipe.overrides,
        "adjustments": recipe.adjustments,
        "init": loaded.init,
        "base_model": loaded.base.to_dict(),
        "model_arguments": asdict(recipe.model),
        "quantized_4bit": loaded.quantized,
        "data": info.to_dict(),
        "libraries": library_versions(),
        "device": device_description(),
        "resumed_from": checkpoint,
        "metrics": dict(train_output.metrics),
        "global_step": int(train_output.global_step),
        "tokens_seen": tokens_seen,
        "loss_history": history,
        "artifacts": {"adapter": ADAPTER_DIR, "merged": MERGED_DIR if merged_dir else None, "recipe": RECIPE_NAME},
        "started_at": started,
        "finished_at": now(),
    }
    if is_main:
        write_json(output_dir / MANIFEST_NAME, manifest)
    return StageResult(output_dir, adapter_dir, merged_dir, manifest)


def _free_memory() -> None:
    """Drop the trained model before the merge loads a second copy of the base."""
    gc.collect()
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
