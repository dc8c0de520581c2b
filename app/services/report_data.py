"""Gathering what the PDF reports show (reports.context) from the database.

`portfolio_context` reuses the executive dashboard's aggregates (app.services.dashboard) and
the findings counts (app.services.findings_views), and reads the appendix (one row per live
supplier, with its open findings counted in SQL) and the facts for "changes since the last
report" in a fixed number of queries, however many suppliers there are. `supplier_context`
reads one supplier's profile, connections, explained score, approved answers and findings
in about a dozen queries. The builders in reports/ turn the contexts into PDFs; `render`
does both for a kind of report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Assessment, CurrentRisk, Finding, RiskSnapshot, Supplier
from app.models.base import utcnow
from app.services import ServiceError, dashboard, findings_views, report_facts
from app.services.report_supplier import supplier_context
from app.services.validation import country_name
from reports import REPORT_KINDS, changes, page_count
from reports import context as rc
from risk_models.inherent import KIND_EXPOSURE

TOP_RISKS = 10
REASON_LENGTH = 140
# A country is a concentration risk when it holds this share of the scored suppliers ...
COUNTRY_SHARE = 0.15
# ... and a highly exposed kind of link when this share of them use it.
EXPOSED_KIND_SHARE = 0.05

__all__ = ["Rendered", "portfolio_context", "render", "supplier_context"]


def _reasons(result: Mapping[str, Any]) -> tuple[str, ...]:
    """The explanation's main factors: what drives impact and likelihood, and how well the
    controls work (with the costliest gap)."""
    out = []
    for key in ("impact_factors", "likelihood_factors"):
        factors = result.get(key) or []
        if factors:
            out.append(factors[0]["label"])
    effective = result.get("effectiveness")
    factors = result.get("effectiveness_factors") or []
    if effective == 0 and factors:  # e.g. "No approved assessment: no control credit"
        out.append(factors[0]["label"])
    elif effective is not None:
        text = f"Controls {round(100 * effective)}% effective"
        gaps = factors[1:2]
        if gaps and gaps[0].get("effect", "").startswith("−"):
            text += f"; weakest: {gaps[0].get('detail') or gaps[0]['label']}"
        out.append(text)
    return tuple(r if len(r) <= REASON_LENGTH else r[: REASON_LENGTH - 1] + "…" for r in out)


def _appendix(session: Session) -> list:
    """Every live supplier: id, code, name, country, tier, band, score, open findings;
    highest residual score first, unscored last (one query)."""
    open_findings = (
        select(Finding.supplier_id, func.count().label("n"))
        .where(Finding.status.in_(findings_views.OPEN_STATUSES))
        .group_by(Finding.supplier_id)
        .subquery("open_findings")
    )
    return session.execute(
        select(
            Supplier.id,
            Supplier.code,
            Supplier.legal_name,
            Supplier.country,
            CurrentRisk.tier,
            CurrentRisk.band,
            CurrentRisk.residual_score,
            func.coalesce(open_findings.c.n, 0),
            CurrentRisk.snapshot_id,
        )
        .outerjoin(CurrentRisk, CurrentRisk.supplier_id == Supplier.id)
        .outerjoin(open_findings, open_findings.c.supplier_id == Supplier.id)
        .where(Supplier.archived_at.is_(None))
        .order_by(CurrentRisk.residual_score.desc().nulls_last(), Supplier.search_key, Supplier.id)
    ).all()


def _top_risks(session: Session, rows: list, countries: Mapping[str, str]) -> list:
    top = [r for r in rows if r.tier is not None][:TOP_RISKS]
    results = dict(
        session.execute(
            select(RiskSnapshot.id, RiskSnapshot.result).where(
                RiskSnapshot.id.in_([r.snapshot_id for r in top])
            )
        ).all()
    )
    return [
        rc.RiskySupplier(
            r.code,
            r.legal_name,
            countries[r.country],
            r.tier,
            r.band,
            r.residual_score,
            _reasons(results.get(r.snapshot_id) or {}),
        )
        for r in top
    ]


def _concentrations(exe: dashboard.ExecutiveDashboard) -> list[rc.Concentration]:
    """The dashboard's concentration risks (critical links, shared 4th parties), then
    countries and highly exposed kinds of link that many scored suppliers share."""
    out = [rc.Concentration(c.kind, c.party, c.count, c.detail) for c in exe.concentration]
    scored = exe.scores.scored
    tier1 = exe.scores.by_tier.get(1, 0)
    if not scored:
        return out
    for row in exe.by_country:
        if row.total >= COUNTRY_SHARE * scored:
            detail = f"{round(100 * row.total / scored)}% of scored suppliers"
            if tier1:
                detail += f"; {row.by_tier.get(1, 0):,} of {tier1:,} tier 1"
            out.append(rc.Concentration("country", row.label, row.total, detail))
    for row in exe.by_kind:
        if KIND_EXPOSURE.get(row.key, 0) >= 4 and row.total >= EXPOSED_KIND_SHARE * scored:
            detail = (
                f"{row.total:,} scored suppliers ({round(100 * row.total / scored)}%) reach our "
                f"systems this way; {row.by_tier.get(1, 0):,} of them tier 1"
            )
            out.append(rc.Concentration("connection_kind", row.label, row.total, detail))
    return out


def _approved_in(session: Session, start: dt.date, end: dt.date) -> int:
    """Assessments of live suppliers approved from `start` to `end` (both days included)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Assessment)
            .join(Supplier, Supplier.id == Assessment.supplier_id)
            .where(
                Supplier.archived_at.is_(None),
                Assessment.status == "approved",
                Assessment.approved_at >= dt.datetime.combine(start, dt.time()),
                Assessment.approved_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
            )
        )
        or 0
    )


