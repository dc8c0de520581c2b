"""Small wording and cell helpers the builders share: numbers, dates, fitting a string into
a column, band-coloured cells."""

from __future__ import annotations

import datetime as dt

from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.fonts import RUNS, clean
from reports.styles import BAND_FILL, BAND_TEXT

ELLIPSIS = "…"


def pct(part: int, whole: int) -> str:
    """A whole-number percentage ("0%" for an empty whole)."""
    return "0%" if not whole else f"{round(100 * part / whole)}%"


def score_text(value: float | None) -> str:
    """A residual score as shown: one decimal at most, no trailing zero."""
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def day(value: dt.date | None) -> str:
    """A date as 2026-03-31, or a dash."""
    return "—" if value is None else f"{value:%Y-%m-%d}"


def period_text(start: dt.date, end: dt.date) -> str:
    """ "1 March 2026 – 31 March 2026"."""
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def _width(text: str, font: str, size: float) -> float:
    """The printed width; characters in CID runs count as one em each (DejaVu lacks them)."""
    if font.startswith(("DejaVu", "Helvetica")):
        wide = sum(len(m.group(0)) for m in RUNS.finditer(text))
        if wide:
            return stringWidth(RUNS.sub("", text), font, size) + wide * size
    return stringWidth(text, font, size)


def fit(text: object, font: str, size: float, width: float) -> str:
    """`text` cut (with an ellipsis) to fit `width` points on one line in `font`."""
    value = clean(text)
    if _width(value, font, size) <= width:
        return value
    low, high = 0, len(value)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if _width(value[:mid] + ELLIPSIS, font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return value[:low].rstrip() + ELLIPSIS


def band_cell(col: int, rows: int | tuple[int, int], band: str | None) -> list[tuple]:
    """Style commands colouring a band column's cells (one row, or a (first, last) run)."""
    if not band or band not in BAND_FILL:
        return []
    first, last = (rows, rows) if isinstance(rows, int) else rows
    return [
        ("BACKGROUND", (col, first), (col, last), BAND_FILL[band]),
        ("TEXTCOLOR", (col, first), (col, last), BAND_TEXT[band]),
    ]
