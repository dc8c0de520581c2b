"""The supplier report: profile, current score explained step by step, connections,
findings with their remediation plans, and the reviewed answers by section.

`build_supplier(ctx)` returns the PDF. Every piece of supplier-entered text (names,
answers, comments, plans) goes through `fonts.markup` before it meets Paragraph markup.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reports import charts
from reports.context import BAND_LABELS, TIER_LABELS, FindingRow, SupplierContext
from reports.fonts import FontSet, markup, register_fonts
from reports.layout import Book, cover, generated_line, render, section, subheading, table
from reports.styles import (
    ALERT,
    BAND_FILL,
    FRAME_WIDTH,
    PANEL,
    SEVERITY_FILL,
    Styles,
    make_styles,
)
from reports.text import day, score_text


def build_supplier(ctx: SupplierContext, *, fonts: FontSet | None = None) -> bytes:
    """The supplier report as PDF bytes."""
    fonts = fonts or register_fonts()
    styles = make_styles(fonts)
    p = ctx.profile
    book = Book(ctx.title, ctx.org_name, generated_line(ctx.generated_at), styles)
    story: list[Flowable] = cover(
        styles,
        ctx.org_name,
        f"{ctx.title}: {p.name}",
        [
            f"Supplier {p.code} · {p.country}",
            f"As of {ctx.generated_at:%Y-%m-%d}",
            generated_line(ctx.generated_at),
        ],
        _highlights(ctx),
    )
    story += section(styles, "Summary", "summary")
    story += _summary(ctx, styles)
    story += section(styles, "Why this score", "score", keep=200)
    story += _explanation(ctx, styles)
    story += section(styles, "Connections and dependencies", "connections", keep=160)
    story += _connections(ctx, styles)
    story += section(styles, "Findings and remediation", "findings", keep=160)
    story += _findings(ctx, styles)
    story += section(styles, "Reviewed answers", "answers", keep=160)
    story += _answers(ctx, styles)
    return render(book, story)


def _highlights(ctx: SupplierContext) -> list[tuple[str, str]]:
    s = ctx.score
    unfinished = sum(1 for f in ctx.findings if f.status in ("Open", "In progress"))
    if s is None:
        return [("—", "Not scored yet"), (str(unfinished), "Open findings")]
    return [
        (f"Tier {s.tier}", TIER_LABELS.get(s.tier, "")),
        (BAND_LABELS.get(s.band, s.band), "Residual band"),
        (f"{score_text(s.residual_score)}/25", "Residual score"),
        (str(unfinished), "Open findings"),
    ]


def _kv(styles: Styles, pairs: list[tuple[str, str]], widths=(38 * mm, None)) -> Table:
    """A two-column label/value table (values are supplier text: escaped)."""
    rows = [
        [Paragraph(markup(k), styles.muted), Paragraph(markup(v) or "—", styles.cell)]
        for k, v in pairs
    ]
    t = Table(rows, colWidths=list(widths))
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return t


def _summary(ctx: SupplierContext, styles: Styles) -> list[Flowable]:
    p, s = ctx.profile, ctx.score
    profile = _kv(
        styles,
        [
            ("Legal name", p.name),
            ("Code", p.code),
            ("Country", p.country),
            ("Category", p.category),
            ("Criticality", p.criticality + (", single source" if p.single_source else "")),
            ("Status", p.status),
            ("Owner", p.owner),
            ("Website", p.website),
            ("Contact", p.contact_email),
            ("Next reassessment", day(p.next_reassessment_on)),
            ("Open assessments", "; ".join(p.open_assessments) or "None"),
        ],
    )
    if s is None:
        return [
            profile,
            Spacer(1, 6),
            Paragraph("This supplier has not been scored yet.", styles.body),
        ]
    tiles = Table(
        [
            [
                Paragraph(f"Tier {s.tier}", styles.figure),
                Paragraph(markup(BAND_LABELS.get(s.band, s.band)), styles.figure),
            ],
            [
                Paragraph(TIER_LABELS.get(s.tier, ""), styles.figure_label),
                Paragraph("Residual band", styles.figure_label),
            ],
            [
                Paragraph(f"{score_text(s.residual_score)}<font size=9>/25</font>", styles.figure),
                Paragraph(f"{s.effectiveness_percent}%", styles.figure),
            ],
            [
                Paragraph("Residual score", styles.figure_label),
                Paragraph("Control effectiveness", styles.figure_label),
            ],
        ],
        colWidths=[32 * mm, 32 * mm],
    )
    tiles.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("LINEBEFORE", (1, 0), (1, 1), 4, BAND_FILL.get(s.band, PANEL)),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 8),
                ("LINEAFTER", (0, 0), (0, -1), 3, "white"),
                ("LINEBELOW", (0, 1), (-1, 1), 3, "white"),
            ]
        )
    )
    side: list[Flowable] = [tiles, Spacer(1, 8)]
    if s.grid:
        side += [
            charts.heatmap(s.grid, styles.fonts, cell=26, mark_only=True),
            Paragraph(
                f"Position on the grid: likelihood {s.cell[0]}, impact {s.cell[1]}. "
                f"Scored {s.computed_at:%Y-%m-%d} (model {markup(s.model_version)}).",
                styles.muted,
            ),
        ]
    layout = Table([[profile, side]], colWidths=[FRAME_WIDTH - 70 * mm, 70 * mm])
    layout.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return [layout]


def _explanation(ctx: SupplierContext, styles: Styles) -> list[Flowable]:
    s = ctx.score
    if s is None:
        return [Paragraph("No score yet: nothing to explain.", styles.body)]
    story: list[Flowable] = [
        Paragraph(
            f"Inherent risk: impact {s.impact} × likelihood {s.likelihood} = {s.inherent_score}. "
            f"Reviewed answers make the controls {s.effectiveness_percent}% effective, which "
            f"lowers the likelihood to give a residual score of {score_text(s.residual_score)} "
            "out of 25.",
            styles.body,
        )
    ]
    for step in s.steps:
        block: list[Flowable] = [Paragraph(markup(step.title), styles.h3)]
        for f in step.factors:
            effect = (
                f" <font color='#1f3a5f'><b>[{markup(f.effect)}]</b></font>" if f.effect else ""
            )
            detail = f"<br/><font color='#5f6b7a'>{markup(f.detail)}</font>" if f.detail else ""
            block.append(
                Paragraph(f"{markup(f.label)}{effect}{detail}", styles.bullet, bulletText="•")
            )
        story.append(KeepTogether(block))
    if s.coverage:
        story += subheading(styles, "Framework coverage", "coverage", keep=80)
        rows = [
            [
                Paragraph(markup(c.label), styles.cell),
                f"{c.assessed}/{c.total}",
                str(c.met),
                "—" if c.score_percent is None else f"{c.score_percent}%",
            ]
            for c in s.coverage
        ]
        story.append(
            table(
                styles,
                ["Framework", "Controls assessed", "Met", "Mean score"],
                rows,
                [80 * mm, 34 * mm, 20 * mm, 30 * mm],
                [("ALIGN", (1, 0), (-1, -1), "RIGHT")],
            )
        )
    return story


def _connections(ctx: SupplierContext, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = []
    if not ctx.connections:
        story.append(Paragraph("No live connection to our systems.", styles.body))
    else:
        rows = []
        for c in ctx.connections:
            name = f"<b>{markup(c.name)}</b>" + (
                " <font color='#b02a37'>critical</font>" if c.critical else ""
            )
            rows.append(
                [
                    Paragraph(f"{name}<br/>{markup(c.kind)} · {markup(c.direction)}", styles.cell),
                    Paragraph(markup(c.internal_system), styles.cell),
                    Paragraph(markup(", ".join(c.data_classes) or "—"), styles.cell),
                    Paragraph(
                        f"{markup(c.authentication)}<br/>{markup(c.encryption)}", styles.cell
                    ),
                    Paragraph(
                        f"{markup(c.integration_layer)}<br/>{markup(c.access_level)}", styles.cell
                    ),
                    Paragraph("<br/>".join(_connection_status(c)), styles.cell),
                ]
            )
        story.append(
            table(
                styles,
                [
                    "Connection",
                    "System",
                    "Data crossing",
                    "Authentication",
                    "Layer / access",
                    "Status",
                ],
                rows,
                [44 * mm, 17 * mm, 30 * mm, 27 * mm, 28 * mm, 28 * mm],
            )
        )
    p = ctx.profile
    story += subheading(styles, "4th parties and dependants", "dependencies", keep=60)
    story.append(
        _kv(
            styles,
            [
                ("Its suppliers (4th parties)", ", ".join(p.sub_suppliers) or "None"),
                ("Our suppliers relying on it", ", ".join(p.customers) or "None"),
            ],
            widths=(48 * mm, None),
        )
    )
    return story


def _connection_status(c) -> list[str]:
    lines = [markup(c.status)]
    if c.credential_expires_on:
        lines.append(f"credential until {day(c.credential_expires_on)}")
    if c.last_reviewed_on:
        lines.append(f"reviewed {day(c.last_reviewed_on)}")
    return lines


def _finding_block(f: FindingRow, styles: Styles) -> list[Flowable]:
    meta = [
        f"Control {markup(f.control)}" if f.control else "",
        f"opened {day(f.opened_on)}",
        f"due {day(f.due_on)}",
        f"owner {markup(f.owner)}" if f.owner else "",
        f"connection {markup(f.connection)}" if f.connection else "",
    ]
    lines = [f"<b>{markup(f.title)}</b>", " · ".join(m for m in meta if m)]
    if f.accepted_until:
        lines.append(f"Risk accepted until {day(f.accepted_until)}: {markup(f.acceptance_reason)}")
    if f.plan_status:
        plan = f"{markup(f.plan_status)}"
        if f.plan_due_on:
            plan += f" (due {day(f.plan_due_on)})"
        if f.plan_text:
            plan += f": {markup(f.plan_text, newlines=True)}"
        lines.append(plan)
    for m in f.milestones:
        state = f"done {day(m.done_on)}" if m.done_on else f"due {day(m.due_on)}"
        lines.append(
            f"&nbsp;&nbsp;☐ {markup(m.title)} ({state})"
            if not m.done_on
            else f"&nbsp;&nbsp;☑ {markup(m.title)} ({state})"
        )
    return [Paragraph("<br/>".join(lines), styles.small)]


def _findings(ctx: SupplierContext, styles: Styles) -> list[Flowable]:
    if not ctx.findings:
        return [Paragraph("No findings.", styles.body)]
    rows, commands = [], []
    for i, f in enumerate(ctx.findings, start=1):
        status = f.status + (" · overdue" if f.overdue else "")
        rows.append(
            [
                f.severity.capitalize(),
                _finding_block(f, styles),
                Paragraph(markup(status), styles.cell),
            ]
        )
        # A bar in the severity's colour down the left edge: visible, not loud.
        commands += [
            ("LINEBEFORE", (0, i), (0, i), 4, SEVERITY_FILL.get(f.severity, PANEL)),
            ("FONTNAME", (0, i), (0, i), styles.fonts.bold),
        ]
        if f.overdue:
            commands.append(("TEXTCOLOR", (2, i), (2, i), ALERT))
    open_ = sum(1 for f in ctx.findings if f.status in ("Open", "In progress"))
    overdue = sum(1 for f in ctx.findings if f.overdue)
    return [
        Paragraph(
            f"{len(ctx.findings)} findings, {open_} open or in progress, {overdue} past "
            "their due date; unfinished ones first.",
            styles.body,
        ),
        table(
            styles,
            ["Severity", "Finding and remediation plan", "Status"],
            rows,
            [18 * mm, FRAME_WIDTH - 48 * mm, 30 * mm],
            commands,
        ),
    ]


def _answers(ctx: SupplierContext, styles: Styles) -> list[Flowable]:
    if not ctx.assessments:
        return [Paragraph("No approved assessment yet.", styles.body)]
    story: list[Flowable] = []
    for n, a in enumerate(ctx.assessments):
        head = a.title + (f" · {a.connection}" if a.connection else "")
        story += subheading(styles, head, f"assessment-{n}", keep=100)
        when = f" {day(a.approved_on)}" if a.approved_on else ""
        story.append(Paragraph(f"{markup(a.status)}{when}", styles.muted))
        for section_ in a.sections:
            rows, commands = [], []
            for i, r in enumerate(section_.answers, start=1):
                answer = markup(r.answer, newlines=True)
                if r.comment:
                    answer += (
                        f"<br/><font color='#5f6b7a'>{markup(r.comment, newlines=True)}</font>"
                    )
                verdict = markup(r.verdict or "Not reviewed")
                if r.verdict_note:
                    verdict += f"<br/><font color='#5f6b7a'>{markup(r.verdict_note)}</font>"
                rows.append(
                    [
                        Paragraph(markup(r.question), styles.cell),
                        Paragraph(answer, styles.cell),
                        Paragraph(verdict, styles.cell),
                    ]
                )
                if r.verdict and r.verdict != "Accepted":
                    commands.append(("BACKGROUND", (2, i), (2, i), "#fff3cd"))
            story += [CondPageBreak(70), Paragraph(markup(section_.title), styles.h3)]
            story.append(
                table(
                    styles,
                    ["Question", "Answer", "Reviewer"],
                    rows,
                    [80 * mm, 58 * mm, FRAME_WIDTH - 138 * mm],
                    commands,
                )
            )
    story.append(Spacer(1, 4))
    story.append(
        Paragraph("Verdicts are the analyst's review of each answer as it stands.", styles.muted)
    )
    return story