def portfolio_context(
    session: Session,
    *,
    org_name: str,
    period_start: dt.date,
    period_end: dt.date,
    today: dt.date,
    previous_facts: dict | None,
    now: dt.datetime | None = None,
) -> tuple[rc.PortfolioContext, dict]:
    """The portfolio report's context, and the facts to store with this run."""
    if period_end < period_start:
        raise ServiceError("The period ends before it starts.")
    exe = dashboard.executive(session, today)
    trend = exe.trend if period_end >= today else dashboard.trend(session, period_end)
    counts = findings_views.counts(session, today)
    rows = _appendix(session)
    countries = {code: country_name(code) for code in {r.country for r in rows}}
    figures = rc.KeyFigures(
        suppliers=len(rows),
        scored=exe.scores.scored,
        by_tier=dict(exe.scores.by_tier),
        by_band=dict(exe.scores.by_band),
        assessments_approved=_approved_in(session, period_start, period_end),
        assessments_overdue=exe.overdue_now,
        findings_open=counts.open,
        findings_overdue=counts.overdue,
        findings_by_severity=dict(counts.by_severity),
        acceptances_in_force=counts.accepted,
        acceptances_expiring=counts.expiring,
    )
    facts = report_facts.current_facts(
        session, today, [(r.id, r.tier) for r in rows if r.tier is not None]
    )
    names = {r.id: f"{r.legal_name} ({r.code})" for r in rows}
    labels = report_facts.labels(session, previous_facts, facts, names)
    ctx = rc.PortfolioContext(
        org_name=org_name,
        period_start=period_start,
        period_end=period_end,
        generated_at=now or utcnow(),
        figures=figures,
        heatmap=tuple(
            tuple(rc.HeatCell(c.likelihood, c.impact, c.count, c.band) for c in row)
            for row in exe.scores.heat
        ),
        trend=tuple(rc.TrendPoint(p.label, p.mean_score, p.severe, p.scored) for p in trend),
        top_risks=tuple(_top_risks(session, rows, countries)),
        changes=tuple(changes.diff(previous_facts, facts, labels)),
        first_report=not changes.usable(previous_facts),
        previous_as_of=changes.as_of(previous_facts),
        coverage=tuple(
            rc.CoverageRow(
                c.label,
                c.suppliers,
                c.assessed_percent,
                c.met_percent,
                None if c.mean_score is None else round(100 * c.mean_score),
            )
            for c in exe.coverage
        ),
        concentrations=tuple(_concentrations(exe)),
        appendix=tuple(
            rc.AppendixRow(
                r.code, r.legal_name, countries[r.country], r.tier, r.band, r.residual_score, r[7]
            )
            for r in rows
        ),
    )
    return ctx, facts


@dataclass(frozen=True)
class Rendered:
    """A built report: the PDF, its page count and (portfolio) the facts to store."""

    kind: str
    pdf: bytes
    pages: int
    facts: dict | None = None


def render(
    session: Session,
    kind: str,
    *,
    org_name: str,
    today: dt.date,
    supplier_id: int | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    previous_facts: dict | None = None,
) -> Rendered:
    """Gather and build one report of a kind of reports.REPORT_KINDS."""
    if kind not in REPORT_KINDS:
        raise ServiceError(f"Unknown kind of report: {kind!r} (one of {', '.join(REPORT_KINDS)}).")
    facts = None
    if kind == "supplier":
        if supplier_id is None:
            raise ServiceError("A supplier report needs a supplier.")
        ctx: Any = supplier_context(session, supplier_id, org_name=org_name, today=today)
    else:
        end = period_end or today
        ctx, facts = portfolio_context(
            session,
            org_name=org_name,
            period_start=period_start or end - dt.timedelta(days=30),
            period_end=end,
            today=today,
            previous_facts=previous_facts,
        )
    pdf = REPORT_KINDS[kind].build(ctx)
    return Rendered(kind, pdf, page_count(pdf), facts)
