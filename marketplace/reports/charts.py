"""Horizontal bar and stacked-bar charts as inline SVG, drawn on the server.

Phone first: a 360-unit-wide viewBox, so on a 360 px screen one unit is about one pixel and
the 13-unit labels are about 12 px (it grows with wider screens up to the CSS max width). Each row puts its
label on a line of its own above the bar, so long Vietnamese place and group names fit. The
chart is an image for screen readers (role="img", aria-label, <title>, <desc>); the page shows
the same numbers in a table right below it, which is the accessible form of the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
PAD = 4
VALUE_W = 96  # room for the value at the end of each row ("1.234.567.890 ₫" at 12 units)
BAR_W = WIDTH - 2 * PAD - VALUE_W
ROW_H = 40
BAR_H = 14
LEGEND_ROW_H = 20
LABEL_CHARS = 52
#: Okabe-Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")


@dataclass(frozen=True)
class Series:
    """One segment kind of a stacked bar (or the only one of a plain bar)."""

    name: str
    color: str


@dataclass(frozen=True)
class Row:
    """One bar: its label and one value per series."""

    label: str
    values: Sequence[float]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _legend(series: Sequence[Series]) -> tuple[list[str], int]:
    """Swatches and names flowing over as many lines as needed; returns (parts, height)."""
    parts, x, y = [], PAD, 0
    for s in series:
        width = 18 + 7 * len(s.name)  # a rough text width, enough to avoid overlaps
        if x > PAD and x + width > WIDTH - PAD:
            x, y = PAD, y + LEGEND_ROW_H
        parts.append(
            f'<rect x="{x}" y="{y + 4}" width="12" height="12" fill="{s.color}"/>'
            f'<text x="{x + 16}" y="{y + 14}" font-size="12">{escape(s.name)}</text>'
        )
        x += width + 10
    return parts, (y + LEGEND_ROW_H + 6) if series else 0


def bar_chart(
    key: str,
    title: str,
    rows: Sequence[Row],
    series: Sequence[Series],
    *,
    fmt: Callable[[float], str] = _num,
    scale_max: float | None = None,
    description: str = "",
) -> Markup:
    """A horizontal (stacked when several series) bar chart; the value shown is the row total.

    ``scale_max`` fixes the full-width value (100 for percentages); by default it is the
    largest row total; ``key`` makes the element ids unique on the page."""
    legend, top = _legend(series) if len(series) > 1 else ([], 0)
    totals = [sum(r.values) for r in rows]
    biggest = scale_max or max(totals, default=0) or 1
    body = []
    for i, (row, total) in enumerate(zip(rows, totals, strict=True)):
        y = top + i * ROW_H
        label = escape(row.label)
        body.append(f"<g><title>{label}: {escape(fmt(total))}</title>")
        body.append(
            f'<text x="{PAD}" y="{y + 13}" font-size="13" fill="#1b1b1b">'
            f"{escape(_short(row.label))}</text>"
        )
        x = float(PAD)
        body.append(
            f'<rect x="{PAD}" y="{y + 19}" width="{BAR_W}" height="{BAR_H}" fill="#eeeeee"/>'
        )
        for value, s in zip(row.values, series, strict=True):
            width = BAR_W * min(value, biggest) / biggest
            if width > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{y + 19}" width="{width:.1f}" height="{BAR_H}" '
                    f'fill="{s.color}"/>'
                )
                x += width
        body.append(
            f'<text x="{WIDTH - PAD}" y="{y + 31}" font-size="12" text-anchor="end" '
            f'fill="#1b1b1b">{escape(fmt(total))}</text></g>'
        )
    height = top + len(rows) * ROW_H + PAD
    described = f' aria-describedby="{key}-desc"' if description else ""
    desc = f'<desc id="{key}-desc">{escape(description)}</desc>' if description else ""
    return Markup(
        f'<svg class="chart" id="{key}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{escape(title)}"'
        f'{described} font-family="system-ui, sans-serif"><title>{escape(title)}</title>{desc}'
        + "".join(legend)
        + "".join(body)
        + "</svg>"
    )
