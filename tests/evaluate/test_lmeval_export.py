"""``evaluate --export-lm-eval DIR``: lm-evaluation-harness runs the exported tasks over the bundled
benchmark items and gets the same accuracies as our evaluator on the same items and model.

The harness is the installed ``lm_eval`` (its Python API, as ``lm_eval --include_path DIR --tasks
mmed_ift_ja`` calls it), with its ``hf`` model on the tiny real Llama of ``conftest.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.errors import MMedIFTError
from mmed_ift.evaluate.benchmarks import load_benchmark
from mmed_ift.evaluate.catalog import BENCHMARKS
from mmed_ift.evaluate.lmeval_export import export_lm_eval, task_name
from mmed_ift.evaluate.runner import EvalConfig, evaluate
from mmed_ift.languages import LANGUAGE_CODES
from tests.evaluate.conftest import run_evaluate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lmeval") / "tasks"
    assert run_evaluate(["--export-lm-eval", str(out)]) == 0
    return out


def test_every_benchmark_has_bundled_items_and_japanese_is_among_them() -> None:
    per_benchmark = {name: Counter(item.lang for item in load_benchmark(name).items) for name in BENCHMARKS}
    assert all(sum(langs.values()) >= 3 for langs in per_benchmark.values()), per_benchmark
    assert per_benchmark["igakuqa"]["ja"] >= 3 and per_benchmark["mmedbench"]["ja"] >= 3
    assert {lang for langs in per_benchmark.values() for lang in langs} == set(LANGUAGE_CODES)


def test_export_writes_one_task_per_benchmark_and_language_and_one_group_per_language(exported: Path) -> None:
    groups = {path.stem: path.read_text(encoding="utf-8") for path in (exported / "groups").glob("*.yaml")}
    assert sorted(groups) == sorted(f"mmed_ift_{lang}" for lang in LANGUAGE_CODES)
    assert '  - "mmed_ift_igakuqa_ja"' in groups["mmed_ift_ja"] and '"mmed_ift_mmedbench_ja"' in groups["mmed_ift_ja"]
    task = (exported / "tasks" / "mmed_ift_igakuqa_ja.yaml").read_text(encoding="utf-8")
    for line in ("dataset_path: json", "output_type: multiple_choice", "doc_to_choice: choices", "test_split: test"):
        assert line in task
    data = exported / "data" / "igakuqa" / "ja.jsonl"
    assert f'test: "{data}"' in task
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["116A1", "116A2", "116A3", "116A4"]
    assert rows[3]["gold"] == [1, 3] and rows[3]["choices"] == ["A", "B", "C", "D", "E"]
    assert rows[0]["prompt"].startswith("Question: 32歳の女性。") and rows[0]["prompt"].endswith("\nAnswer:")


def test_export_options_change_the_tasks(tmp_path: Path) -> None:
    only = export_lm_eval(tmp_path / "ja", [("igakuqa", None), ("mmedbench", None)], languages=("ja",), limit=2)
    assert only.groups == {"mmed_ift_ja": {"mmed_ift_igakuqa_ja": 2, "mmed_ift_mmedbench_ja": 2}}
    assert "lm_eval --model hf" in only.summary() and "--tasks mmed_ift_ja" in only.summary()
    # a second export into the same folder leaves no task of the first behind
    export_lm_eval(tmp_path / "ja", [("medqa", None)])
    assert [path.name for path in (tmp_path / "ja" / "tasks").glob("*.yaml")] == ["mmed_ift_medqa_en.yaml"]
    with pytest.raises(MMedIFTError, match="no benchmark item to export"):
        export_lm_eval(tmp_path / "none", [("igakuqa", None)], languages=("zh",))


def test_model_is_required_without_export() -> None:
    with pytest.raises(MMedIFTError, match="--model is required"):
        run_evaluate(["--benchmarks", "medqa"])


def _harness(model_dir: Path, include: Path, groups: list[str]) -> dict[str, Any]:
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    out: dict[str, Any] = simple_evaluate(  # type: ignore[assignment]
        model="hf",
        model_args=f"pretrained={model_dir},dtype=float32",
        tasks=groups,
        task_manager=TaskManager(include_path=str(include)),
        batch_size=8,
        device="cpu",
        log_samples=True,
    )
    return out


#: Japanese (IgakuQA, MMedBench, multi-answer items) and French (FrenchMedMCQA's multi-answer items,
#: MedExpQA, XMedBench, MMedBench): six tasks, enough to cover every kind of row; lm-eval's per-task overhead
#: makes all six groups cost over a minute on two cores
COMPARED = ("ja", "fr")


def test_lm_eval_gets_the_same_accuracy_as_our_evaluator(tiny_dir: Path, exported: Path) -> None:
    harness = _harness(tiny_dir, exported, [f"mmed_ift_{lang}" for lang in COMPARED])
    benchmarks = tuple((name, None) for name in BENCHMARKS)
    ours = evaluate(EvalConfig(model=str(tiny_dir), benchmarks=benchmarks, languages=COMPARED))
    rows = {(row.benchmark, row.lang): row for row in ours.rows}
    compared = 0
    for (benchmark, lang), row in rows.items():
        if benchmark == "all" or lang == "all":
            continue
        name = task_name(benchmark, lang)
        metrics = harness["results"][name]
        assert row.metrics["acc"].accuracy == pytest.approx(metrics["acc,none"]), name
        assert row.metrics["acc_norm"].accuracy == pytest.approx(metrics["acc_norm,none"]), name
        # item by item: the same items in the same order, the same log-likelihoods and verdicts
        samples = sorted(harness["samples"][name], key=lambda sample: sample["doc_id"])
        items = [item for item in ours.items if (item.benchmark, item.lang) == (benchmark, lang)]
        assert [sample["doc"]["id"] for sample in samples] == [item.source_id for item in items]
        for sample, item in zip(samples, items, strict=True):
            assert item.logprobs is not None
            theirs = [float(response[0][0]) for response in sample["resps"]]
            assert list(item.logprobs.values()) == pytest.approx(theirs, abs=2e-3), item.source_id
            assert (item.correct, item.correct_norm) == (bool(sample["acc"]), bool(sample["acc_norm"]))
        compared += 1
    assert compared == len(harness["results"]) - len(COMPARED) == 6  # every task, not only the groups
    for lang in COMPARED:  # a group pools its tasks' items, as our "all / <lang>" row does
        group = harness["results"][f"mmed_ift_{lang}"]
        assert rows[("all", lang)].metrics["acc"].accuracy == pytest.approx(group["acc,none"])


def test_japanese_evaluates_from_the_command_line(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval"
    assert run_evaluate(["--model", str(tiny_dir), "--lang", "ja", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    slices = {(row["benchmark"], row["lang"]): row["n"] for row in results["results"]}
    assert slices[("igakuqa", "ja")] == 4 and slices[("mmedbench", "ja")] == 3
    assert {lang for _, lang in slices} - {"all"} == {"ja"}  # no other language was evaluated
