"""What a running stage shows and leaves behind: the loss as it goes, a clean stop, the loss curve.

* :class:`LossLogger` prints one short line per logged step (``step 1/40  loss 2.8150 ...``) and
  appends it to ``loss_log.jsonl`` in the output folder, so the loss is visible from step 1 and
  survives even a ``kill -9``;
* :class:`StopOnSignal` turns the first Ctrl-C (SIGINT) or SIGTERM into "finish this step, log it,
  checkpoint it and stop", so the runner can save the adapter and a manifest marked
  ``interrupted``; a second signal stops at once (``KeyboardInterrupt``, still saved by the runner);
* :func:`write_loss_curve` draws ``loss_curve.png`` next to the manifest (matplotlib, Agg canvas).

This module imports transformers; the runner imports it only when a stage runs.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from tqdm import tqdm
from transformers import ProgressCallback, TrainerCallback, TrainerControl, TrainerState, TrainingArguments

log = logging.getLogger(__name__)

LOSS_LOG_NAME = "loss_log.jsonl"
LOSS_CURVE_NAME = "loss_curve.png"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class LossLogger(TrainerCallback):  # type: ignore[misc]
    """One console line and one ``loss_log.jsonl`` record per logging step, with the time per step."""

    def __init__(self, stage: str, path: Path, *, append: bool = False) -> None:
        self.stage = stage
        self.path = path
        self.append = append
        self.started = 0.0
        self.first_step = 0

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        self.started = time.perf_counter()
        self.first_step = state.global_step  # > 0 when resuming
        if state.is_world_process_zero and not self.append:
            self.path.write_text("", encoding="utf-8")

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        logs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not state.is_world_process_zero or not logs or "loss" not in logs:
            return
        done = state.global_step - self.first_step
        per_step = (time.perf_counter() - self.started) / done if done > 0 else 0.0
        record = {
            "step": state.global_step,
            "loss": float(logs["loss"]),
            "learning_rate": logs.get("learning_rate"),
            "grad_norm": logs.get("grad_norm"),
            "epoch": logs.get("epoch"),
            "seconds_per_step": round(per_step, 3),
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=float) + "\n")
        lr = f"  lr {float(logs['learning_rate']):.2e}" if logs.get("learning_rate") is not None else ""
        tqdm.write(
            f"{self.stage} step {state.global_step}/{state.max_steps}  loss {record['loss']:.4f}{lr}"
            f"  {per_step:.1f} s/step",
            file=sys.stdout,
        )
        sys.stdout.flush()


class BarOnlyProgress(ProgressCallback):  # type: ignore[misc]
    """transformers' progress bar without the raw log dicts it prints (:class:`LossLogger` prints the loss)."""

    def on_log(self, *args: Any, **kwargs: Any) -> None:
        return None


class StopOnSignal(TrainerCallback):  # type: ignore[misc]
    """Ctrl-C or SIGTERM during training: stop after the current step instead of dying mid-way.

    Use as a context manager around ``trainer.train()``: the handlers are installed only in the
    main thread of a single-process run (several processes would stop at different steps and
    hang the collective ops) and the previous handlers come back on exit.
    """

    def __init__(self) -> None:
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def _handle(self, number: int, frame: FrameType | None) -> None:
        name = signal.Signals(number).name
        if self.received is not None:
            raise KeyboardInterrupt(name)
        self.received = name
        print(
            f"\n{name}: stopping after this step and saving the adapter (send it again to stop at once)",
            file=sys.stderr,
            flush=True,
        )

    def on_step_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> TrainerControl:
        if self.received is not None:
            control.should_training_stop = True
            control.should_log = True  # the loss of the last step reaches the history and the log
            if args.save_strategy != "no":
                control.should_save = True  # a checkpoint, so `--resume` continues from this step
        return control


def write_loss_curve(history: list[dict[str, Any]], path: Path, title: str) -> Path | None:
    """Training loss against step as a PNG; ``None`` (and a warning) without matplotlib or points."""
    if not history:
        return None
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        log.warning('matplotlib is not installed; no %s (pip install "mmed-ift[train]")', path.name)
        return None
    # a Figure on an Agg canvas, not pyplot: no GUI backend, no global state changed in a notebook
    figure = Figure(figsize=(6.4, 4.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    steps = [item["step"] for item in history]
    losses = [item["loss"] for item in history]
    axes.plot(steps, losses, marker="o" if len(steps) <= 60 else None, markersize=3, linewidth=1.0, label="loss")
    window = max(2, len(losses) // 8)
    if len(losses) >= 2 * window:  # each step's batch differs, so the trend is easier to read averaged
        averaged = [sum(losses[i - window + 1 : i + 1]) / window for i in range(window - 1, len(losses))]
        axes.plot(steps[window - 1 :], averaged, linewidth=2.0, label=f"mean of last {window} logs")
        axes.legend()
    axes.set_xlabel("optimizer step")
    axes.set_ylabel("training loss (assistant tokens)")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path
