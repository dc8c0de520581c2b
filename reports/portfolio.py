"""The portfolio report: key figures, changes since the last report, the heat map and
trend, the riskiest suppliers, findings, coverage, concentration, and every supplier.

`build_portfolio(ctx)` lays it out in one pass and returns the PDF. The appendix (one row
per supplier, 10,000 and more) is reports.appendix.
"""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from reports import charts
from reports.appendix import appendix
from reports.context import (
    BAND_LABELS,
    CHANGE_KINDS,
    SEVERITIES,
    PortfolioContext,
)
from reports.fonts import FontSet, markup, register_fonts
from reports.layout import (
    Book,
    Contents,
    cover,
    generated_line,
    render,
    section,
    subheading,
    table,
    tiles,
)
from reports.styles import (
    BAND_FILL,
    BAND_TEXT,
    FRAME_WIDTH,
    SEVERITY_FILL,
    TIER_FILL,
    Styles,
    make_styles,
)
from reports.text import band_cell, pct, period_text, score_text

CHANGES_SHOWN = 25  # per kind; the rest are counted
SECTIONS = [
    ("summary", "Executive summary", 0),
    ("changes", "Changes since the last report", 0),
    ("risk", "Risk picture", 0),
    ("trend", "Residual-risk trend", 1),
    ("top", "Top 10 riskiest suppliers", 0),
    ("findings", "Findings and risk acceptances", 0),
    ("coverage", "Framework coverage", 0),
    ("concentration", "Concentration risks", 0),
    ("appendix", "Appendix: all suppliers", 0),
]
TITLES = {key: title for key, title, _level in SECTIONS}


def build_portfolio(ctx: PortfolioContext, *, fonts: FontSet | None = None) -> bytes:
    """The portfolio report as PDF bytes."""
    fonts = fonts or register_fonts()
    styles = make_styles(fonts)
    book = Book(ctx.title, ctx.org_name, generated_line(ctx.generated_at), styles)
    figures = ctx.figures
    story: list[Flowable] = cover(
        styles,
        ctx.org_name,
        ctx.title,
        [
            f"Reporting period: {period_text(ctx.period_start, ctx.period_end)}",
            f"Portfolio: {figures.suppliers:,} suppliers, {figures.scored:,} scored",
            generated_line(ctx.generated_at),
        ],
        [
            (f"{figures.suppliers:,}", "Suppliers"),
            (f"{figures.severe:,}", f"High or critical ({pct(figures.severe, figures.scored)})"),
            (f"{figures.findings_open:,}", "Open findings"),
            (f"{figures.findings_overdue:,}", "Findings past due"),
        ],
    )
    story += [Paragraph("Contents", styles.h1), Spacer(1, 6), Contents(SECTIONS, book)]
    story += section(styles, TITLES["summary"], "summary", new_page=True)
    story += _summary(ctx, styles)
    story += section(styles, TITLES["changes"], "changes")
    story += _changes(ctx, styles)
    story += section(styles, TITLES["risk"], "risk", keep=330)
    story += _risk_picture(ctx, styles)
    story += section(styles, TITLES["top"], "top", keep=200)
    story += _top(ctx, styles)
    story += section(styles, TITLES["findings"], "findings", keep=200)
    story += _findings(ctx, styles)
    story += section(styles, TITLES["coverage"], "coverage")
    story += _coverage(ctx, styles)
    story += section(styles, TITLES["concentration"], "concentration")
    story += _concentration(ctx, styles)
    story += section(styles, TITLES["appendix"], "appendix", new_page=True)
    story += appendix(ctx.appendix, styles)
    return render(book, story)


