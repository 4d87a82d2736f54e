"""What a running stage shows and leaves: the loss from step 1, the loss-curve PNG, a clean stop
on Ctrl-C/SIGTERM (adapter + manifest saved, exit 130) and one line when the extra is missing."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from transformers import TrainerCallback

from mmed_ift.train import TrainingInterrupted, load_recipe, train_stage
from mmed_ift.train.modeling import StageInitError, load_for_stage
from tests.train.conftest import TwoStages
from tests.train.helpers import REPO_ROOT, STAGE1, STAGE2, tiny_overrides

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_loss_is_logged_from_step_1(tiny_two_stages: TwoStages) -> None:
    for result in (tiny_two_stages.stage1, tiny_two_stages.stage2):
        assert result.manifest["loss_history"][0]["step"] == 1
        records = [json.loads(line) for line in (result.output_dir / "loss_log.jsonl").read_text().splitlines()]
        assert records[0]["step"] == 1 and records[0]["loss"] == result.losses[0]
        assert [record["step"] for record in records] == [item["step"] for item in result.manifest["loss_history"]]
        assert result.manifest["status"] == "completed" and result.manifest["interrupted"] is None
        assert result.manifest["train_seconds"] > 0 and result.manifest["seconds_per_step"] > 0


@pytest.mark.slow
def test_each_stage_writes_a_loss_curve_png(tiny_two_stages: TwoStages) -> None:
    for result in (tiny_two_stages.stage1, tiny_two_stages.stage2):
        assert result.manifest["artifacts"]["loss_curve"] == "loss_curve.png"
        path = result.output_dir / "loss_curve.png"
        assert path.parent == (result.output_dir / "train_manifest.json").parent
        assert _png_size(path) == (640, 400)
        assert path.stat().st_size > 10_000  # axes, a line and labels, not an empty canvas


def test_shipped_small_recipes_log_from_the_first_step() -> None:
    for path in (STAGE1, STAGE2):
        training = load_recipe(path, has_gpu=False).sections["training"]
        assert training["logging_first_step"] is True and training["logging_steps"] == 1


THREADS = ("stage.cpu_threads=1",)


class _RaiseAt(TrainerCallback):  # type: ignore[misc]
    """A Ctrl-C that no signal handler saw, at the end of step ``step``."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step == self.step:
            raise KeyboardInterrupt


@pytest.mark.slow
def test_keyboard_interrupt_saves_adapter_and_manifest(build_dir: Path, tiny_model_dir: Path, tmp_path: Path) -> None:
    recipe = load_recipe(
        STAGE1,
        tiny_overrides(
            tiny_model_dir, build_dir / "MMed-IFT", tmp_path / "s1", steps=40, extra=("stage.cpu_threads=1",)
        ),
        has_gpu=False,
    )
    with pytest.raises(TrainingInterrupted) as caught:
        train_stage(recipe, progress=False, callbacks=[_RaiseAt(3)])
    result = caught.value.result
    assert isinstance(caught.value, KeyboardInterrupt) and result.interrupted
    manifest = json.loads((tmp_path / "s1" / "train_manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "interrupted" and manifest["global_step"] == 3
    assert manifest["interrupted"] == {"signal": "SIGINT", "at_step": 3, "max_steps": 40, "checkpoint": None}
    assert manifest["device"] == "cpu (1 threads)"
    assert (tmp_path / "s1" / "adapter" / "adapter_model.safetensors").is_file()
    assert (tmp_path / "s1" / "loss_curve.png").is_file() and not (tmp_path / "s1" / "merged").exists()
    # a later stage does not silently build on a half-trained one
    stage2 = load_recipe(
        STAGE2,
        tiny_overrides(
            tiny_model_dir,
            build_dir / "MMed-IFT-MC",
            tmp_path / "s2",
            steps=2,
            extra=(f"stage.init_from={tmp_path / 's1'}", "stage.init_mode=adapter"),
        ),
        has_gpu=False,
    )
    with pytest.raises(StageInitError, match="interrupted at step 3/40"):
        load_for_stage(stage2)


def _wait_for(process: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    process.kill()
    raise AssertionError(f"no {needle!r} on stdout: {''.join(lines)[-2000:]}")


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_train_command_stopped_by_a_signal_saves_and_exits_130(
    build_dir: Path, tiny_model_dir: Path, tmp_path: Path, stop: signal.Signals
) -> None:
    out = tmp_path / "out"
    sets = tiny_overrides(
        tiny_model_dir, build_dir / "MMed-IFT", out, steps=100_000, extra=("training.save_steps=5000",)
    )
    command = [sys.executable, "-m", "mmed_ift", "train", str(STAGE1), "--no-progress"]
    command += [item for override in sets for item in ("--set", override)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=tmp_path, env=env)
        stdout = _wait_for(process, "stage1 step 1/100000  loss ", timeout=240)
        process.send_signal(stop)
        rest, _ = process.communicate(timeout=120)
    stderr_text = stderr_path.read_text()
    assert process.returncode == 130, (stdout, rest, stderr_text[-3000:])
    assert "Traceback" not in stderr_text
    last = stderr_text.strip().splitlines()[-1]
    assert last.startswith(f"{stop.name}: stage1 stopped at step ") and "(continue with --resume)" in last, last
    manifest = json.loads((out / "train_manifest.json").read_text(encoding="utf-8"))
    step = manifest["global_step"]
    assert manifest["status"] == "interrupted" and 1 <= step < 100_000
    assert manifest["interrupted"]["signal"] == stop.name and manifest["interrupted"]["at_step"] == step
    assert manifest["loss_history"][-1]["step"] == step  # the last step's loss was logged before stopping
    assert (out / "adapter" / "adapter_config.json").is_file() and (
        out / "adapter" / "adapter_model.safetensors"
    ).is_file()
    assert manifest["interrupted"]["checkpoint"] == str(out / f"checkpoint-{step}")
    assert (out / f"checkpoint-{step}").is_dir() and (out / "loss_curve.png").is_file()
    assert not (out / "merged").exists()


BLOCK_TRAIN_EXTRA = (
    "import runpy, sys\n"
    "for name in ('torch', 'transformers', 'trl', 'peft', 'accelerate'):\n"
    "    sys.modules[name] = None  # as if `pip install mmed-ift` without [train]\n"
    "sys.argv = [sys.argv[1], *sys.argv[2:]]\n"
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
)


@pytest.mark.parametrize(
    "argv", [["mmed_ift", "train"], ["mmed_ift.train"]], ids=["python -m mmed_ift train", "python -m mmed_ift.train"]
)
def test_train_without_the_extra_is_one_line_and_exit_2(argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_TRAIN_EXTRA, *argv, str(STAGE1)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert 'pip install "mmed-ift[train]"' in lines[0] and "torch" in lines[0]
    assert not (tmp_path / "outputs").exists()
