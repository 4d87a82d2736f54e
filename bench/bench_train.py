"""Cost of the ``train`` wrapper against a plain TRL ``SFTTrainer`` script, same data and settings.

    python bench/bench_train.py [--steps 20] [--repeats 2] [--langs en ja]

Builds MMed-IFT for the languages from the bundled samples, then runs one stage of the small
recipe (SmolLM2-135M-Instruct, LoRA, assistant-only loss) both ways, each in a fresh process so
peak RSS is its own, alternating ours/plain ``--repeats`` times to spread machine noise evenly:

* ``ours``: ``load_recipe(recipes/smollm2-135m/stage1_mmed_ift.yaml) + train_stage`` (no merge);
* ``plain``: the script a user would write with TRL and PEFT directly: ``load_dataset`` per
  language, ``concatenate_datasets(...).shuffle(seed)`` (first ``max_samples`` rows),
  ``torch.set_num_threads(stage.cpu_threads)``, ``SFTConfig``/``LoraConfig`` with the recipe's
  values read from its YAML, ``SFTTrainer(...).train()`` and ``save_model``.

Reported per run: non-padding tokens per second of ``trainer.train()`` (TRL's own token count),
wall time of the whole run including model and data loading, and peak RSS.  The wrapper must cost
under 5% of tokens/s.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "recipes" / "smollm2-135m" / "stage1_mmed_ift.yaml"


def common_overrides(dataset: Path, output_dir: Path, langs: list[str], steps: int) -> list[str]:
    return [
        f"data.dataset={dataset}",
        f"data.languages=[{', '.join(langs)}]",
        "data.mixing={}",
        f"training.output_dir={output_dir}",
        f"training.max_steps={steps}",
        "training.save_strategy=no",
        "training.logging_steps=1000",
        "training.logging_first_step=false",
        "training.include_num_input_tokens_seen=non_padding",
        "stage.save_merged=false",
    ]


def run_ours(dataset: Path, output_dir: Path, langs: list[str], steps: int) -> dict[str, Any]:
    from mmed_ift.train import load_recipe, train_stage

    recipe = load_recipe(RECIPE, common_overrides(dataset, output_dir, langs, steps))
    result = train_stage(recipe, progress=False)
    return {"tokens": result.manifest["tokens_seen"], "train_s": result.manifest["metrics"]["train_runtime"]}


def run_plain(dataset: Path, output_dir: Path, langs: list[str], steps: int) -> dict[str, Any]:
    """What one writes with TRL directly: the recipe's values passed to TRL and PEFT by hand."""
    import torch
    import yaml
    from datasets import concatenate_datasets, load_dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from mmed_ift.pretrained import smollm2_plain_dir, with_generation_markers

    recipe = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))
    if recipe["stage"].get("cpu_threads"):
        torch.set_num_threads(recipe["stage"]["cpu_threads"])
    parts = [load_dataset(str(dataset), lang, split="train").select_columns(["messages"]) for lang in langs]
    data = concatenate_datasets(parts).shuffle(seed=recipe["data"]["seed"])
    if recipe["data"].get("max_samples"):
        data = data.select(range(min(recipe["data"]["max_samples"], len(data))))
    folder = smollm2_plain_dir()
    tokenizer = with_generation_markers(AutoTokenizer.from_pretrained(folder))
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    training = {
        **recipe["training"],
        "output_dir": str(output_dir),
        "max_steps": steps,
        "logging_steps": 1000,
        "logging_first_step": False,
        "save_strategy": "no",
        # the CPU rules the recipe loader applies
        "bf16": False,
        "fp16": False,
        "gradient_checkpointing": False,
        "activation_checkpointing": False,
        "use_cpu": True,
        "report_to": "none",
        "include_num_input_tokens_seen": "non_padding",
        "disable_tqdm": True,
    }
    training = {key: value for key, value in training.items() if key not in ("save_steps", "save_total_limit")}
    args = SFTConfig(**training)
    lora = LoraConfig(task_type="CAUSAL_LM", **recipe["lora"])
    trainer = SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer, peft_config=lora)
    output = trainer.train()
    trainer.save_model(str(output_dir / "adapter"))
    return {"tokens": int(trainer.state.num_input_tokens_seen), "train_s": output.metrics["train_runtime"]}


def child(mode: str, dataset: Path, output_dir: Path, langs: list[str], steps: int) -> None:
    start = time.perf_counter()
    numbers = (run_ours if mode == "ours" else run_plain)(dataset, output_dir, langs, steps)
    numbers["wall_s"] = time.perf_counter() - start
    numbers["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(numbers))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--langs", nargs="+", default=["en", "ja"])
    parser.add_argument("--child", choices=["ours", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--dataset", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.dataset, args.output_dir, args.langs, args.steps)
        return 0

    from mmed_ift.cli import main as mmed_ift_cli
    from mmed_ift.pretrained import smollm2_plain_dir

    smollm2_plain_dir()  # convert the GGUF once, outside the timings
    work = Path(tempfile.mkdtemp(prefix="bench_train_"))
    build = ["build", "--out", str(work / "out"), "--no-progress"] + [
        x for lang in args.langs for x in ("--lang", lang)
    ]
    assert mmed_ift_cli(build) == 0
    results: dict[str, list[dict[str, Any]]] = {"ours": [], "plain": []}
    for repeat in range(args.repeats):
        for mode in ("ours", "plain") if repeat % 2 == 0 else ("plain", "ours"):
            command = [
                sys.executable,
                __file__,
                "--child",
                mode,
                "--dataset",
                str(work / "out" / "MMed-IFT"),
                "--output-dir",
                str(work / f"{mode}-{repeat}"),
                "--steps",
                str(args.steps),
                "--langs",
                *args.langs,
            ]
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if done.returncode != 0 or line is None:
                print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
                return 1
            numbers = json.loads(line.removeprefix("RESULT "))
            numbers["tokens_per_s"] = numbers["tokens"] / numbers["train_s"]
            results[mode].append(numbers)
            print(
                f"{mode:5s} run {repeat}: {numbers['tokens']} tokens, {numbers['tokens_per_s']:.1f} tok/s,"
                f" train {numbers['train_s']:.1f} s, wall {numbers['wall_s']:.1f} s,"
                f" peak RSS {numbers['peak_rss_mb']:.0f} MB"
            )
    langs = " ".join(args.langs)
    print(f"\nSmolLM2-135M LoRA (the small recipe), {args.steps} steps, langs {langs}; medians of {args.repeats}")
    print("| run | tokens | tokens/s | train s | wall s | peak RSS MB |\n|---|---:|---:|---:|---:|---:|")
    median = {
        mode: {key: statistics.median(run[key] for run in runs) for key in runs[0]} for mode, runs in results.items()
    }
    for mode in ("ours", "plain"):
        row = median[mode]
        print(
            f"| {mode} | {row['tokens']:.0f} | {row['tokens_per_s']:.1f} | {row['train_s']:.1f} | {row['wall_s']:.1f} |"
            f" {row['peak_rss_mb']:.0f} |"
        )
    slow = 1 - median["ours"]["tokens_per_s"] / median["plain"]["tokens_per_s"]
    memory = median["ours"]["peak_rss_mb"] / median["plain"]["peak_rss_mb"] - 1
    print(f"\nwrapper cost: tokens/s {slow:+.1%}, peak RSS {memory:+.1%} (must be under 5%)")
    same_tokens = median["ours"]["tokens"] == median["plain"]["tokens"]
    print(f"same tokens trained: {same_tokens}")
    return 0 if slow < 0.05 and same_tokens else 1


if __name__ == "__main__":
    sys.exit(main())
