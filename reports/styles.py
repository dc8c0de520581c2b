"""The reports' look: page size, a restrained palette, band colours, paragraph styles."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from reports.fonts import FontSet

PAGE = A4
MARGIN = 18 * mm
TOP_MARGIN = 22 * mm
BOTTOM_MARGIN = 20 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN

INK = colors.HexColor("#1f2933")  # body text
MUTED = colors.HexColor("#5f6b7a")
NAVY = colors.HexColor("#1f3a5f")  # headings, cover, table headers
RULE = colors.HexColor("#c9d2dc")
STRIPE = colors.HexColor("#f3f6f9")  # alternate table rows
PANEL = colors.HexColor("#eef2f6")  # key-figure tiles
ALERT = colors.HexColor("#b02a37")

# The same colours as the web's heat map (app/charts.py), so screen and paper agree.
BAND_FILL = {
    "low": colors.HexColor("#d1e7dd"),
    "medium": colors.HexColor("#ffe69c"),
    "high": colors.HexColor("#f1aeb5"),
    "critical": colors.HexColor("#842029"),
}
BAND_TEXT = {
    "low": colors.HexColor("#0a3622"),
    "medium": colors.HexColor("#332701"),
    "high": colors.HexColor("#58151c"),
    "critical": colors.white,
}
SEVERITY_FILL = {
    "critical": colors.HexColor("#842029"),
    "high": colors.HexColor("#dc3545"),
    "medium": colors.HexColor("#ffc107"),
    "low": colors.HexColor("#adb5bd"),
}
TIER_FILL = {
    1: colors.HexColor("#1f3a5f"),
    2: colors.HexColor("#47698f"),
    3: colors.HexColor("#89a3bf"),
    4: colors.HexColor("#c9d6e3"),
}


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one report, in its fonts."""

    fonts: FontSet
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    cover_title: ParagraphStyle
    cover_org: ParagraphStyle
    cover_meta: ParagraphStyle
    figure: ParagraphStyle
    figure_label: ParagraphStyle
    right: ParagraphStyle
    bullet: ParagraphStyle
    cell_bullet: ParagraphStyle


def make_styles(fonts: FontSet) -> Styles:
    """Paragraph styles in the registered fonts."""
    regular, bold = fonts.regular, fonts.bold

    def style(name: str, **kw) -> ParagraphStyle:
        base = {
            "fontName": regular,
            "bulletFontName": regular,
            "fontSize": 9.5,
            "leading": 13,
            "textColor": INK,
        }
        base.update(kw)
        return ParagraphStyle(name, **base)

    return Styles(
        fonts=fonts,
        body=style("body", spaceAfter=5),
        small=style("small", fontSize=8, leading=10.5),
        muted=style("muted", fontSize=8, leading=10.5, textColor=MUTED),
        cell=style("cell", fontSize=8, leading=10),
        cell_bold=style("cell_bold", fontName=bold, fontSize=8, leading=10),
        h1=style(
            "h1",
            fontName=bold,
            fontSize=16,
            leading=20,
            textColor=NAVY,
            spaceBefore=4,
            spaceAfter=8,
        ),
        h2=style(
            "h2",
            fontName=bold,
            fontSize=11.5,
            leading=15,
            textColor=NAVY,
            spaceBefore=10,
            spaceAfter=5,
        ),
        h3=style("h3", fontName=bold, fontSize=9.5, leading=12, spaceBefore=6, spaceAfter=3),
        cover_title=style("cover_title", fontName=bold, fontSize=28, leading=34, textColor=NAVY),
        cover_org=style("cover_org", fontName=bold, fontSize=15, leading=20, textColor=INK),
        cover_meta=style("cover_meta", fontSize=10.5, leading=15, textColor=MUTED),
        figure=style(
            "figure", fontName=bold, fontSize=19, leading=22, textColor=NAVY, alignment=TA_LEFT
        ),
        figure_label=style("figure_label", fontSize=7.5, leading=9.5, textColor=MUTED),
        right=style("right", fontSize=8, leading=10, alignment=TA_RIGHT),
        bullet=style(
            "bullet", fontSize=8, leading=10.5, leftIndent=9, bulletIndent=0, spaceAfter=1
        ),
        cell_bullet=style("cell_bullet", fontSize=8, leading=10, leftIndent=8, bulletIndent=0),
    )


CENTER = TA_CENTER
