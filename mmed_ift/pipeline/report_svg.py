"""Inline SVG charts for ``report.html``: stacked horizontal bars and quantile boxes.

Written here rather than drawn with a plotting library so the page is plain text that needs no
JavaScript, no fonts or files from elsewhere, and comes out byte-identical for the same numbers
(a PNG from matplotlib would carry renderer versions and anti-aliasing differences).  Every
number is formatted with fixed precision for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

#: colour-blind-friendly palette (Okabe-Ito, then greys); series beyond it cycle
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999")
WIDTH = 760
LABEL_WIDTH = 190
VALUE_WIDTH = 70
ROW_HEIGHT = 22
BAR_HEIGHT = 16
TOP = 8


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _num(value: float) -> str:
    """Coordinates with two decimals at most, and no ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _legend(series: Sequence[str], y: float) -> tuple[str, float]:
    """Swatches and names, wrapped over as many lines as needed; returns the markup and its height."""
    parts: list[str] = []
    x, line = 0.0, 0
    for index, name in enumerate(series):
        step = 22 + 7.5 * len(name)
        if x and x + step > WIDTH:
            x, line = 0.0, line + 1
        top = y + line * 18
        parts.append(
            f'<rect class="swatch" x="{_num(x)}" y="{_num(top)}" width="12" height="12" fill="{colour(index)}"/>'
            f'<text x="{_num(x + 16)}" y="{_num(top + 10)}">{escape(name)}</text>'
        )
        x += step
    return "".join(parts), (line + 1) * 18 if series else 0


def stacked_bars(
    rows: Sequence[tuple[str, Mapping[str, int]]], series: Sequence[str], label: str, show_legend: bool = True
) -> str:
    """One horizontal bar per row, split into ``series`` segments; the total is written at its end.

    ``label`` becomes the chart's accessible name (``aria-label``) and its ``<title>``.
    """
    if not rows:
        return ""
    legend, legend_height = _legend(series, TOP) if show_legend and len(series) > 1 else ("", 0)
    top = TOP + legend_height + (6 if legend_height else 0)
    largest = max(sum(values.values()) for _, values in rows) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest
    parts = [legend]
    for row, (name, values) in enumerate(rows):
        y = top + row * ROW_HEIGHT
        parts.append(f'<text class="label" x="{LABEL_WIDTH - 6}" y="{_num(y + 12)}">{escape(name)}</text>')
        x = float(LABEL_WIDTH)
        for index, key in enumerate(series):
            count = values.get(key, 0)
            if count <= 0:
                continue
            width = max(count * scale, 1.0)
            parts.append(
                f'<rect class="bar" x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" height="{BAR_HEIGHT}"'
                f' fill="{colour(index)}"><title>{escape(name)} · {escape(key)}: {count:,}</title></rect>'
            )
            x += width
        parts.append(f'<text class="value" x="{_num(x + 4)}" y="{_num(y + 12)}">{sum(values.values()):,}</text>')
    height = top + len(rows) * ROW_HEIGHT + 4
    return _svg(label, height, "".join(parts))


@dataclass(frozen=True)
class Quantiles:
    """Nearest-rank quantiles of a list of lengths (exact, so both engines agree to the character)."""

    count: int
    minimum: int
    p10: int
    p25: int
    median: int
    p75: int
    p90: int
    maximum: int
    mean: float

    @classmethod
    def of(cls, values: Sequence[int]) -> Quantiles:
        ordered = sorted(values)
        if not ordered:
            return cls(0, 0, 0, 0, 0, 0, 0, 0, 0.0)

        def rank(fraction: float) -> int:
            return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]

        return cls(
            count=len(ordered),
            minimum=ordered[0],
            p10=rank(0.10),
            p25=rank(0.25),
            median=rank(0.50),
            p75=rank(0.75),
            p90=rank(0.90),
            maximum=ordered[-1],
            mean=sum(ordered) / len(ordered),
        )


def quantile_boxes(rows: Sequence[tuple[str, Quantiles]], label: str) -> str:
    """Box (25th-75th percentile), whiskers (10th-90th), median tick and min/max dots per row, on a
    logarithmic axis of characters: prompts and targets span a few to tens of thousands."""
    rows = [(name, q) for name, q in rows if q.count]
    if not rows:
        return ""
    largest = max(q.maximum for _, q in rows)
    decades = max(1, math.ceil(math.log10(largest + 1)))
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH

    def x(value: float) -> float:
        return LABEL_WIDTH + span * math.log10(value + 1) / decades

    axis_y = TOP + len(rows) * ROW_HEIGHT + 2
    parts: list[str] = []
    for power in range(decades + 1):
        tick = x(10**power - 1 if power == 0 else 10**power)
        name = "0" if power == 0 else f"{10**power:,}"
        parts.append(
            f'<line class="grid" x1="{_num(tick)}" y1="{TOP}" x2="{_num(tick)}" y2="{_num(axis_y)}"/>'
            f'<text class="tick" x="{_num(tick)}" y="{_num(axis_y + 14)}">{name}</text>'
        )
    for row, (name, q) in enumerate(rows):
        y = TOP + row * ROW_HEIGHT
        mid = y + BAR_HEIGHT / 2
        summary = (
            f"{name}: n={q.count:,} min={q.minimum:,} p25={q.p25:,} median={q.median:,} p75={q.p75:,} max={q.maximum:,}"
        )
        box_width = max(x(q.p75) - x(q.p25), 2.0)
        parts.append(
            f'<text class="label" x="{LABEL_WIDTH - 6}" y="{_num(y + 12)}">{escape(name)}</text>'
            f'<line class="whisker" x1="{_num(x(q.p10))}" y1="{_num(mid)}" x2="{_num(x(q.p90))}" y2="{_num(mid)}"/>'
            f'<rect class="box" x="{_num(x(q.p25))}" y="{_num(y)}" width="{_num(box_width)}" height="{BAR_HEIGHT}"'
            f' fill="{colour(row)}"><title>{escape(summary)}</title></rect>'
            f'<line class="median" x1="{_num(x(q.median))}" y1="{_num(y)}" x2="{_num(x(q.median))}"'
            f' y2="{_num(y + BAR_HEIGHT)}"/>'
            f'<circle class="extreme" cx="{_num(x(q.minimum))}" cy="{_num(mid)}" r="2"/>'
            f'<circle class="extreme" cx="{_num(x(q.maximum))}" cy="{_num(mid)}" r="2"/>'
            f'<text class="value" x="{WIDTH - VALUE_WIDTH + 6}" y="{_num(y + 12)}">{q.median:,}</text>'
        )
    return _svg(label, axis_y + 20, "".join(parts))


def _svg(label: str, height: float, body: str) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg"'
        f' width="{WIDTH}" height="{_num(height)}" viewBox="0 0 {WIDTH} {_num(height)}">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )
