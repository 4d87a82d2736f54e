"""``python -m mmed_ift contamination --out DIR``: audit a finished build against the benchmarks.

The build's own decontamination step removes what it finds, but a build folder can outlive the
code that made it, be built with ``--no-decontam``, or meet a benchmark added later.  The audit
reads every published row (the user and assistant turns of ``MMed-IFT`` and ``MMed-IFT-MC``),
checks it against the held-out items of the sources (``--sources`` or the bundled samples) with
the same index the filter uses, and records the result in ``build_report.json``
(``contamination_found``, ``contamination_audit``), which ``publish`` refuses to push when true.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from mmed_ift.errors import MMedIFTError
from mmed_ift.filters.decontam import BenchmarkIndex, DecontamConfig
from mmed_ift.hub.layout import DATASET_FOLDERS
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.sources import locate_sources, read_sources

AUDIT_FILE = "contamination_report.json"


@dataclass
class AuditResult:
    rows_checked: int = 0
    benchmarks: dict[str, int] = field(default_factory=dict)
    contaminated: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, str]] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return sum(self.contaminated.values()) > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_checked": self.rows_checked,
            "contaminated_rows": sum(self.contaminated.values()),
            "benchmarks": {
                name: {"items": size, "contaminated_rows": self.contaminated[name]}
                for name, size in sorted(self.benchmarks.items())
            },
            "examples": self.examples,
        }

    def table(self) -> str:
        lines = [f"{'benchmark':<28}{'items':>8}{'contaminated rows':>19}"]
        for name, size in sorted(self.benchmarks.items()):
            lines.append(f"{name:<28}{size:>8}{self.contaminated[name]:>19}")
        lines.append(f"rows checked: {self.rows_checked}; contaminated: {sum(self.contaminated.values())}")
        return "\n".join(lines)


def read_rows(out_dir: Path) -> list[dict[str, Any]]:
    """Every published row of the build folder (both datasets, all languages and splits)."""
    rows: list[dict[str, Any]] = []
    for folder in DATASET_FOLDERS.values():
        for path in sorted((out_dir / folder / "data").glob("*/*.parquet")):
            rows.extend(pq.read_table(path, columns=["id", "lang", "messages", "provenance"]).to_pylist())
    return rows


def row_text(row: dict[str, Any]) -> str:
    return "\n".join(message["content"] for message in row["messages"] if message["role"] != "system")


def audit(out_dir: Path, sources_dir: Path | None = None, config: DecontamConfig | None = None) -> AuditResult:
    report_path = out_dir / "build_report.json"
    if not report_path.is_file():
        raise MMedIFTError(f"{out_dir} is not a build folder: no build_report.json (run `mmed_ift build` first)")
    rows = read_rows(out_dir)
    languages = tuple(sorted({str(row["lang"]) for row in rows}))
    result = AuditResult(rows_checked=len(rows))
    if not rows:
        return result
    build_config = BuildConfig(languages=languages, sources_dir=sources_dir, progress=False)
    scratch = BuildReport()
    held_out = read_sources(build_config, locate_sources(build_config, scratch), scratch).held_out
    index = BenchmarkIndex(held_out, config)
    result.benchmarks = dict(index.sizes)
    hits = index.check([row_text(row) for row in rows], [str(row["lang"]) for row in rows])
    for row, hit in zip(rows, hits, strict=True):
        if hit is None:
            continue
        result.contaminated[hit.benchmark] += 1
        if len(result.examples) < 50:
            result.examples.append(
                {"row": str(row["id"]), "benchmark": hit.benchmark, "benchmark_id": hit.benchmark_id, "how": hit.how}
            )
    return result


def record(out_dir: Path, result: AuditResult) -> None:
    """Write the audit file and mark the build report so that ``publish`` sees the verdict.

    Both files are written atomically (a temporary file renamed over the old one), so a crash
    never leaves a half-written report that ``publish`` would misread.
    """
    write_atomically(out_dir / AUDIT_FILE, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    report_path = out_dir / "build_report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["contamination_found"] = result.found
    report["contamination_audit"] = {key: value for key, value in result.to_dict().items() if key != "examples"}
    write_atomically(report_path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
