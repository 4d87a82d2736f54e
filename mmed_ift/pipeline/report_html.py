"""``report.html``: the build report as a page to look at, written beside ``build_report.json``.

What is in the dataset (rows per language, task and source), what was thrown away (rejects per
step and reason), how long prompts and targets are, and where the time went.  The page is one
self-contained file - inline CSS and SVG (:mod:`mmed_ift.pipeline.report_svg`), no script, nothing
fetched - so it opens offline, in a mail attachment or a CI artefact viewer.

Composition and lengths are read back from the parquet shards just written, so the page shows
what was built rather than what the engine meant to build, and both engines give the same page.
Everything except the section between the ``VOLATILE`` markers (timings, the output path) is a
pure function of the build's output: two builds of the same input give the same bytes there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mmed_ift import __version__
from mmed_ift.hub.layout import DATASET_FOLDERS
from mmed_ift.pipeline.memory import release_free_memory
from mmed_ift.pipeline.report_svg import Quantiles, quantile_boxes, stacked_bars

REPORT_HTML = "report.html"
VOLATILE_START = "<!-- volatile: differs between runs of the same build -->"
VOLATILE_END = "<!-- /volatile -->"

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:800px;color:#222}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ddd}h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.note{color:#666}
svg.chart{display:block;margin:.3em 0 1em;font-size:12px}svg .label{text-anchor:end}
svg .tick{text-anchor:middle;fill:#666}svg .grid{stroke:#e3e3e3}svg .whisker{stroke:#444}
svg .median{stroke:#000;stroke-width:2}svg .extreme{fill:#444}
"""


