"""Our log-likelihood scores equal lm-evaluation-harness's on the same model and items.

The harness runs its own ``medqa_4options`` task definition (its YAML and ``preprocess_medqa.py``
copied from the installed package), re-pointed at a local jsonl holding the real MedQA US test
sample converted to the Hub layout that task reads (``sent1``, ``ending0-3``, ``label``).  We
read the original upstream file through the MedQA adapter.  Both sides must give the same
per-option log-likelihoods and the same acc / acc_norm.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.evaluate.runner import EvalConfig, evaluate
from tests.evaluate.conftest import MEDQA_US

pytestmark = pytest.mark.slow
#: items per run: all 30 of the real sample for the tiny model, 5 for SmolLM2 (CPU time)
LIMIT = 30
SMOLLM2_LIMIT = 5


def _harness_task(folder: Path, limit: int) -> str:
    """Copy the harness's medqa task next to a local data file; return the task name."""
    import lm_eval

    task_dir = Path(lm_eval.__file__).parent / "tasks" / "medqa"
    shutil.copy(task_dir / "preprocess_medqa.py", folder / "preprocess_medqa.py")
    rows = []
    for line in (MEDQA_US / "phrases_no_exclude_test.jsonl").read_text(encoding="utf-8").splitlines()[:limit]:
        record = json.loads(line)
        options = record["options"]
        rows.append(
            {
                "sent1": record["question"],
                **{f"ending{index}": options[key] for index, key in enumerate("ABCD")},
                "label": "ABCD".index(record["answer_idx"]),
            }
        )
    data = folder / "medqa_local.jsonl"
    data.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    yaml = (task_dir / "medqa.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("task: medqa_4options", "task: medqa_local")
    files = f"{{train: {data}, validation: {data}, test: {data}}}"
    yaml = yaml.replace(
        "dataset_path: GBaker/MedQA-USMLE-4-options-hf", f"dataset_path: json\ndataset_kwargs:\n  data_files: {files}"
    )
    assert "dataset_path: json" in yaml and "doc_to_text: !function preprocess_medqa.doc_to_text" in yaml
    (folder / "medqa_local.yaml").write_text(yaml, encoding="utf-8")
    return "medqa_local"


def _run_harness(model_dir: Path, tmp_path: Path, limit: int) -> dict[str, Any]:
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    task = _harness_task(tmp_path, limit)
    out: dict[str, Any] = simple_evaluate(  # type: ignore[assignment]
        model="hf",
        model_args=f"pretrained={model_dir},dtype=float32",
        tasks=[task],
        task_manager=TaskManager(include_path=str(tmp_path)),
        batch_size=8,
        device="cpu",
        log_samples=True,
    )
    return out


def _ours(model_dir: Path, limit: int, model: Any = None, tokenizer: Any = None) -> Any:
    config = EvalConfig(model=str(model_dir), benchmarks=(("medqa", str(MEDQA_US)),), limit=limit, batch_size=8)
    return evaluate(config, model=model, tokenizer=tokenizer)


def _compare(harness: dict[str, Any], ours: Any, limit: int) -> None:
    metrics = harness["results"]["medqa_local"]
    samples = sorted(harness["samples"]["medqa_local"], key=lambda sample: sample["doc_id"])
    assert len(samples) == len(ours.items) == limit
    for sample, item in zip(samples, ours.items, strict=True):
        theirs = [float(resp[0][0]) for resp in sample["resps"]]
        mine = [item.logprobs[key] for key in "ABCD"]
        assert mine == pytest.approx(theirs, abs=2e-3), item.source_id
        assert item.correct == bool(sample["acc"]) and item.correct_norm == bool(sample["acc_norm"])
    row = ours.rows[0]
    assert row.metrics["acc"].accuracy == pytest.approx(metrics["acc,none"])
    assert row.metrics["acc_norm"].accuracy == pytest.approx(metrics["acc_norm,none"])


def test_tiny_model_matches_harness(tiny_dir: Path, tmp_path: Path) -> None:
    _compare(_run_harness(tiny_dir, tmp_path, LIMIT), _ours(tiny_dir, LIMIT), LIMIT)


def test_smollm2_matches_harness(smollm2: tuple[Any, Any], tmp_path: Path) -> None:
    from mmed_ift.pretrained import smollm2_plain_dir

    model, tokenizer = smollm2
    harness = _run_harness(smollm2_plain_dir(), tmp_path, SMOLLM2_LIMIT)
    ours = _ours(smollm2_plain_dir(), SMOLLM2_LIMIT, model, tokenizer)
    _compare(harness, ours, SMOLLM2_LIMIT)
    # a real model is not at chance on every item: its scores differ between options
    assert any(len({round(v, 3) for v in item.logprobs.values()}) > 1 for item in ours.items)
