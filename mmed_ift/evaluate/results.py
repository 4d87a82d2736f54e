"""Per-item results, their aggregation per benchmark and language, and the markdown / json outputs.

Accuracies are reported with their item counts and Wilson 95 % intervals, because the slices are
very unequal (MMedBench has 199 Japanese items and 3,426 Chinese ones) and a difference inside
the intervals is not a difference.  Rows:

* one per (benchmark, language);
* ``<benchmark> / all`` when a benchmark has several languages;
* ``all / <language>``: every item of that language, pooled over benchmarks (micro average);
* ``all / all``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mmed_ift.evaluate.references import LABEL, ReferenceRow
from mmed_ift.evaluate.stats import wilson_interval

ALL = "all"


@dataclass
class ItemResult:
    """One evaluated item: enough to find it upstream and see why it was scored as it was."""

    benchmark: str
    lang: str
    source_id: str
    split: str
    location: str
    gold: list[str]
    pred: list[str] | None
    correct: bool
    prompt: str
    #: log-likelihood mode: summed log-probability per option key, and the normalised verdicts
    logprobs: dict[str, float] | None = None
    pred_norm: str | None = None
    correct_norm: bool | None = None
    pred_bytes: str | None = None
    correct_bytes: bool | None = None
    #: generation mode: the raw output the keys were extracted from
    output: str | None = None

    @property
    def multi_answer(self) -> bool:
        return len(self.gold) > 1

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "multi_answer": self.multi_answer}


@dataclass(frozen=True)
class Metric:
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        low, high = self.interval
        return {"correct": self.correct, "n": self.total, "accuracy": self.accuracy, "ci95": [low, high]}


@dataclass
class Row:
    benchmark: str
    lang: str
    n: int
    metrics: dict[str, Metric]
    unparsed: int | None = None
    multi_answer: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"benchmark": self.benchmark, "lang": self.lang, "n": self.n}
        out.update({name: metric.to_dict() for name, metric in self.metrics.items()})
        out["multi_answer_items"] = self.multi_answer
        if self.unparsed is not None:
            out["unparsed"] = self.unparsed
        return out


def _row(benchmark: str, lang: str, items: Sequence[ItemResult], method: str) -> Row:
    metrics = {"acc": Metric(sum(item.correct for item in items), len(items))}
    unparsed = None
    if method == "loglik":
        metrics["acc_norm"] = Metric(sum(bool(item.correct_norm) for item in items), len(items))
        metrics["acc_bytes"] = Metric(sum(bool(item.correct_bytes) for item in items), len(items))
    else:
        unparsed = sum(item.pred is None for item in items)
    multi = sum(item.multi_answer for item in items)
    return Row(benchmark, lang, len(items), metrics, unparsed, multi)


def aggregate(items: Sequence[ItemResult], method: str) -> list[Row]:
    """Rows per (benchmark, language), per benchmark, per language and overall."""
    rows: list[Row] = []
    benchmarks = list(dict.fromkeys(item.benchmark for item in items))
    for benchmark in benchmarks:
        mine = [item for item in items if item.benchmark == benchmark]
        languages = sorted({item.lang for item in mine})
        rows += [_row(benchmark, lang, [item for item in mine if item.lang == lang], method) for lang in languages]
        if len(languages) > 1:
            rows.append(_row(benchmark, ALL, mine, method))
    if len(benchmarks) > 1:
        for lang in sorted({item.lang for item in items}):
            rows.append(_row(ALL, lang, [item for item in items if item.lang == lang], method))
    if items and (len(benchmarks) > 1 or len(rows) > 1):
        rows.append(_row(ALL, ALL, items, method))
    return rows


@dataclass
class EvaluationReport:
    model: str
    method: str
    settings: dict[str, Any]
    rows: list[Row]
    items: list[ItemResult]
    references: list[ReferenceRow] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "method": self.method,
            "settings": self.settings,
            "sources": self.sources,
            "results": [row.to_dict() for row in self.rows],
            "references": [row.to_dict() for row in self.references],
            "timings": self.timings,
        }

    def markdown(self) -> str:
        return render_markdown(self)

    def write(self, out_dir: Path) -> dict[str, Path]:
        """results.json, results.md and predictions.jsonl under ``out_dir``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {
            "json": out_dir / "results.json",
            "markdown": out_dir / "results.md",
            "predictions": out_dir / "predictions.jsonl",
        }
        paths["json"].write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths["markdown"].write_text(self.markdown(), encoding="utf-8")
        with paths["predictions"].open("w", encoding="utf-8") as handle:
            for item in self.items:
                handle.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
        return paths


def _percent(metric: Metric) -> str:
    low, high = metric.interval
    return f"{100 * metric.accuracy:.1f} [{100 * low:.1f}, {100 * high:.1f}]"


def _table(header: Sequence[str], lines: Iterable[Sequence[str]], right: set[int]) -> list[str]:
    align = ["---:" if index in right else "---" for index in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return out


def render_markdown(report: EvaluationReport) -> str:
    metric_names = list(report.rows[0].metrics) if report.rows else ["acc"]
    header = ["benchmark", "lang", "n", *(f"{name} % [95% CI]" for name in metric_names)]
    if report.method == "generate":
        header.append("unparsed")
    lines = []
    for row in report.rows:
        line = [row.benchmark, row.lang, str(row.n), *(_percent(row.metrics[name]) for name in metric_names)]
        if row.unparsed is not None:
            line.append(str(row.unparsed))
        lines.append(line)
    settings = ", ".join(f"{key}={value}" for key, value in report.settings.items())
    out = [
        f"# Evaluation: {report.model}",
        "",
        f"Method: {report.method}. Settings: {settings}.",
        "",
        "Accuracy in %, with the Wilson 95 % confidence interval. `all` rows pool the items (micro average).",
        "",
        *_table(header, lines, set(range(2, len(header)))),
    ]
    if report.method == "loglik":
        out += [
            "",
            "Multi-answer items count as correct in log-likelihood mode when the top option is one of the"
            " correct ones (lm-evaluation-harness `multiple_target`); generation needs the exact set.",
        ]
    if report.references:
        out += ["", f"## Reference figures ({LABEL})", ""]
        ref_lines = [
            [ref.benchmark, ref.lang, ref.model, f"{ref.accuracy:.2f}", f"{ref.note}; {ref.source}"]
            for ref in report.references
        ]
        out += _table(["benchmark", "lang", "model", "accuracy %", "source"], ref_lines, {3})
    if report.sources:
        out += ["", "## Data", ""]
        out += [f"- {name}: {where}" for name, where in report.sources.items()]
    return "\n".join(out) + "\n"