def _summary(ctx: PortfolioContext, styles: Styles) -> list[Flowable]:
    f = ctx.figures
    tier1 = f.by_tier.get(1, 0)
    overdue_note = f"{f.findings_overdue:,} overdue" if f.findings_overdue else "none overdue"
    text = (
        f"{ctx.org_name} works with {f.suppliers:,} suppliers; {f.scored:,} have a current risk "
        f"score. {f.severe:,} of them ({pct(f.severe, f.scored)}) carry high or critical residual "
        f"risk, and {tier1:,} are tier 1 by what they touch. {f.findings_open:,} findings are "
        f"open ({overdue_note}); {f.assessments_approved:,} assessments were approved in the "
        f"period and {f.assessments_overdue:,} are overdue at the supplier."
    )
    story: list[Flowable] = [Paragraph(markup(text), styles.body), Spacer(1, 4)]
    story.append(
        tiles(
            styles,
            [
                (f"{f.suppliers:,}", f"Suppliers ({f.scored:,} scored)"),
                (f"{f.severe:,}", f"High or critical residual risk ({pct(f.severe, f.scored)})"),
                (f"{tier1:,}", "Tier 1 (critical) suppliers"),
                (f"{f.assessments_approved:,}", "Assessments approved in the period"),
                (f"{f.findings_open:,}", "Open findings"),
                (f"{f.findings_overdue:,}", "Findings past their due date"),
                (f"{f.assessments_overdue:,}", "Assessments overdue at the supplier"),
                (f"{f.acceptances_expiring:,}", "Risk acceptances expiring within 30 days"),
            ],
        )
    )
    fonts = styles.fonts
    tiers = charts.bar_chart(
        [(f"Tier {t}", f.by_tier.get(t, 0), TIER_FILL[t]) for t in (1, 2, 3, 4)],
        fonts,
        width=FRAME_WIDTH / 2 - 10,
        label_width=50,
    )
    bands = charts.bar_chart(
        [(BAND_LABELS[b], f.by_band.get(b, 0), BAND_FILL[b]) for b in reversed(BAND_LABELS)],
        fonts,
        width=FRAME_WIDTH / 2 - 10,
        label_width=50,
    )
    pair = Table(
        [
            [
                Paragraph("Scored suppliers by tier", styles.h3),
                Paragraph("Scored suppliers by residual band", styles.h3),
            ],
            [tiers, bands],
        ],
        colWidths=[FRAME_WIDTH / 2] * 2,
    )
    pair.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story += [Spacer(1, 8), pair]
    return story


def _changes(ctx: PortfolioContext, styles: Styles) -> list[Flowable]:
    if ctx.first_report:
        return [
            Paragraph(
                "This is the first report: there is no earlier report to compare with. From the "
                "next report on, this section lists tier changes, new critical connections, new "
                "4th parties, newly overdue findings and lapsed risk acceptances since this one.",
                styles.body,
            )
        ]
    since = f" (of {ctx.previous_as_of:%Y-%m-%d})" if ctx.previous_as_of else ""
    if not ctx.changes:
        return [Paragraph(f"Nothing changed since the last report{since}.", styles.body)]
    counts = Counter(c.kind for c in ctx.changes)
    story: list[Flowable] = [
        Paragraph(f"Compared with the last report{since}:", styles.body),
        table(
            styles,
            ["Change", "Count"],
            [[label, f"{counts.get(kind, 0):,}"] for kind, label in CHANGE_KINDS.items()],
            [70 * mm, 25 * mm],
            [("ALIGN", (1, 0), (1, -1), "RIGHT")],
        ),
    ]
    for kind, label in CHANGE_KINDS.items():
        items = [c for c in ctx.changes if c.kind == kind]
        if not items:
            continue
        story += subheading(styles, label, f"changes-{kind}", keep=60)
        for change in items[:CHANGES_SHOWN]:
            story.append(Paragraph(markup(change.text), styles.bullet, bulletText="•"))
        if len(items) > CHANGES_SHOWN:
            more = len(items) - CHANGES_SHOWN
            story.append(Paragraph(f"… and {more:,} more.", styles.muted))
    return story


def _risk_picture(ctx: PortfolioContext, styles: Styles) -> list[Flowable]:
    fonts = styles.fonts
    f = ctx.figures
    story: list[Flowable] = [
        Paragraph(
            "Each scored supplier sits in one cell of the 5 × 5 grid by its residual likelihood "
            "and impact; the cell's colour is the band the organisation's risk appetite gives it.",
            styles.body,
        )
    ]
    if ctx.heatmap:
        grid = charts.heatmap(ctx.heatmap, fonts)
        legend = charts.band_legend(fonts)
        side = [
            Paragraph("Suppliers per band", styles.h3),
            table(
                styles,
                ["Band", "Suppliers", "Share"],
                [
                    [BAND_LABELS[b], f"{f.by_band.get(b, 0):,}", pct(f.by_band.get(b, 0), f.scored)]
                    for b in reversed(BAND_LABELS)
                ],
                [24 * mm, 20 * mm, 16 * mm],
                [
                    ("ALIGN", (1, 0), (2, -1), "RIGHT"),
                    *[
                        (cmd, (0, i + 1), (0, i + 1), col[b])
                        for i, b in enumerate(reversed(BAND_LABELS))
                        for cmd, col in (("BACKGROUND", BAND_FILL), ("TEXTCOLOR", BAND_TEXT))
                    ],
                ],
            ),
        ]
        layout = Table([[[grid, legend], side]], colWidths=[grid.width + 16, None])
        layout.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        story.append(layout)
    story += subheading(styles, TITLES["trend"], "trend", keep=260)
    if not ctx.trend:
        story.append(Paragraph("No scores yet.", styles.body))
        return story
    story.append(
        Paragraph(
            "Mean residual score of the scored suppliers at each month end (0–25):", styles.small
        )
    )
    story.append(
        charts.line_chart(
            [(p.label, p.mean_score) for p in ctx.trend], fonts, width=FRAME_WIDTH, height=140
        )
    )
    story.append(
        Paragraph("Suppliers in the high or critical band at each month end:", styles.small)
    )
    story.append(
        charts.line_chart(
            [(p.label, float(p.severe)) for p in ctx.trend],
            fonts,
            width=FRAME_WIDTH,
            height=120,
            value_format="{:,.0f}",
        )
    )
    return story


