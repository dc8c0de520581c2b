"""Charts as reportlab.graphics Drawings (vector, and flowables in their own right): the
5 x 5 heat map, a line chart for the residual-risk trend, horizontal bar charts.

Charts never rely on colour alone: heat-map cells print their count, bars their value.
Labels here are ours (band names, months, severities), never supplier text.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors

from reports.context import BAND_LABELS, HeatCell
from reports.fonts import FontSet
from reports.styles import BAND_FILL, BAND_TEXT, INK, MUTED, NAVY, RULE

GRID = colors.white


def heatmap(
    grid: Sequence[Sequence[HeatCell]], fonts: FontSet, *, cell: float = 44, mark_only: bool = False
) -> Drawing:
    """The 5 x 5 likelihood x impact grid, each cell in its band's colour with its count
    (with `mark_only`, cells with a count show a dot instead: one supplier's position)."""
    left, bottom = 34, 30
    width, height = left + 5 * cell + 8, bottom + 5 * cell + 6
    d = Drawing(width, height)
    for r, row in enumerate(grid):
        for c, hc in enumerate(row):
            x, y = left + c * cell, bottom + (4 - r) * cell
            d.add(
                Rect(
                    x,
                    y,
                    cell,
                    cell,
                    fillColor=BAND_FILL.get(hc.band, RULE),
                    strokeColor=GRID,
                    strokeWidth=1.5,
                )
            )
            ink = BAND_TEXT.get(hc.band, INK)
            if mark_only:
                if hc.count:
                    d.add(
                        Circle(
                            x + cell / 2, y + cell / 2, cell / 5, fillColor=ink, strokeColor=None
                        )
                    )
                continue
            text = f"{hc.count:,}" if hc.count else "·"
            d.add(
                String(
                    x + cell / 2,
                    y + cell / 2 - 3,
                    text,
                    fontName=fonts.bold,
                    fontSize=9 if hc.count < 10_000 else 7.5,
                    fillColor=ink,
                    textAnchor="middle",
                )
            )
    for i in range(5):
        d.add(
            String(
                left + i * cell + cell / 2,
                bottom - 11,
                str(i + 1),
                fontName=fonts.regular,
                fontSize=7.5,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
        d.add(
            String(
                left - 7,
                bottom + i * cell + cell / 2 - 3,
                str(i + 1),
                fontName=fonts.regular,
                fontSize=7.5,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
    d.add(
        String(
            left + 2.5 * cell,
            3,
            "Impact →",
            fontName=fonts.regular,
            fontSize=7.5,
            fillColor=MUTED,
            textAnchor="middle",
        )
    )
    label = String(
        0,
        0,
        "Likelihood →",
        fontName=fonts.regular,
        fontSize=7.5,
        fillColor=MUTED,
        textAnchor="middle",
    )
    g = Group(label)
    g.rotate(90)
    g.translate(bottom + 2.5 * cell, -10)
    d.add(g)
    return d


def band_legend(fonts: FontSet, width: float = 240) -> Drawing:
    """Four swatches: Low, Medium, High, Critical."""
    d = Drawing(width, 14)
    x = 0
    for band, label in BAND_LABELS.items():
        d.add(Rect(x, 2, 10, 10, fillColor=BAND_FILL[band], strokeColor=None))
        d.add(String(x + 14, 4, label, fontName=fonts.regular, fontSize=7.5, fillColor=INK))
        x += 60
    return d


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value`."""
    for step in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if value <= step * 5:
            return step * 5
    magnitude = 10 ** (len(str(int(value))) - 1)
    return (int(value / magnitude) + 1) * magnitude


def line_chart(
    points: Sequence[tuple[str, float | None]],
    fonts: FontSet,
    *,
    width: float = 470,
    height: float = 150,
    y_max: float | None = None,
    y_label: str = "",
    value_format: str = "{:.1f}",
) -> Drawing:
    """One series over labelled x positions; None values leave a gap."""
    d = Drawing(width, height)
    left, bottom, top, right = 34, 22, 16, 22
    plot_w, plot_h = width - left - right, height - bottom - top
    values = [v for _l, v in points if v is not None]
    top_value = y_max or _nice_max(max(values, default=1.0) or 1.0)
    for i in range(6):
        y = bottom + plot_h * i / 5
        d.add(Line(left, y, left + plot_w, y, strokeColor=RULE, strokeWidth=0.4))
        d.add(
            String(
                left - 4,
                y - 2.5,
                f"{top_value * i / 5:g}",
                fontName=fonts.regular,
                fontSize=7,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    if y_label:
        d.add(
            String(left, height - 8, y_label, fontName=fonts.regular, fontSize=7, fillColor=MUTED)
        )
    n = len(points)
    step = (plot_w - 24) / max(n - 1, 1)  # 12 pt inside each end, so labels fit
    xy = []
    for i, (label, value) in enumerate(points):
        x = left + 12 + i * step if n > 1 else left + plot_w / 2
        d.add(
            String(
                x,
                bottom - 11,
                label,
                fontName=fonts.regular,
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
        if value is None:
            xy.append(None)
            continue
        xy.append((x, bottom + plot_h * min(value, top_value) / top_value, value))
    segment: list[float] = []
    for point in [*xy, None]:
        if point is None:
            if len(segment) >= 4:
                d.add(PolyLine(segment, strokeColor=NAVY, strokeWidth=1.6))
            segment = []
        else:
            segment += [point[0], point[1]]
    for point in xy:
        if point is not None:
            x, y, value = point
            d.add(Circle(x, y, 2.2, fillColor=NAVY, strokeColor=colors.white, strokeWidth=0.6))
            d.add(
                String(
                    x,
                    y + 5,
                    value_format.format(value),
                    fontName=fonts.regular,
                    fontSize=6.5,
                    fillColor=INK,
                    textAnchor="middle",
                )
            )
    return d


def bar_chart(
    bars: Sequence[tuple[str, int | float, object]],
    fonts: FontSet,
    *,
    width: float = 230,
    bar: float = 13,
    gap: float = 5,
    label_width: float = 70,
) -> Drawing:
    """Horizontal bars: (label, value, fill colour) each, the value printed at the end."""
    height = len(bars) * (bar + gap) + gap
    d = Drawing(width, max(height, bar + 2 * gap))
    longest = max((v for _l, v, _c in bars), default=0) or 1
    plot = width - label_width - 40
    for i, (label, value, fill) in enumerate(bars):
        y = height - (i + 1) * (bar + gap)
        d.add(
            String(
                label_width - 6,
                y + bar / 2 - 3,
                label,
                fontName=fonts.regular,
                fontSize=7.5,
                fillColor=INK,
                textAnchor="end",
            )
        )
        length = plot * value / longest
        if value:
            d.add(Rect(label_width, y, max(length, 1.5), bar, fillColor=fill, strokeColor=None))
        d.add(
            String(
                label_width + length + 4,
                y + bar / 2 - 3,
                f"{value:,}",
                fontName=fonts.bold,
                fontSize=7.5,
                fillColor=INK,
            )
        )
    return d
