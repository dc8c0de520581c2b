"""The page furniture every report shares: the document template, the cover, header and
footer, "Page N of M", headings that become PDF bookmarks, a contents page, and tables.

"Page N of M" and the contents page's page numbers are drawn once the last page is known,
by a canvas that keeps each finished page until the end (one layout pass, not
`multiBuild`'s two or more: at 10,000 suppliers a second pass would double the time).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reports.fonts import markup
from reports.styles import (
    BOTTOM_MARGIN,
    FRAME_WIDTH,
    MARGIN,
    MUTED,
    NAVY,
    PAGE,
    PANEL,
    RULE,
    STRIPE,
    TOP_MARGIN,
    Styles,
)


@dataclass
class Book:
    """What the canvas needs once every page is laid out."""

    title: str
    org_name: str
    footer: str
    styles: Styles
    heading_pages: dict[str, int] = field(default_factory=dict)
    toc_slots: list[tuple[int, float, float, str]] = field(default_factory=list)

    def finish_page(self, canv: Canvas, total: int) -> None:
        """Draw what depends on the whole document: "Page N of M", the contents' numbers."""
        number = canv.getPageNumber()
        fonts = self.styles.fonts
        if number > 1:
            canv.saveState()
            canv.setFont(fonts.regular, 7.5)
            canv.setFillColor(MUTED)
            canv.drawRightString(PAGE[0] - MARGIN, BOTTOM_MARGIN - 10, f"Page {number} of {total}")
            canv.restoreState()
        for page, x, y, key in self.toc_slots:
            if page == number and key in self.heading_pages:
                canv.saveState()
                canv.setFont(fonts.regular, 10.5)
                canv.setFillColor(colors.black)
                canv.drawRightString(x, y, str(self.heading_pages[key]))
                canv.restoreState()


class ReportCanvas(Canvas):
    """A canvas that keeps finished pages until save(), then lets the Book finish them."""

    def __init__(self, *args, book: Book, **kwargs):
        super().__init__(*args, **kwargs)
        self._book = book
        self._kept: list[dict] = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._kept.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._kept)
        for state in self._kept:
            self.__dict__.update(state)
            self._book.finish_page(self, total)
            Canvas.showPage(self)
        Canvas.save(self)


class Rule(Flowable):
    """A short horizontal bar (the cover's accent)."""

    def __init__(self, width: float, thickness: float, color):
        super().__init__()
        self.width, self.height, self.color = width, thickness, color

    def draw(self):
        self.canv.setFillColor(self.color)
        self.canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)


class Heading(Paragraph):
    """A section heading: a bookmark in the PDF outline; the contents page finds its page
    by `key`."""

    def __init__(self, text: str, style, key: str, level: int = 0):
        super().__init__(markup(text), style)
        self.key, self.level, self.plain = key, level, text


class Contents(Flowable):
    """The contents page's entries; their page numbers are filled in at the end."""

    def __init__(self, entries: Sequence[tuple[str, str, int]], book: Book):
        super().__init__()
        self.entries, self.book = list(entries), book
        self.leading = 21

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.leading * len(self.entries)

    def draw(self):
        canv, fonts = self.canv, self.book.styles.fonts
        page = canv.getPageNumber()
        top = self.leading * len(self.entries)
        for i, (key, title, level) in enumerate(self.entries):
            y = top - (i + 1) * self.leading + 6
            x = 14 * level
            canv.setFont(fonts.bold if level == 0 else fonts.regular, 10.5 if level == 0 else 9.5)
            canv.setFillColor(NAVY if level == 0 else colors.black)
            canv.drawString(x, y, title)
            end = x + canv.stringWidth(title) + 6
            canv.setFillColor(RULE)
            canv.setFont(fonts.regular, 9)
            dots = "." * max(0, int((self.width - 30 - end) / canv.stringWidth(".")))
            canv.drawString(end, y, dots)
            canv.linkRect("", key, (0, y - 4, self.width, y + 12), relative=1, thickness=0)
            ax, ay = canv.absolutePosition(self.width, y)
            self.book.toc_slots.append((page, ax, ay, key))


class ReportDoc(BaseDocTemplate):
    """A4 portrait: a cover template and a body template with header and footer."""

    def __init__(self, buffer, book: Book, **kwargs):
        super().__init__(
            buffer,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=TOP_MARGIN,
            bottomMargin=BOTTOM_MARGIN,
            title=book.title,
            author=book.org_name,
            creator="Chainlight",
            **kwargs,
        )
        self.book = book
        frame = Frame(
            MARGIN,
            BOTTOM_MARGIN,
            FRAME_WIDTH,
            PAGE[1] - TOP_MARGIN - BOTTOM_MARGIN,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate("cover", [frame], onPage=self._cover_page),
                PageTemplate("body", [frame], onPage=self._body_page),
            ]
        )

    def _cover_page(self, canv: Canvas, _doc) -> None:
        canv.saveState()
        canv.setFillColor(NAVY)
        canv.rect(0, PAGE[1] - 62, PAGE[0], 62, stroke=0, fill=1)
        canv.rect(0, 0, PAGE[0], 10, stroke=0, fill=1)
        canv.restoreState()

    def _body_page(self, canv: Canvas, _doc) -> None:
        fonts = self.book.styles.fonts
        canv.saveState()
        top = PAGE[1] - TOP_MARGIN + 12
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(MARGIN, top - 4, PAGE[0] - MARGIN, top - 4)
        canv.setFillColor(MUTED)
        _draw_mixed(canv, fonts, MARGIN, top, self.book.org_name, 7.5)
        canv.setFont(fonts.regular, 7.5)
        canv.drawRightString(PAGE[0] - MARGIN, top, self.book.title)
        canv.line(MARGIN, BOTTOM_MARGIN - 4, PAGE[0] - MARGIN, BOTTOM_MARGIN - 4)
        canv.drawString(MARGIN, BOTTOM_MARGIN - 10, self.book.footer)
        canv.restoreState()

    def afterFlowable(self, flowable):  # noqa: N802 - ReportLab's name
        if isinstance(flowable, Heading):
            self.book.heading_pages.setdefault(flowable.key, self.page)
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.plain, flowable.key, flowable.level)