class ShardSummary:
    """Rows, composition and lengths of every written dataset, read from its parquet shards."""

    def __init__(self) -> None:
        #: dataset folder -> lang -> task -> rows
        self.tasks: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        #: dataset folder -> source -> lang -> rows
        self.sources: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        #: (dataset folder, lang) -> "prompt" / "target" -> characters per row
        self.lengths: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: {"prompt": [], "target": []})

    def add(self, dataset: str, row: Mapping[str, Any]) -> None:
        lang = str(row["lang"])
        self.tasks[dataset][lang][str(row["task"])] += 1
        self.sources[dataset][str(row["provenance"]["source"])][lang] += 1
        messages = row["messages"]
        lengths = self.lengths[(dataset, lang)]
        lengths["prompt"].append(sum(len(m["content"]) for m in messages if m["role"] != "assistant"))
        lengths["target"].append(sum(len(m["content"]) for m in messages if m["role"] == "assistant"))

    @classmethod
    def read(cls, out_dir: Path) -> ShardSummary:
        summary = cls()
        for folder in DATASET_FOLDERS.values():
            for shard in sorted((out_dir / folder).glob("data/*/*.parquet")):
                # ParquetFile.read: the one file as it is (read_table's dataset layer costs more)
                columns = ["lang", "task", "messages", "provenance"]
                summary.add_table(folder, pq.ParquetFile(shard).read(columns=columns))
                # a shard's messages (~100 MiB decoded for 50k rows: one row group, which a
                # batched read decodes whole as well) go back before the next shard's, not after
                # all of them: the build's peak of memory was here (+67 MiB over the writer's)
                release_free_memory()
        return summary

    def add_table(self, dataset: str, table: pa.Table) -> None:
        """What :meth:`add` does for each row of ``table``, in row order, with the lengths summed
        by Arrow: turning every row into Python dicts cost ~13 us a row (2.6 CPU s at 200k
        records, at the end of every build).  ``tests/test_report_html.py`` checks the equality."""
        langs = table.column("lang").to_pylist()
        tasks = table.column("task").to_pylist()
        sources = pc.struct_field(table.column("provenance").combine_chunks(), "source").to_pylist()
        messages = table.column("messages").combine_chunks()
        turns = pc.list_flatten(messages)
        chars = pc.fill_null(pc.utf8_length(pc.struct_field(turns, "content")), 0).to_numpy(zero_copy_only=False)
        answers = pc.fill_null(pc.equal(pc.struct_field(turns, "role"), "assistant"), False).to_numpy(
            zero_copy_only=False
        )
        owner = pc.list_parent_indices(messages).to_numpy(zero_copy_only=False)
        rows = len(langs)
        target = np.bincount(owner, weights=np.where(answers, chars, 0), minlength=rows).astype(np.int64)
        prompt = np.bincount(owner, weights=np.where(answers, 0, chars), minlength=rows).astype(np.int64)
        for (lang, task), count in Counter(zip(langs, tasks, strict=True)).items():
            self.tasks[dataset][str(lang)][str(task)] += count
        for (lang, source), count in Counter(zip(langs, sources, strict=True)).items():
            self.sources[dataset][str(source)][str(lang)] += count
        by_lang = np.array(langs, dtype=object)
        for lang in dict.fromkeys(langs):
            lengths = self.lengths[(dataset, str(lang))]
            chosen = by_lang == lang if len(set(langs)) > 1 else slice(None)
            lengths["prompt"].extend(prompt[chosen].tolist())
            lengths["target"].extend(target[chosen].tolist())


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(str(cell))}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(f'{c:,}' if isinstance(c, int) else str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _composition(summary: ShardSummary) -> str:
    parts = ['<h2 id="composition">Composition</h2>']
    if not summary.tasks:
        return parts[0] + '<p class="note">No rows were written.</p>'
    for dataset in DATASET_FOLDERS.values():
        per_lang = summary.tasks.get(dataset)
        if not per_lang:
            continue
        tasks = sorted({task for counts in per_lang.values() for task in counts})
        langs = sorted(per_lang)
        parts.append(f"<h3>{escape(dataset)}: rows per language and task</h3>")
        parts.append(stacked_bars([(lang, per_lang[lang]) for lang in langs], tasks, f"{dataset} rows by task"))
        parts.append(
            _table(
                ["language", *tasks, "total"],
                ([lang, *(per_lang[lang][t] for t in tasks), sum(per_lang[lang].values())] for lang in langs),
            )
        )
        per_source = summary.sources[dataset]
        parts.append(f"<h3>{escape(dataset)}: rows per source and language</h3>")
        parts.append(stacked_bars([(s, per_source[s]) for s in sorted(per_source)], langs, f"{dataset} rows by source"))
    return "".join(parts)


def reject_counts(report: Mapping[str, Any]) -> Counter[tuple[str, str]]:
    """``(step, reason) -> records``: every source's rejects (``step:reason``) and the generator's."""
    counts: Counter[tuple[str, str]] = Counter()
    for info in report.get("sources", {}).values():
        for key, count in info.get("rejected_by_reason", {}).items():
            step, _, reason = key.partition(":")
            counts[(step, reason)] += count
    for reason, count in report.get("generate", {}).get("rejected_by_reason", {}).items():
        counts[("generate", reason)] += count
    return counts


def _rejects(report: Mapping[str, Any]) -> str:
    counts = reject_counts(report)
    parts = ['<h2 id="rejects">Rejected records</h2>']
    total = report.get("rejected_total", sum(counts.values()))
    parts.append(f"<p>{total:,} records rejected; each one is in <code>rejects.jsonl</code> with its reason.</p>")
    if not counts:
        return "".join(parts)
    order = ["read", *report.get("filters", {}), "generate"]
    steps = sorted({step for step, _ in counts}, key=lambda s: (order.index(s) if s in order else len(order), s))
    rows = [(step, Counter({reason: n for (s, reason), n in counts.items() if s == step})) for step in steps]
    reasons = sorted({reason for _, reason in counts})
    parts.append("<h3>Per step, by reason</h3>")
    parts.append(stacked_bars(rows, reasons, "rejected records per step and reason"))
    ordered = sorted(counts.items(), key=lambda item: (steps.index(item[0][0]), -item[1], item[0][1]))
    parts.append(_table(["step", "reason", "records"], ([step, reason, n] for (step, reason), n in ordered)))
    per_source = [
        (name, Counter({key: n for key, n in info.get("rejected_by_reason", {}).items()}))
        for name, info in sorted(report.get("sources", {}).items())
        if info.get("rejected")
    ]
    if per_source:
        keys = sorted({key for _, counter in per_source for key in counter})
        parts.append("<h3>Per source, by step and reason</h3>")
        parts.append(stacked_bars(per_source, keys, "rejected records per source"))
    return "".join(parts)


def _lengths(summary: ShardSummary) -> str:
    parts = [
        '<h2 id="lengths">Lengths</h2>',
        '<p class="note">Characters per row: prompt = system and user messages, target = assistant'
        " messages. Box: 25th-75th percentile; whiskers: 10th-90th; dots: shortest and longest;"
        " the number on the right is the median. Logarithmic axis.</p>",
    ]
    for dataset in DATASET_FOLDERS.values():
        langs = sorted(lang for folder, lang in summary.lengths if folder == dataset)
        if not langs:
            continue
        for field in ("prompt", "target"):
            rows = [(lang, Quantiles.of(summary.lengths[(dataset, lang)][field])) for lang in langs]
            parts.append(f"<h3>{escape(dataset)}: {field} characters</h3>")
            parts.append(quantile_boxes(rows, f"{dataset} {field} characters per language"))
            parts.append(
                _table(
                    ["language", "rows", "min", "p10", "median", "mean", "p90", "max"],
                    (
                        [lang, q.count, q.minimum, q.p10, q.median, f"{q.mean:,.1f}", q.p90, q.maximum]
                        for lang, q in rows
                    ),
                )
            )
    return "".join(parts)


def _timings(report: Mapping[str, Any]) -> str:
    timings: Mapping[str, float] = report.get("timings_s", {})
    parts = [VOLATILE_START, '<h2 id="timings">Timings</h2>']
    out_dir = report.get("config", {}).get("out_dir")
    if out_dir:
        parts.append(f"<p>Written to <code>{escape(str(out_dir))}</code>.</p>")
    if timings:
        parts.append('<p class="note">Wall-clock milliseconds per step (they differ from run to run).</p>')
        rows = [(step, Counter({"milliseconds": round(seconds * 1000)})) for step, seconds in timings.items()]
        parts.append(stacked_bars(rows, ["milliseconds"], "wall-clock milliseconds per step", show_legend=False))
        parts.append(_table(["step", "seconds"], ([step, f"{seconds:.3f}"] for step, seconds in timings.items())))
    parts.append(VOLATILE_END)
    return "".join(parts)


def _header(report: Mapping[str, Any], summary: ShardSummary) -> str:
    config = report.get("config", {})
    rows = {dataset: sum(sum(c.values()) for c in per_lang.values()) for dataset, per_lang in summary.tasks.items()}
    sources = config.get("sources_dir") or "the bundled demo samples (mmed_ift/sources/samples)"
    facts = [
        ("mmed_ift", config.get("mmed_ift_version", __version__)),
        ("languages", ", ".join(config.get("languages", []))),
        ("sources", sources),
        ("generator", config.get("generator", "")),
        *((f"{dataset} rows", f"{count:,}") for dataset, count in sorted(rows.items())),
        ("rejected records", f"{report.get('rejected_total', 0):,}"),
    ]
    items = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts)
    return f"<h1>MMed-IFT build report</h1><table>{items}</table>"


def render_report_html(report: Mapping[str, Any], summary: ShardSummary) -> str:
    """The whole page for a build's report dict (``BuildReport.to_dict()``) and its written shards."""
    body = "".join(
        [_header(report, summary), _composition(summary), _rejects(report), _lengths(summary), _timings(report)]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>MMed-IFT build report</title><style>{STYLE}</style></head>\n<body>{body}</body></html>\n"
    )


def write_report_html(out_dir: Path, report: Mapping[str, Any]) -> Path:
    """Write ``report.html`` into a build folder whose dataset folders are already written."""
    path = out_dir / REPORT_HTML
    path.write_text(render_report_html(report, ShardSummary.read(out_dir)), encoding="utf-8")
    return path


def without_volatile(page: str) -> str:
    """The page without its volatile section: equal for two builds of the same input."""
    start, end = page.find(VOLATILE_START), page.find(VOLATILE_END)
    return page if start < 0 or end < 0 else page[:start] + page[end + len(VOLATILE_END) :]
