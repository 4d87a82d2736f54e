"""``report.html``: written beside ``build_report.json``, true to the build, the same bytes for the same
build (outside its volatile timings section), and - rendered by a real headless Chromium - showing
its charts.

The browser tests need Debian's ``chromium`` (``apt-get install -y chromium``; ``.ci/run`` installs
it): without it they skip on a developer's machine and fail when ``CI=true``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.pipeline import BuildConfig, build
from mmed_ift.pipeline.report_html import (
    REPORT_HTML,
    VOLATILE_END,
    VOLATILE_START,
    ShardSummary,
    reject_counts,
    render_report_html,
    without_volatile,
)
from mmed_ift.pipeline.report_svg import Quantiles
from tests.conftest import skip_or_fail

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the bundled samples in English and Japanese (both datasets, rejects, several sources)."""
    out = tmp_path_factory.mktemp("report") / "out"
    build(BuildConfig(languages=("en", "ja"), out_dir=out, progress=False))
    return out


def _report(out: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    return report


def test_report_html_is_beside_the_json_and_tells_the_same_numbers(built: Path) -> None:
    page = (built / REPORT_HTML).read_text(encoding="utf-8")
    report = _report(built)
    for section in ("composition", "rejects", "lengths", "timings"):
        assert f'<h2 id="{section}">' in page
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page  # nothing fetched: the page is readable offline
    # composition: the totals per language are the rows written
    for dataset, per_lang in report["outputs"].items():
        for lang, splits in per_lang.items():
            total = sum(splits.values())
            assert re.search(rf"<td>{lang}</td>(<td>[\d,]+</td>)*<td>{total:,}</td></tr>", page), (dataset, lang)
    # rejects: every (step, reason) with its count, and the total of the report
    counts = reject_counts(report)
    assert counts and sum(counts.values()) == report["rejected_total"]
    for (step, reason), count in counts.items():
        assert f"<tr><td>{step}</td><td>{reason}</td><td>{count:,}</td></tr>" in page
    assert f"{report['rejected_total']:,} records rejected" in page
    for step in report["timings_s"]:
        assert f"<td>{step}</td>" in page
    assert "the bundled demo samples" in page


def test_lengths_are_measured_on_the_written_rows(built: Path) -> None:
    summary = ShardSummary.read(built)
    prompts = summary.lengths[("MMed-IFT-MC", "ja")]["prompt"]
    targets = summary.lengths[("MMed-IFT-MC", "ja")]["target"]
    assert len(prompts) == len(targets) == _report(built)["outputs"]["MMed-IFT-MC"]["ja"]["train"]
    assert min(prompts) > 0 and min(targets) > 0
    quantiles = Quantiles.of(targets)
    assert f"<td>ja</td><td>{quantiles.count:,}</td><td>{quantiles.minimum:,}</td>" in (built / REPORT_HTML).read_text(
        encoding="utf-8"
    )


def test_quantiles_are_nearest_rank() -> None:
    q = Quantiles.of([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])
    assert (q.minimum, q.p10, q.p25, q.median, q.p75, q.p90, q.maximum) == (1, 1, 3, 5, 8, 9, 10)
    assert q.mean == 5.5
    assert Quantiles.of([]).count == 0


def test_same_build_gives_the_same_page_outside_the_timings(built: Path, tmp_path: Path) -> None:
    again = build(BuildConfig(languages=("en", "ja"), out_dir=tmp_path / "again", progress=False)).out_dir
    first, second = ((folder / REPORT_HTML).read_text(encoding="utf-8") for folder in (built, again))
    assert VOLATILE_START in first and VOLATILE_END in first
    assert without_volatile(first) == without_volatile(second)
    assert render_report_html(_report(built), ShardSummary.read(built)) == first


def test_an_empty_build_still_renders() -> None:
    page = render_report_html({"config": {"languages": ["en"]}, "rejected_total": 0}, ShardSummary())
    assert "No rows were written." in page and "<svg" not in page


# -- in a real browser ---------------------------------------------------------------------------


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    skip_or_fail("no headless Chromium on PATH (Debian: apt-get install -y chromium)")


def _chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        _browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
        page.resolve().as_uri(),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed


class _Shapes(HTMLParser):
    """The charts of a rendered DOM: each ``<svg>`` with the drawn shapes inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[dict[str, Any]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "svg":
            self.charts.append({"label": values.get("aria-label"), "rects": [], "lines": 0})
            self._inside = True
        elif self._inside and tag == "rect" and values.get("class") in ("bar", "box"):
            self.charts[-1]["rects"].append(float(values.get("width") or 0))
        elif self._inside and tag == "line":
            self.charts[-1]["lines"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._inside = False


def test_chromium_renders_the_plots(built: Path, tmp_path: Path) -> None:
    dom = _chromium(built / REPORT_HTML, tmp_path, "--dump-dom").stdout
    shapes = _Shapes()
    shapes.feed(dom)
    labels = [chart["label"] for chart in shapes.charts]
    for expected in (
        "MMed-IFT-MC rows by task",
        "MMed-IFT rows by source",
        "rejected records per step and reason",
        "MMed-IFT-MC target characters per language",
        "MMed-IFT prompt characters per language",
        "wall-clock milliseconds per step",
    ):
        assert expected in labels, labels
    for chart in shapes.charts:
        assert chart["rects"] and all(width > 0 for width in chart["rects"]), chart


def test_chromium_screenshot_is_not_blank(built: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "report.png"
    _chromium(built / REPORT_HTML, tmp_path, f"--screenshot={shot}", "--window-size=900,1600")
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert rgb.size == (900, 1600)
    # a blank page is one colour; the charts bring the palette's colours (blue bars, orange, green)
    assert len(colours) > 50
    painted = {colour for _, colour in colours}
    assert {(0, 114, 178), (230, 159, 0)} <= painted


def test_add_table_equals_adding_each_row() -> None:
    """The Arrow path of :meth:`ShardSummary.add_table` counts and measures what :meth:`add` does
    row by row, in row order (languages interleaved, system turns counted as prompt)."""
    import pyarrow as pa

    def row(lang: str, task: str, source: str, turns: list[tuple[str, str]]) -> dict[str, Any]:
        messages = [{"role": role, "content": content} for role, content in turns]
        return {"lang": lang, "task": task, "messages": messages, "provenance": {"source": source}}

    rows = [
        row("en", "qa", "medquad", [("user", "What is gout?"), ("assistant", "A form of arthritis.")]),
        row("fr", "mc_answer_text", "frenchmedmcqa", [("user", "Quelle réponse ?"), ("assistant", "Réponse : B")]),
        row("en", "explain", "wikipedia", [("system", "Be careful."), ("user", "Explain œdème."), ("assistant", "É")]),
        row("fr", "qa", "medquad", [("user", "日本語の質問"), ("assistant", "")]),
        row("en", "qa", "wikipedia", [("user", "x"), ("assistant", "yz"), ("user", "more"), ("assistant", "ok")]),
    ]
    by_rows, by_table = ShardSummary(), ShardSummary()
    for one in rows:
        by_rows.add("MMed-IFT", one)
    by_table.add_table("MMed-IFT", pa.Table.from_pylist(rows))
    assert by_table.lengths == by_rows.lengths
    assert {k: dict(v) for k, v in by_table.tasks["MMed-IFT"].items()} == {
        k: dict(v) for k, v in by_rows.tasks["MMed-IFT"].items()
    }
    assert {k: dict(v) for k, v in by_table.sources["MMed-IFT"].items()} == {
        k: dict(v) for k, v in by_rows.sources["MMed-IFT"].items()
    }
    assert by_table.lengths[("MMed-IFT", "en")]["prompt"] == [13, 25, 5]
