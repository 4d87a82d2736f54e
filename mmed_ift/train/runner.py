"""One training stage: data + model + TRL ``SFTTrainer`` + LoRA, then the artifacts.

The wrapper does only what plain TRL does not: read the recipe, mix the languages, chain to the
previous stage, and save the adapter, the merged model, the effective recipe, the manifest and the
loss curve.  The training loop itself is TRL's, untouched, which is why ``bench/bench_train.py``
finds no measurable overhead; two callbacks print the loss from step 1 and turn Ctrl-C/SIGTERM
into a stop at the end of the step, after which the adapter and a manifest marked ``interrupted``
are saved all the same and :class:`TrainingInterrupted` is raised.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mmed_ift.train.data import DataInfo, load_training_data
from mmed_ift.train.extra import require_train_extra
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


class TrainingInterrupted(KeyboardInterrupt):
    """A stage stopped by Ctrl-C or SIGTERM; its adapter and manifest were saved first.

    A ``KeyboardInterrupt``, so a notebook cell or a script stops as it would have; ``result``
    holds what was saved (``result.manifest["interrupted"]`` says at which step).
    """

    def __init__(self, result: StageResult, signal_name: str) -> None:
        self.result = result
        self.signal_name = signal_name
        info = result.manifest["interrupted"]
        super().__init__(f"{signal_name} at step {info['at_step']}/{info['max_steps']}")


@dataclass
class StageResult:
    output_dir: Path
    adapter_dir: Path
    merged_dir: Path | None
    manifest: dict[str, Any]

    @property
    def losses(self) -> list[float]:
        return [float(item["loss"]) for item in self.manifest["loss_history"]]

    @property
    def interrupted(self) -> bool:
        return self.manifest.get("status") == "interrupted"


def build_trainer(
    recipe: Recipe, *, progress: bool = True, callbacks: Sequence[Any] = ()
) -> tuple[Any, LoadedModel, DataInfo]:
    """The ``SFTTrainer`` a stage runs, with its tokenized data (labels already masked)."""
    require_train_extra()
    from transformers import PrinterCallback, ProgressCallback
    from trl import SFTTrainer  # type: ignore[attr-defined]

    from mmed_ift.train.monitor import BarOnlyProgress, LossLogger

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
        callbacks=list(callbacks) or None,
    )
    if any(isinstance(item, LossLogger) for item in callbacks):
        # the LossLogger's one line per step replaces the raw dict both of these print
        trainer.remove_callback(PrinterCallback)
        if progress:
            trainer.remove_callback(ProgressCallback)
            trainer.add_callback(BarOnlyProgress())
    return trainer, loaded, info


def train_stage(recipe: Recipe, *, progress: bool = True, callbacks: Sequence[Any] = ()) -> StageResult:
    """Train one stage and save adapter (+ merged model), ``recipe.yaml``, the manifest and loss curve.

    Ctrl-C or SIGTERM stops training at the end of the current step (a second one at once); the
    adapter, the manifest (``status: interrupted``) and the loss curve are saved, a checkpoint
    too when the recipe saves any (so ``stage.resume`` continues), the merge is skipped, and
    :class:`TrainingInterrupted` is raised.  Extra ``callbacks`` go to the trainer.
    """
    require_train_extra()
    from transformers.trainer_utils import get_last_checkpoint

    from mmed_ift.train.monitor import LOSS_CURVE_NAME, LOSS_LOG_NAME, LossLogger, StopOnSignal, write_loss_curve

    output_dir = recipe.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / RECIPE_NAME).write_text(recipe.to_yaml(), encoding="utf-8")
    started = now()
    stopper = StopOnSignal()
    with _cpu_threads(recipe.stage.cpu_threads):
        logger = LossLogger(recipe.stage.name, output_dir / LOSS_LOG_NAME, append=recipe.stage.resume)
        trainer, loaded, info = build_trainer(recipe, progress=progress, callbacks=[logger, stopper, *callbacks])
        checkpoint = get_last_checkpoint(str(output_dir)) if recipe.stage.resume else None  # type: ignore[no-untyped-call]
        if recipe.stage.resume:
            log.info("resuming from %s", checkpoint or "scratch (no checkpoint yet)")
        device = device_description()
        clock, cpu_clock = time.perf_counter(), time.process_time()
        metrics: dict[str, Any] = {}
        try:
            with stopper if trainer.args.world_size == 1 else _nothing():
                train_output = trainer.train(resume_from_checkpoint=checkpoint)
            metrics = dict(train_output.metrics)
        except KeyboardInterrupt as error:  # a second signal, or a Ctrl-C the handlers did not see
            stopper.received = stopper.received or (str(error) or "SIGINT")
        train_seconds, cpu_seconds = time.perf_counter() - clock, time.process_time() - cpu_clock
    adapter_dir = output_dir / ADAPTER_DIR
    trainer.save_model(str(adapter_dir))
    history = [
        {"step": int(item["step"]), "loss": float(item["loss"])} for item in trainer.state.log_history if "loss" in item
    ]
    global_step = int(trainer.state.global_step)
    max_steps = int(trainer.state.max_steps)
    steps_run = global_step - _step_of(checkpoint)
    tokens_seen = int(getattr(trainer.state, "num_input_tokens_seen", 0) or 0)
    is_main = trainer.is_world_process_zero()
    del trainer
    loaded.model = None
    _free_memory()
    interrupted = stopper.received
    merged_dir: Path | None = None
    if is_main and recipe.stage.save_merged and not interrupted:
        merged_dir = merge_adapter(loaded.base, recipe.model, adapter_dir, output_dir / MERGED_DIR)
    curve: Path | None = None
    if is_main:
        status = f"interrupted at step {global_step}/{max_steps}" if interrupted else f"{global_step} steps"
        curve = write_loss_curve(history, output_dir / LOSS_CURVE_NAME, f"{recipe.stage.name}: {status}")
    last_checkpoint = get_last_checkpoint(str(output_dir))  # type: ignore[no-untyped-call]
    if last_checkpoint is not None and _step_of(last_checkpoint) != global_step:
        last_checkpoint = None  # an older one: resuming from it would redo steps
    manifest: dict[str, Any] = {
        "stage": recipe.stage.name,
        "status": "interrupted" if interrupted else "completed",
        "interrupted": (
            {
                "signal": interrupted,
                "at_step": global_step,
                "max_steps": max_steps,
                "checkpoint": last_checkpoint,
            }
            if interrupted
            else None
        ),
        "recipe": str(recipe.path) if recipe.path else None,
        "overrides": recipe.overrides,
        "adjustments": recipe.adjustments,
        "init": loaded.init,
        "base_model": loaded.base.to_dict(),
        "model_arguments": asdict(recipe.model),
        "quantized_4bit": loaded.quantized,
        "data": info.to_dict(),
        "libraries": library_versions(),
        "device": device,
        "resumed_from": checkpoint,
        "metrics": metrics,
        "global_step": global_step,
        "tokens_seen": tokens_seen,
        "train_seconds": round(train_seconds, 3),
        "seconds_per_step": round(train_seconds / steps_run, 3) if steps_run > 0 else None,
        # CPU time of this process (all threads): on a shared machine, wall time also counts the waiting
        "train_cpu_seconds": round(cpu_seconds, 1),
        "loss_history": history,
        "artifacts": {
            "adapter": ADAPTER_DIR,
            "merged": MERGED_DIR if merged_dir else None,
            "recipe": RECIPE_NAME,
            "loss_log": LOSS_LOG_NAME,
            "loss_curve": LOSS_CURVE_NAME if curve else None,
        },
        "started_at": started,
        "finished_at": now(),
    }
    if is_main:
        write_json(output_dir / MANIFEST_NAME, manifest)
    result = StageResult(output_dir, adapter_dir, merged_dir, manifest)
    if interrupted:
        raise TrainingInterrupted(result, interrupted)
    return result


@contextmanager
def _cpu_threads(count: int | None) -> Iterator[None]:
    """``stage.cpu_threads`` for the stage's duration (CPU only), then torch's previous setting."""
    import torch

    if count is None or torch.cuda.is_available():
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _step_of(checkpoint: str | None) -> int:
    return int(checkpoint.rsplit("-", 1)[-1]) if checkpoint else 0


def _free_memory() -> None:
    """Drop the trained model before the merge loads a second copy of the base."""
    gc.collect()
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
