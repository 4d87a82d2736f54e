"""The benchmarks as lm-evaluation-harness tasks: ``evaluate --export-lm-eval DIR``.

For every benchmark and language with items, the export writes the items (read through the same
adapters and selection as :func:`mmed_ift.evaluate.benchmarks.load_benchmark`) to
``DIR/data/<benchmark>/<lang>.jsonl`` and a task ``mmed_ift_<benchmark>_<lang>`` over that file;
one group per language, ``mmed_ift_<lang>``, gathers that language's tasks.  Then

    lm_eval --model hf --model_args pretrained=... --include_path DIR --tasks mmed_ift_ja

runs them.  Each row carries the prompt exactly as our ``lmeval`` prompt style writes it
(:func:`mmed_ift.evaluate.prompts.lmeval_question`), the option letters as choices (scored after a
space, ``" A"``) and the indices of the correct letters as a list: lm-eval's *multiple target*
rule (a prediction is right when it is one of the correct options) is the rule our scorer applies
to multi-answer items, and for single-answer items it is plain accuracy.  So the harness and
``evaluate --method loglik`` (zero-shot, letter continuations, no chat template) score the same
requests and report the same acc / acc_norm.

The data files are named by absolute path in the YAMLs (``datasets`` resolves ``data_files``
against the working directory, not the YAML): export again after moving ``DIR``.  The tasks are
zero-shot; ``evaluate --shots`` draws shots from the benchmark's other splits.  YAML is written by
hand (every scalar JSON-quoted, which YAML reads as a double-quoted string), so the export needs
no YAML library.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mmed_ift.evaluate.benchmarks import LoadedBenchmark, load_benchmark, restrict
from mmed_ift.evaluate.catalog import BENCHMARKS
from mmed_ift.evaluate.errors import EvaluationError
from mmed_ift.evaluate.prompts import TARGET_DELIMITER, lmeval_question
from mmed_ift.schemas import MCQuestion

PREFIX = "mmed_ift"
METRICS = ("acc", "acc_norm")
#: bumped when the rows or the task definition change (lm-eval records it with each result)
TASK_VERSION = 1


def task_name(benchmark: str, lang: str) -> str:
    return f"{PREFIX}_{benchmark}_{lang}"


def group_name(lang: str) -> str:
    return f"{PREFIX}_{lang}"


@dataclass
class LmEvalExport:
    """What an export wrote: tasks per language group, and the files."""

    out_dir: Path
    #: group name -> {task name: items}
    groups: dict[str, dict[str, int]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"wrote {len(self.files)} files to {self.out_dir}:"]
        for group, tasks in sorted(self.groups.items()):
            shown = ", ".join(f"{task} ({count})" for task, count in sorted(tasks.items()))
            lines.append(f"  {group}: {shown}")
        first = min(self.groups) if self.groups else f"{PREFIX}_en"
        lines.append(
            f"run: lm_eval --model hf --model_args pretrained=MODEL --include_path {self.out_dir} --tasks {first}"
        )
        return "\n".join(lines)


def task_row(item: MCQuestion) -> dict[str, object]:
    """One item as the harness reads it: prompt, letters as choices, correct indices, and provenance."""
    keys = list(item.options)
    return {
        "id": item.source_id,
        "source": item.source,
        "split": item.split,
        "lang": item.lang,
        "prompt": lmeval_question(item),
        "choices": keys,
        "gold": [keys.index(key) for key in item.answer],
        "options": [item.options[key] for key in keys],
    }


def _scalar(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _metric_lines() -> list[str]:
    lines = ["metric_list:"]
    for metric in METRICS:
        lines += [f"  - metric: {metric}", "    aggregation: mean", "    higher_is_better: true"]
    return lines


def task_yaml(name: str, data_file: Path) -> str:
    lines = [
        f"task: {_scalar(name)}",
        "dataset_path: json",
        "dataset_kwargs:",
        "  data_files:",
        f"    test: {_scalar(str(data_file.resolve()))}",
        "test_split: test",
        "output_type: multiple_choice",
        "doc_to_text: prompt",
        "doc_to_choice: choices",
        "doc_to_target: gold",
        f"target_delimiter: {_scalar(TARGET_DELIMITER)}",
        *_metric_lines(),
        "metadata:",
        f"  version: {TASK_VERSION}",
    ]
    return "\n".join(lines) + "\n"


def group_yaml(name: str, tasks: Sequence[str]) -> str:
    """A group whose acc / acc_norm pool every item of its tasks (as our ``all / <lang>`` row does)."""
    lines = [f"group: {_scalar(name)}", "task:", *(f"  - {_scalar(task)}" for task in tasks)]
    lines.append("aggregate_metric_list:")
    for metric in METRICS:
        lines += [f"  - metric: {metric}", "    aggregation: mean", "    weight_by_size: true"]
    lines += ["metadata:", f"  version: {TASK_VERSION}"]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str, export: LmEvalExport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    export.files.append(path)


def export_loaded(loaded: Iterable[LoadedBenchmark], out_dir: Path) -> LmEvalExport:
    """Write data files, task and group YAMLs for benchmarks already read."""
    export = LmEvalExport(out_dir.resolve())
    per_group: dict[str, dict[str, int]] = defaultdict(dict)
    for bench in loaded:
        by_lang: dict[str, list[MCQuestion]] = defaultdict(list)
        for item in bench.items:
            by_lang[item.lang].append(item)
        for lang, items in sorted(by_lang.items()):
            name = task_name(bench.benchmark.name, lang)
            data = export.out_dir / "data" / bench.benchmark.name / f"{lang}.jsonl"
            rows = "".join(json.dumps(task_row(item), ensure_ascii=False) + "\n" for item in items)
            _write(data, rows, export)
            _write(export.out_dir / "tasks" / f"{name}.yaml", task_yaml(name, data), export)
            per_group[group_name(lang)][name] = len(items)
    if not per_group:
        raise EvaluationError("no benchmark item to export for the languages asked; point --data at the downloads")
    for group, tasks in sorted(per_group.items()):
        _write(export.out_dir / "groups" / f"{group}.yaml", group_yaml(group, sorted(tasks)), export)
    export.groups = {group: dict(sorted(tasks.items())) for group, tasks in sorted(per_group.items())}
    return export


def export_lm_eval(
    out_dir: Path,
    benchmarks: Sequence[tuple[str, str | None]] | None = None,
    *,
    data_dir: Path | None = None,
    languages: Sequence[str] = (),
    limit: int | None = None,
) -> LmEvalExport:
    """Read the benchmarks (default: all, from ``data_dir`` or the bundled samples) and export them.

    As for ``evaluate``, a benchmark whose files are missing is an error naming the folder; one
    with no item in the languages asked is left out.
    """
    entries = list(benchmarks) if benchmarks is not None else [(name, None) for name in BENCHMARKS]
    loaded = [restrict(load_benchmark(name, location, data_dir), languages, limit) for name, location in entries]
    if out_dir.exists() and not out_dir.is_dir():
        raise EvaluationError(f"--export-lm-eval {out_dir} is a file, not a folder")
    for stale in ("data", "tasks", "groups"):
        # files of an earlier export would be picked up by --include_path as tasks of their own
        for path in sorted((out_dir / stale).rglob("*")) if (out_dir / stale).is_dir() else []:
            if path.is_file() and path.suffix in (".yaml", ".jsonl"):
                path.unlink()
    return export_loaded(loaded, out_dir)