def _draw_mixed(canv: Canvas, fonts, x: float, y: float, text: str, size: float) -> None:
    """Draw one line of supplier-given text (e.g. the organisation's name) in its fonts."""
    para = Paragraph(markup(text), _line_style(fonts, size))
    para.wrapOn(canv, FRAME_WIDTH / 2, size * 2)
    para.drawOn(canv, x, y - size * 0.25)


def _line_style(fonts, size: float):
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(
        "line", fontName=fonts.regular, fontSize=size, leading=size * 1.2, textColor=MUTED
    )


def render(book: Book, story: list[Flowable]) -> bytes:
    """Lay the story out (one pass) and return the PDF."""
    buffer = io.BytesIO()
    doc = ReportDoc(buffer, book)
    doc.build(story, canvasmaker=lambda *a, **k: ReportCanvas(*a, book=book, **k))
    return buffer.getvalue()


def cover(
    styles: Styles,
    org_name: str,
    title: str,
    lines: Iterable[str],
    highlights: Sequence[tuple[str, str]] = (),
) -> list[Flowable]:
    """The cover page's flowables (the cover template must be the first page's), with a
    row of headline figures (value, label) under the title block."""
    story: list[Flowable] = [Spacer(1, 190)]
    story.append(Paragraph(markup(org_name), styles.cover_org))
    story.append(Spacer(1, 10))
    story.append(Paragraph(markup(title), styles.cover_title))
    story.append(Spacer(1, 10))
    story.append(Rule(60, 3, NAVY))
    story.append(Spacer(1, 14))
    for line in lines:
        story.append(Paragraph(markup(line), styles.cover_meta))
    if highlights:
        story += [Spacer(1, 150), tiles(styles, highlights)]
    story += [NextPageTemplate("body"), PageBreak()]
    return story


def tiles(styles: Styles, items: Sequence[tuple[str, str]]) -> Table:
    """Key figures as tiles: (figure, label), four to a row."""
    cells = [
        [Paragraph(markup(value), styles.figure), Paragraph(markup(label), styles.figure_label)]
        for value, label in items
    ]
    rows = [cells[i : i + 4] + [""] * (4 - len(cells[i : i + 4])) for i in range(0, len(cells), 4)]
    t = Table(rows, colWidths=[FRAME_WIDTH / 4] * 4)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("GRID", (0, 0), (-1, -1), 4, "white"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return t


def section(
    styles: Styles, title: str, key: str, *, new_page: bool = False, keep: float = 120
) -> list[Flowable]:
    """A top-level heading, on a new page or where at least `keep` points remain."""
    head: list[Flowable] = [PageBreak()] if new_page else [CondPageBreak(keep)]
    return [*head, Heading(title, styles.h1, key)]


def subheading(styles: Styles, title: str, key: str, keep: float = 90) -> list[Flowable]:
    """A second-level heading (a nested bookmark), kept with what follows."""
    return [CondPageBreak(keep), Heading(title, styles.h2, key, level=1)]


def generated_line(when: dt.datetime) -> str:
    """The footer's and cover's line saying when the report was made."""
    return f"Generated {when:%Y-%m-%d %H:%M} UTC · Confidential"


# --- tables ------------------------------------------------------------------------------

HEADER_COMMANDS = [
    ("BACKGROUND", (0, 0), (-1, 0), NAVY),
    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
]


def table(
    styles: Styles,
    header: Sequence[str],
    rows: Sequence[Sequence],
    widths: Sequence[float],
    commands: Iterable[tuple] = (),
    *,
    font_size: float = 8,
    row_height: float | None = None,
) -> Table:
    """A table with a navy header row repeated on every page, zebra rows, fixed widths.

    Plain-string cells are drawn in the regular font at `font_size` (cheap); cells that are
    Paragraphs bring their own style. With `row_height` every body row gets that height
    (no measuring: the fast path for long tables of one-line cells).
    """
    fonts = styles.fonts
    data = [list(header), *rows]
    heights = None if row_height is None else [row_height + 2] + [row_height] * len(rows)
    result = Table(data, colWidths=list(widths), rowHeights=heights, repeatRows=1, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                *HEADER_COMMANDS,
                ("FONTNAME", (0, 0), (-1, 0), fonts.bold),
                ("FONTNAME", (0, 1), (-1, -1), fonts.regular),
                ("FONTSIZE", (0, 0), (-1, -1), font_size),
                ("LEADING", (0, 0), (-1, -1), font_size + 2),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                *commands,
            ]
        )
    )
    return result


def chunked(rows: Sequence, size: int) -> Iterable[tuple[int, Sequence]]:
    """(offset, rows) in slices of `size`: many small tables lay out far faster than one."""
    for start in range(0, len(rows), size):
        yield start, rows[start : start + size]


def runs(values: Sequence, key: Callable) -> Iterable[tuple[int, int, object]]:
    """(first, last, value) of consecutive rows with the same key(value): one style command
    per run instead of one per row."""
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or key(values[i]) != key(values[start]):
            yield start, i - 1, key(values[start])
            start = i
