"""Server-side SVG charts: the risk heat map, a line chart and a horizontal bar chart.

Each builder returns one complete ``<svg role="img">`` as ``Markup`` with a <title> and a
<desc>; every piece of text is escaped here, so labels may come from user data. The SVG uses
presentation attributes (a fallback fill) and CSS classes (app/static/css/dashboard.css),
never ``style=""``, so it passes a 'self'-only CSP. Charts never rely on colour alone: heat
map cells print their count and band, points and bars print their values, and every mark has
a <title> tooltip. The width and height attributes are only a fallback: the stylesheet makes
every chart as wide as its card (the viewBox keeps the proportions), so each builder draws on
a viewBox about the size the chart is shown at.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from risk_models.portfolio import HeatCell
from risk_models.residual import BANDS

EMPTY_TEXT = "No data yet"
# Fallback fills when the stylesheet is absent (the classes in dashboard.css win over them).
BAND_FILLS = {"low": "#d1e7dd", "medium": "#ffe69c", "high": "#f1aeb5", "critical": "#842029"}
BAND_TEXT = {"low": "#0a3622", "medium": "#332701", "high": "#58151c", "critical": "#ffffff"}


def _attrs(**attrs: object) -> str:
    """Render keyword attributes (``class_`` -> class, ``aria_x`` -> aria-x), escaped."""
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


def _num(value: float) -> str:
    """A short number: at most one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _ticks(top: float) -> list[float]:
    """Round tick values from 0 to `top` (at most 6 of them, steps of 1, 2 or 5 x 10^n)."""
    step = 1.0
    while top / step > 5:
        for factor in (2, 2.5, 2):  # 1 -> 2 -> 5 -> 10 -> 20 -> 50 ...
            step *= factor
            if top / step <= 5:
                break
    while top / step < 2 and step > 0.1:
        step /= 2
    ticks, v = [], 0.0
    while v <= top + 1e-9:
        ticks.append(v)
        v += step
    return ticks


