"""The portfolio report's appendix: one row per supplier, 10,000 and more.

Built as tables of APPENDIX_CHUNK rows of plain strings with fixed row heights: ReportLab
lays many small tables out far faster than one big one (each splits across pages with its
header repeated), and plain cells far faster than Paragraphs. A name in CJK or Hangul with
only ASCII beside it is a plain string in its CID font (a style command); only names mixing
those with other non-ASCII letters need a Paragraph. Band colours are one style command per
run of equal bands (the rows come highest score first, so runs are long).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from reports.context import BAND_LABELS, AppendixRow
from reports.fonts import markup, plain_font
from reports.layout import chunked, runs, table
from reports.styles import Styles
from reports.text import band_cell, fit, score_text

APPENDIX_CHUNK = 250  # rows per appendix table
APPENDIX_ROW = 11  # points: one line of 7.5 pt text
FONT_SIZE = 7.5
HEADER = ["Code", "Supplier", "Country", "Tier", "Band", "Score", "Open findings"]
APPENDIX_WIDTHS = [19 * mm, 64 * mm, 27 * mm, 10 * mm, 17 * mm, 13 * mm, 24 * mm]


def appendix(suppliers: Sequence[AppendixRow], styles: Styles) -> list[Flowable]:
    """The appendix's flowables: a sentence, then the suppliers in chunked tables."""
    fonts = styles.fonts
    story: list[Flowable] = [
        Paragraph(
            f"All {len(suppliers):,} live suppliers, highest residual score first "
            "(unscored suppliers last).",
            styles.body,
        )
    ]
    size = FONT_SIZE
    name_width = APPENDIX_WIDTHS[1] - 8
    country_width = APPENDIX_WIDTHS[2] - 8
    for _offset, part in chunked(suppliers, APPENDIX_CHUNK):
        rows, commands = (
            [],
            [
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ("ALIGN", (4, 0), (4, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ],
        )
        for i, r in enumerate(part, start=1):
            name_cell = _plain(r.name, name_width, size, fonts, styles, 1, i, commands)
            country_cell = _plain(r.country, country_width, size, fonts, styles, 2, i, commands)
            rows.append(
                [
                    r.code,
                    name_cell,
                    country_cell,
                    "—" if r.tier is None else str(r.tier),
                    BAND_LABELS.get(r.band, "—") if r.band else "—",
                    "—" if r.residual_score is None else score_text(r.residual_score),
                    f"{r.open_findings:,}",
                ]
            )
        for first, last, band in runs(part, lambda r: r.band):
            if band:
                commands += band_cell(4, (first + 1, last + 1), band)
        story.append(
            table(
                styles,
                HEADER,
                rows,
                APPENDIX_WIDTHS,
                commands,
                font_size=size,
                row_height=APPENDIX_ROW,
            )
        )
    return story


def _plain(text, width, size, fonts, styles, col, row, commands):
    """A one-line cell: a plain string in the font its script needs (a style command for
    CJK or Hangul), or a Paragraph when it mixes those with other non-ASCII letters."""
    font = plain_font(text, fonts)
    if font is None:
        return Paragraph(markup(fit(text, fonts.regular, size, width)), styles.cell)
    if font:
        commands.append(("FONTNAME", (col, row), (col, row), font))
        return fit(text, font, size, width)
    return fit(text, fonts.regular, size, width)