def _top(ctx: PortfolioContext, styles: Styles) -> list[Flowable]:
    if not ctx.top_risks:
        return [Paragraph("No supplier has been scored yet.", styles.body)]
    rows, commands = [], []
    for i, s in enumerate(ctx.top_risks, start=1):
        reasons = [Paragraph(markup(r), styles.cell_bullet, bulletText="•") for r in s.reasons]
        rows.append(
            [
                str(i),
                Paragraph(
                    f"<b>{markup(s.name)}</b><br/>{markup(s.code)} · {markup(s.country)}",
                    styles.cell,
                ),
                f"Tier {s.tier}",
                BAND_LABELS.get(s.band, s.band),
                score_text(s.residual_score),
                reasons or "—",
            ]
        )
        commands += band_cell(3, i, s.band)
    widths = [7 * mm, 52 * mm, 13 * mm, 17 * mm, 12 * mm, FRAME_WIDTH - 101 * mm]
    return [
        Paragraph(
            "Highest residual scores first, with the main factors behind each score.", styles.body
        ),
        table(
            styles,
            ["#", "Supplier", "Tier", "Band", "Score", "Why"],
            rows,
            widths,
            [("ALIGN", (4, 0), (4, -1), "RIGHT"), *commands],
        ),
    ]


def _findings(ctx: PortfolioContext, styles: Styles) -> list[Flowable]:
    f = ctx.figures
    bars = charts.bar_chart(
        [(s.capitalize(), f.findings_by_severity.get(s, 0), SEVERITY_FILL[s]) for s in SEVERITIES],
        styles.fonts,
        width=FRAME_WIDTH / 2 - 10,
        label_width=50,
    )
    figures = table(
        styles,
        ["Findings", "Count"],
        [
            ["Open findings (open or in progress)", f"{f.findings_open:,}"],
            ["Past their due date", f"{f.findings_overdue:,}"],
            ["Risk acceptances in force", f"{f.acceptances_in_force:,}"],
            ["Acceptances expiring within 30 days", f"{f.acceptances_expiring:,}"],
        ],
        [58 * mm, 20 * mm],
        [("ALIGN", (1, 0), (1, -1), "RIGHT")],
    )
    pair = Table(
        [[[Paragraph("Open findings by severity", styles.h3), bars], figures]],
        colWidths=[FRAME_WIDTH / 2] * 2,
    )
    pair.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return [KeepTogether(pair)]


def _coverage(ctx: PortfolioContext, styles: Styles) -> list[Flowable]:
    if not ctx.coverage:
        return [Paragraph("No assessment has been scored against a framework yet.", styles.body)]
    rows = [
        [
            Paragraph(markup(c.label), styles.cell),
            f"{c.suppliers:,}",
            f"{c.assessed_percent}%",
            f"{c.met_percent}%",
            "—" if c.mean_score_percent is None else f"{c.mean_score_percent}%",
        ]
        for c in ctx.coverage
    ]
    return [
        Paragraph(
            "Mean share of each framework's controls that reviewed answers reach "
            "(assessed) and meet, over the suppliers with the framework in scope.",
            styles.body,
        ),
        table(
            styles,
            ["Framework", "Suppliers", "Assessed", "Met", "Mean score"],
            rows,
            [70 * mm, 24 * mm, 24 * mm, 24 * mm, 32 * mm],
            [("ALIGN", (1, 0), (-1, -1), "RIGHT")],
        ),
    ]


KIND_LABELS = {
    "critical_links": "Critical links",
    "shared_fourth_party": "Shared 4th party",
    "country": "Country",
    "connection_kind": "Connection kind",
}


def _concentration(ctx: PortfolioContext, styles: Styles) -> list[Flowable]:
    if not ctx.concentrations:
        return [Paragraph("No concentration risk stands out.", styles.body)]
    rows = [
        [
            KIND_LABELS.get(c.kind, c.kind),
            Paragraph(markup(c.party), styles.cell_bold),
            f"{c.count:,}",
            Paragraph(markup(c.detail), styles.cell),
        ]
        for c in ctx.concentrations
    ]
    return [
        Paragraph(
            "Where many of our suppliers, or many critical links, depend on one party, "
            "one country or one kind of connection.",
            styles.body,
        ),
        table(
            styles,
            ["Kind", "Party", "Count", "Detail"],
            rows,
            [28 * mm, 45 * mm, 15 * mm, FRAME_WIDTH - 88 * mm],
            [("ALIGN", (2, 0), (2, -1), "RIGHT")],
        ),
    ]