def _chart_id(title: str, data: object) -> str:
    digest = hashlib.blake2s(f"{title}|{data!r}".encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _open(
    chart_id: str, title: str, desc: str, width: int, height: int, kind: str, extra: str = ""
) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img"'
        f"{_attrs(class_=f'chart chart-{kind}{extra}', viewBox=f'0 0 {width} {height}')}"
        f' width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet"'
        f"{_attrs(aria_labelledby=f'{chart_id}-title {chart_id}-desc')}>",
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _empty(title: str, kind: str) -> Markup:
    chart_id = _chart_id(title, "empty")
    width, height = 360, 80
    parts = _open(chart_id, title, EMPTY_TEXT, width, height, kind, " chart-is-empty")
    parts.append(
        f'<rect class="chart-empty-box" x="1" y="1" width="{width - 2}" height="{height - 2}"'
        ' fill="#f8f9fa" stroke="#ced4da" stroke-dasharray="4 3"/>'
    )
    parts.append(
        f'<text class="chart-empty-text" x="{width // 2}" y="{height // 2 + 5}"'
        f' text-anchor="middle" fill="#5c636a">{escape(EMPTY_TEXT)}</text>'
    )
    return _done(parts)


def _done(parts: list[str]) -> Markup:
    """Close the <svg>; every text and attribute value above went through escape()."""
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from escaped pieces only


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def heatmap_svg(
    rows: Sequence[Sequence[HeatCell]],
    *,
    title: str,
    link: Callable[[int, int], str] | None = None,
) -> Markup:
    """The 5 x 5 likelihood x impact grid: each cell shows its count and band, linked if asked."""
    cells = [cell for row in rows for cell in row]
    total = sum(c.count for c in cells)
    if not cells or total == 0:
        return _empty(title, "heatmap")
    size, left, top = 72, 56, 12
    ncols = max(len(row) for row in rows)
    width = left + ncols * size + 12
    height = top + len(rows) * size + 48
    desc = (
        f"{total} suppliers on a grid of residual likelihood (rows, 5 at the top) by impact "
        "(columns); each cell gives the number of suppliers and the band of the risk appetite."
    )
    chart_id = _chart_id(title, [(c.likelihood, c.impact, c.count, c.band) for c in cells])
    parts = _open(chart_id, title, desc, width, height, "heatmap")
    for r, row in enumerate(rows):
        y = top + r * size
        lik = row[0].likelihood if row else 0
        parts.append(
            f'<text class="chart-axis-tick" x="{left - 8}" y="{y + size // 2 + 4}"'
            f' text-anchor="end">{lik}</text>'
        )
        for c, cell in enumerate(row):
            x = left + c * size
            label = BANDS.get(cell.band, cell.band)
            noun = "supplier" if cell.count == 1 else "suppliers"
            tip = (
                f"Likelihood {cell.likelihood} × impact {cell.impact}: "
                f"{cell.count} {noun}, band {label}"
            )
            empty = " heat-cell-zero" if cell.count == 0 else ""
            group = [
                f"<g{_attrs(class_=f'heat-cell band-{cell.band}{empty}')}>",
                f"<title>{escape(tip)}</title>",
                f'<rect x="{x + 1}" y="{y + 1}" width="{size - 2}" height="{size - 2}" rx="3"'
                f"{_attrs(class_='heat-rect', fill=BAND_FILLS.get(cell.band, '#e9ecef'))}/>",
                f'<text class="heat-count" x="{x + size // 2}" y="{y + size // 2 + 2}"'
                f' text-anchor="middle"'
                f"{_attrs(fill=BAND_TEXT.get(cell.band, '#000'))}>{cell.count}</text>",
                f'<text class="heat-band" x="{x + size // 2}" y="{y + size - 10}"'
                f' text-anchor="middle"'
                f"{_attrs(fill=BAND_TEXT.get(cell.band, '#000'))}>{escape(label)}</text>",
                "</g>",
            ]
            if link is not None and cell.count:
                href = link(cell.likelihood, cell.impact)
                group = [f"<a{_attrs(href=href, aria_label=tip)}>", *group, "</a>"]
            parts.extend(group)
    bottom = top + len(rows) * size
    for c, cell in enumerate(rows[0]):
        parts.append(
            f'<text class="chart-axis-tick" x="{left + c * size + size // 2}" y="{bottom + 16}"'
            f' text-anchor="middle">{cell.impact}</text>'
        )
    parts.append(
        f'<text class="chart-axis-label" x="{left + ncols * size // 2}" y="{bottom + 38}"'
        ' text-anchor="middle">Impact →</text>'
    )
    mid = top + len(rows) * size // 2
    parts.append(
        f'<text class="chart-axis-label" x="16" y="{mid}" text-anchor="middle"'
        f' transform="rotate(-90 16 {mid})">Likelihood →</text>'
    )
    return _done(parts)


def line_chart_svg(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    y_max: float,
    y_label: str,
    bands: Sequence[tuple[float, float, str]] | None = None,
    x_label: str | None = None,
    width: int = 720,
) -> Markup:
    """A line over labelled x positions, each point printing its value; None leaves a gap.

    ``bands`` are (low, high, name) horizontal stripes behind the line, e.g. the score
    ranges of the risk bands; each is labelled at the right edge. ``x_label`` (optional)
    names the x axis. ``width`` is the viewBox width the points spread over (about the width
    of the card it is shown in). When the points are too many to label each, every k-th one
    (counting back from the last) prints its label and value; every point keeps its tooltip
    and the <desc> lists them all.
    """
    values = [v for _, v in points if v is not None]
    if not values:
        return _empty(title, "line")
    y_max = max(y_max, max(values)) or 1.0
    left, right, top, bottom = 56, 72, 16, 56
    plot_w = max(width - left - right, 120)
    plot_h = 180
    width = left + plot_w + right
    height = top + plot_h + bottom
    n = len(points)
    step = plot_w / (n - 1) if n > 1 else 0.0
    # Labels (at most 9 characters, about 6.5 units each) must not run into each other.
    gap = 6.5 * max(len(_truncate(lab, 9)) for lab, _ in points) + 8
    every = max(1, math.ceil(n / max(1, int(plot_w // gap) + 1)))

    def sx(i: int) -> float:
        return left + (i * step if n > 1 else plot_w / 2)

    def labelled(i: int) -> bool:
        return (n - 1 - i) % every == 0

    def sy(v: float) -> float:
        return top + plot_h - (max(0.0, min(v, y_max)) / y_max) * plot_h

    shown = ", ".join(f"{lab}: {_num(v) if v is not None else 'no data'}" for lab, v in points)
    chart_id = _chart_id(title, list(points))
    parts = _open(chart_id, title, f"{y_label} by period. {shown}", width, height, "line")
    for lo, hi, name in bands or ():
        y_hi, y_lo = sy(hi), sy(lo)
        parts.append(
            f'<rect x="{left}" y="{y_hi:.1f}" width="{plot_w}" height="{max(y_lo - y_hi, 0):.1f}"'
            f"{_attrs(class_=f'line-band band-{name}', fill=BAND_FILLS.get(name, '#f1f3f5'))}"
            ' fill-opacity="0.35"/>'
        )
        parts.append(
            f'<text class="line-band-label" x="{left + plot_w + 6}"'
            f' y="{(y_hi + y_lo) / 2 + 4:.1f}">'
            f"{escape(BANDS.get(name, name))}</text>"
        )
    for v in _ticks(y_max):
        y = sy(v)
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"'
            ' stroke="#dee2e6"/>'
        )
        parts.append(
            f'<text class="chart-axis-tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_num(v)}</text>"
        )
    parts.append(
        f'<line class="chart-axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}"'
        ' stroke="#6c757d"/>'
    )
    parts.append(
        f'<line class="chart-axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}"'
        f' y2="{top + plot_h}" stroke="#6c757d"/>'
    )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (_, v) in enumerate(points):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{sx(i):.1f},{sy(v):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(
            f'<polyline class="line-path" fill="none" stroke="#0d6efd" stroke-width="2"'
            f"{_attrs(points=' '.join(seg))}/>"
        )
    for i, (lab, v) in enumerate(points):
        x = sx(i)
        if labelled(i):
            parts.append(
                f'<text class="chart-axis-tick" x="{x:.1f}" y="{top + plot_h + 16}"'
                f' text-anchor="middle">{escape(_truncate(lab, 9))}</text>'
            )
        if v is None:
            continue
        y = sy(v)
        value = (
            f'<text class="line-value" x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">'
            f"{_num(v)}</text>"
            if labelled(i)
            else ""
        )
        parts.append(
            f'<g class="line-point"><title>{escape(f"{lab}: {_num(v)} {y_label}")}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#0d6efd"/>{value}</g>'
        )
    mid = top + plot_h / 2
    parts.append(
        f'<text class="chart-axis-label" x="14" y="{mid:.1f}" text-anchor="middle"'
        f' transform="rotate(-90 14 {mid:.1f})">{escape(y_label)}</text>'
    )
    if x_label:
        parts.append(
            f'<text class="chart-axis-label" x="{left + plot_w / 2:.1f}" y="{height - 10}"'
            f' text-anchor="middle">{escape(x_label)}</text>'
        )
    return _done(parts)


def bar_chart_svg(bars: Sequence[tuple[str, int]], *, title: str) -> Markup:
    """Horizontal bars, one per (label, value), each with its value printed after it."""
    if not bars or all(v == 0 for _, v in bars):
        return _empty(title, "bar")
    label_w, bar_w, row_h, top = 180, 340, 26, 8
    width = label_w + bar_w + 56
    height = top + row_h * len(bars) + 8
    top_value = max(v for _, v in bars) or 1
    shown = ", ".join(f"{lab}: {v}" for lab, v in bars)
    chart_id = _chart_id(title, list(bars))
    parts = _open(chart_id, title, shown, width, height, "bar")
    for i, (lab, v) in enumerate(bars):
        y = top + i * row_h
        w = round(bar_w * v / top_value) if v > 0 else 0
        parts.append(f'<g class="bar"><title>{escape(f"{lab}: {v}")}</title>')
        parts.append(
            f'<text class="bar-label" x="{label_w - 8}" y="{y + row_h // 2 + 4}"'
            f' text-anchor="end">{escape(_truncate(lab, 28))}</text>'
        )
        parts.append(
            f'<rect class="bar-rect" x="{label_w}" y="{y + 4}" width="{max(w, 1)}"'
            f' height="{row_h - 8}" fill="#0d6efd"/>'
        )
        parts.append(
            f'<text class="bar-value" x="{label_w + w + 6}" y="{y + row_h // 2 + 4}">{v}</text>'
        )
        parts.append("</g>")
    return _done(parts)
