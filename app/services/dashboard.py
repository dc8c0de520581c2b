"""The role dashboards: the analyst's heat map and worklists, the executive's portfolio view.

Everything is aggregated in SQL over the current risk snapshots (`latest`) of live
suppliers, in a fixed number of queries whatever the number of suppliers: no query per
supplier and no ORM objects with relationships, only selected columns. The pure
risk_models.portfolio functions turn the counts into heat-map cells, breakdowns and
concentration risks, so the dashboard and the PDF reports share the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    and_,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.models import Assessment, Connection, RiskSnapshot, Supplier, supplier_links
from app.models.assessment import OPEN_FOR_SUPPLIER
from app.services import inventory_stats
from app.services.risk_inputs import appetite
from app.services.validation import country_name
from risk_models import vocab
from risk_models.attention import CREDENTIAL_WARNING_DAYS
from risk_models.controls import FRAMEWORK_LABELS
from risk_models.inherent import TIER_LABELS
from risk_models.portfolio import (
    MIN_CRITICAL_CONNECTIONS,
    MIN_SHARED_CUSTOMERS,
    TIERS,
    BreakdownRow,
    Concentration,
    HeatCell,
    breakdown,
    concentration,
    heatmap,
    share,
)
from risk_models.residual import BANDS
from risk_models.types import Appetite

LIST_LIMIT = 15  # rows per dashboard list; the total is shown beside it
DUE_WITHIN_DAYS = 30  # reassessments due this soon join the worklist
TREND_MONTHS = 12
APPROVED_WITHIN_DAYS = 90
# A current residual score this much above the previous snapshot's counts as worsening
# (ignores float noise from re-scoring the same inputs).
WORSENING_MIN = 0.05
SEVERE = ("high", "critical")
REVIEW_STATUSES = ("submitted", "under_review")
BREAKDOWN_LIMIT = 10


# --- the analyst's dashboard ------------------------------------------------------------


@dataclass
class ScoreCounts:
    """How the live suppliers' current scores spread: grid cells, bands, tiers."""

    scored: int = 0
    heat: list[list[HeatCell]] = field(default_factory=list)
    by_band: dict[str, int] = field(default_factory=dict)
    by_tier: dict[int, int] = field(default_factory=dict)
    mean_effectiveness: float | None = None
    appetite: Appetite = field(default_factory=Appetite)

    @property
    def severe(self) -> int:
        return sum(self.by_band.get(b, 0) for b in SEVERE)


@dataclass
class AttentionItem:
    supplier_id: int
    name: str
    code: str
    band: str | None
    tier: int | None
    residual_score: float | None
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewItem:
    assessment_id: int
    supplier_id: int
    name: str
    status: str
    submitted_at: dt.datetime | None


@dataclass(frozen=True)
class DueItem:
    supplier_id: int
    name: str
    code: str
    tier: int | None
    next_reassessment_on: dt.date | None
    reason: str


@dataclass
class AnalystDashboard:
    today: dt.date
    inventory: inventory_stats.Overview
    scores: ScoreCounts
    attention: list[AttentionItem]
    attention_total: int
    reviews: list[ReviewItem]
    reviews_total: int
    due: list[DueItem]
    due_total: int

    @property
    def unscored(self) -> int:
        return max(0, self.inventory.suppliers - self.scores.scored)


def _live_supplier():
    return Supplier.archived_at.is_(None)


def _live_connection():
    return and_(Connection.archived_at.is_(None), Connection.status != "retired")


def _current():
    """Join condition: the supplier's current snapshot."""
    return and_(RiskSnapshot.supplier_id == Supplier.id, RiskSnapshot.latest.is_(True))


def score_counts(session: Session) -> ScoreCounts:
    """Counts per grid cell, band and tier, and mean effectiveness (two queries)."""
    rows = session.execute(
        select(
            RiskSnapshot.cell_likelihood,
            RiskSnapshot.cell_impact,
            RiskSnapshot.band,
            RiskSnapshot.tier,
            func.count(),
            func.sum(RiskSnapshot.effectiveness),
        )
        .join(Supplier, _current())
        .where(_live_supplier())
        .group_by(
            RiskSnapshot.cell_likelihood,
            RiskSnapshot.cell_impact,
            RiskSnapshot.band,
            RiskSnapshot.tier,
        )
    ).all()
    cells: dict[tuple[int, int], int] = defaultdict(int)
    by_band = dict.fromkeys(BANDS, 0)
    by_tier = dict.fromkeys(TIERS, 0)
    total_eff = 0.0
    for lik, imp, band_, tier, n, eff in rows:
        cells[(lik, imp)] += n
        by_band[band_] = by_band.get(band_, 0) + n
        by_tier[tier] = by_tier.get(tier, 0) + n
        total_eff += eff or 0.0
    scored = sum(cells.values())
    org_appetite = appetite(session)
    return ScoreCounts(
        scored=scored,
        heat=heatmap(cells, org_appetite),
        appetite=org_appetite,
        by_band=by_band,
        by_tier=by_tier,
        mean_effectiveness=(total_eff / scored) if scored else None,
    )


def _previous_score():
    """Correlated subquery: the residual score of the snapshot before the current one."""
    prev = aliased(RiskSnapshot)
    return (
        select(prev.residual_score)
        .where(prev.supplier_id == RiskSnapshot.supplier_id, prev.latest.is_(False))
        .order_by(prev.computed_at.desc(), prev.id.desc())
        .limit(1)
        .correlate(RiskSnapshot)
        .scalar_subquery()
    )


def _attention_reasons(today: dt.date):
    """One row per (supplier, reason): kind, a date and two numbers, as a UNION ALL."""
    soon = today + dt.timedelta(days=CREDENTIAL_WARNING_DAYS)
    overdue = (
        select(
            Assessment.supplier_id.label("supplier_id"),
            literal("overdue").label("kind"),
            type_coerce(func.min(Assessment.due_on), Date).label("day"),
            cast(func.count(), Float).label("a"),
            cast(null(), Float).label("b"),
        )
        .join(Supplier, Supplier.id == Assessment.supplier_id)
        .where(
            _live_supplier(),
            Assessment.status.in_(OPEN_FOR_SUPPLIER),
            Assessment.due_on < today,
        )
        .group_by(Assessment.supplier_id)
    )
    prev = _previous_score()
    worsening = (
        select(
            RiskSnapshot.supplier_id.label("supplier_id"),
            literal("worsening").label("kind"),
            type_coerce(null(), Date).label("day"),
            cast(prev, Float).label("a"),
            cast(RiskSnapshot.residual_score, Float).label("b"),
        )
        .join(Supplier, _current())
        .where(_live_supplier(), RiskSnapshot.residual_score > prev + WORSENING_MIN)
    )
    credentials = (
        select(
            Connection.supplier_id.label("supplier_id"),
            literal("credentials").label("kind"),
            type_coerce(func.min(Connection.credential_expires_on), Date).label("day"),
            cast(func.count(), Float).label("a"),
            cast(null(), Float).label("b"),
        )
        .join(Supplier, Supplier.id == Connection.supplier_id)
        .where(_live_supplier(), _live_connection(), Connection.credential_expires_on <= soon)
        .group_by(Connection.supplier_id)
    )
    return union_all(overdue, worsening, credentials).subquery("reasons")


def _reason_text(kind: str, day: dt.date | None, a: float | None, b: float | None, today) -> str:
    if kind == "overdue":
        n = int(a or 0)
        what = "assessment" if n == 1 else f"{n} assessments"
        return f"Overdue {what} (due {day:%Y-%m-%d})" if day else f"Overdue {what}"
    if kind == "worsening":
        return f"Residual score rose from {a:.1f} to {b:.1f}"
    n = int(a or 0)
    what = "credential" if n == 1 else f"{n} credentials"
    if day is not None and day < today:
        return f"Connection {what} expired (since {day:%Y-%m-%d})"
    return f"Connection {what} expiring (first on {day:%Y-%m-%d})" if day else what


def attention(session: Session, today: dt.date) -> tuple[list[AttentionItem], int]:
    """Suppliers needing attention (most reasons, then highest score, first) and their total."""
    reasons = _attention_reasons(today)
    total = session.scalar(select(func.count(func.distinct(reasons.c.supplier_id)))) or 0
    if not total:
        return [], 0
    n_reasons = func.count().label("n")
    top = (
        select(
            reasons.c.supplier_id,
            Supplier.legal_name,
            Supplier.code,
            RiskSnapshot.band,
            RiskSnapshot.tier,
            RiskSnapshot.residual_score,
            n_reasons,
        )
        .join(Supplier, Supplier.id == reasons.c.supplier_id)
        .outerjoin(RiskSnapshot, _current())
        .group_by(
            reasons.c.supplier_id,
            Supplier.legal_name,
            Supplier.code,
            Supplier.search_key,
            RiskSnapshot.band,
            RiskSnapshot.tier,
            RiskSnapshot.residual_score,
        )
        .order_by(
            n_reasons.desc(),
            RiskSnapshot.residual_score.desc().nulls_last(),
            Supplier.search_key,
            reasons.c.supplier_id,
        )
        .limit(LIST_LIMIT)
    )
    items = {
        sid: AttentionItem(sid, name, code, band_, tier, score)
        for sid, name, code, band_, tier, score, _n in session.execute(top)
    }
    order = {"overdue": 0, "worsening": 1, "credentials": 2}
    detail = session.execute(
        select(
            reasons.c.supplier_id, reasons.c.kind, reasons.c.day, reasons.c.a, reasons.c.b
        ).where(reasons.c.supplier_id.in_(list(items)))
    ).all()
    for sid, kind, day, a, b in sorted(detail, key=lambda r: (r[0], order.get(r[1], 9))):
        items[sid].reasons.append(_reason_text(kind, day, a, b, today))
    return list(items.values()), total


def reviews(session: Session) -> tuple[list[ReviewItem], int]:
    """Submitted assessments awaiting review, oldest first, and how many there are."""
    rows = session.execute(
        select(
            Assessment.id,
            Assessment.supplier_id,
            Supplier.legal_name,
            Assessment.status,
            Assessment.submitted_at,
            func.count().over().label("total"),
        )
        .join(Supplier, Supplier.id == Assessment.supplier_id)
        .where(_live_supplier(), Assessment.status.in_(REVIEW_STATUSES))
        .order_by(Assessment.submitted_at.asc().nulls_last(), Assessment.id)
        .limit(LIST_LIMIT)
    ).all()
    total = rows[0].total if rows else 0
    return [ReviewItem(*r[:5]) for r in rows], total


def due_reassessments(session: Session, today: dt.date) -> tuple[list[DueItem], int]:
    """Suppliers due for reassessment within 30 days, and tier 1-2 ones never assessed."""
    soon = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    assessed = exists().where(
        Assessment.supplier_id == Supplier.id, Assessment.status != "cancelled"
    )
    never = and_(RiskSnapshot.tier.in_((1, 2)), ~assessed)
    rows = session.execute(
        select(
            Supplier.id,
            Supplier.legal_name,
            Supplier.code,
            RiskSnapshot.tier,
            Supplier.next_reassessment_on,
            never.label("never"),
            func.count().over().label("total"),
        )
        .outerjoin(RiskSnapshot, _current())
        .where(_live_supplier(), or_(Supplier.next_reassessment_on <= soon, never))
        .order_by(
            Supplier.next_reassessment_on.asc().nulls_last(),
            RiskSnapshot.tier,
            Supplier.search_key,
            Supplier.id,
        )
        .limit(LIST_LIMIT)
    ).all()
    items = []
    for sid, name, code, tier, next_on, never_assessed, _total in rows:
        if next_on is not None and next_on < today:
            reason = f"Reassessment overdue since {next_on:%Y-%m-%d}"
        elif next_on is not None and next_on <= soon:
            reason = f"Reassessment due {next_on:%Y-%m-%d}"
        else:
            reason = f"Never assessed ({TIER_LABELS.get(tier, 'tier ?')})"
        if never_assessed and next_on is not None:
            reason += "; never assessed"
        items.append(DueItem(sid, name, code, tier, next_on, reason))
    return items, (rows[0].total if rows else 0)


def analyst(session: Session, today: dt.date | None = None) -> AnalystDashboard:
    """Everything the analyst's start page shows, in a fixed number of queries."""
    today = today or dt.date.today()
    items, total = attention(session, today)
    review_items, review_total = reviews(session)
    due_items, due_total = due_reassessments(session, today)
    return AnalystDashboard(
        today=today,
        inventory=inventory_stats.overview(session, today),
        scores=score_counts(session),
        attention=items,
        attention_total=total,
        reviews=review_items,
        reviews_total=review_total,
        due=due_items,
        due_total=due_total,
    )


# --- the executive's portfolio view -----------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    label: str
    cutoff: dt.datetime
    scored: int
    mean_score: float | None
    severe: int


@dataclass(frozen=True)
class FrameworkCoverage:
    framework: str
    label: str
    suppliers: int  # suppliers with this framework in scope
    assessed_percent: int  # mean share of the framework's controls the answers reach
    met_percent: int  # mean share of its controls met
    mean_score: float | None  # mean control score where assessed (0..1)


@dataclass
class ExecutiveDashboard:
    today: dt.date
    inventory: inventory_stats.Overview
    scores: ScoreCounts
    approved_recent: int
    overdue_now: int
    trend: list[TrendPoint]
    by_category: list[BreakdownRow]
    by_country: list[BreakdownRow]
    by_kind: list[BreakdownRow]
    by_system: list[BreakdownRow]
    coverage: list[FrameworkCoverage]
    concentration: list[Concentration]

    @property
    def severe_share(self) -> int:
        return share(self.scores.severe, self.scores.scored)

    @property
    def unscored(self) -> int:
        return max(0, self.inventory.suppliers - self.scores.scored)


def _month_cutoffs(today: dt.date, months: int = TREND_MONTHS) -> list[tuple[str, dt.datetime]]:
    """(label, exclusive cutoff) for the last `months` month ends; the current month to date."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        if (year, month) == (today.year, today.month):
            cutoff = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
        else:
            nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
            cutoff = dt.datetime.combine(nxt, dt.time())
        out.append((f"{year:04d}-{month:02d}", cutoff))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def trend(session: Session, today: dt.date) -> list[TrendPoint]:
    """Mean residual score and count in high+critical at each month end (one query).

    Each snapshot is valid from its computed_at until the supplier's next snapshot; at a
    cutoff the portfolio is every live supplier's snapshot valid then.
    """
    cutoffs = _month_cutoffs(today)
    stop = func.lead(RiskSnapshot.computed_at).over(
        partition_by=RiskSnapshot.supplier_id,
        order_by=(RiskSnapshot.computed_at, RiskSnapshot.id),
    )
    spans = (
        select(
            RiskSnapshot.supplier_id,
            RiskSnapshot.computed_at.label("start"),
            stop.label("stop"),
            RiskSnapshot.residual_score,
            RiskSnapshot.band,
        )
        .join(Supplier, Supplier.id == RiskSnapshot.supplier_id)
        .where(_live_supplier())
        .subquery("spans")
    )
    months = union_all(
        *[
            select(
                cast(literal(i), Integer).label("idx"),
                literal(cutoff, DateTime).label("cutoff"),
            )
            for i, (_label, cutoff) in enumerate(cutoffs)
        ]
    ).subquery("months")
    rows = session.execute(
        select(
            months.c.idx,
            func.count(spans.c.supplier_id),
            func.avg(spans.c.residual_score),
            func.count().filter(spans.c.band.in_(SEVERE)),
        )
        .select_from(months)
        .join(
            spans,
            and_(
                spans.c.start < months.c.cutoff,
                or_(spans.c.stop.is_(None), spans.c.stop >= months.c.cutoff),
            ),
        )
        .group_by(months.c.idx)
    ).all()
    found = {idx: (n, mean, severe) for idx, n, mean, severe in rows}
    points = []
    for i, (label, cutoff) in enumerate(cutoffs):
        n, mean, severe = found.get(i, (0, None, 0))
        points.append(TrendPoint(label, cutoff, n, float(mean) if n else None, severe))
    return points


def _tier_rows(session: Session, key) -> list[tuple[str, int, int]]:
    return session.execute(
        select(key, RiskSnapshot.tier, func.count())
        .join(Supplier, _current())
        .where(_live_supplier())
        .group_by(key, RiskSnapshot.tier)
    ).all()


def _connection_tier_rows(session: Session, key) -> list[tuple[str, int, int]]:
    """(value, tier, suppliers with a live connection of that value)."""
    return session.execute(
        select(key, RiskSnapshot.tier, func.count(func.distinct(Supplier.id)))
        .select_from(RiskSnapshot)
        .join(Supplier, _current())
        .join(Connection, Connection.supplier_id == Supplier.id)
        .where(_live_supplier(), _live_connection())
        .group_by(key, RiskSnapshot.tier)
    ).all()


def coverage(session: Session) -> list[FrameworkCoverage]:
    """Mean framework coverage over the current snapshots (reads only their coverage part)."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0])
    for (items,) in session.execute(
        select(RiskSnapshot.result["coverage"]).join(Supplier, _current()).where(_live_supplier())
    ):
        for c in items or ():
            total = c.get("total") or 0
            if not total:
                continue
            acc = sums[c["framework"]]
            acc[0] += 1
            acc[1] += (c.get("assessed") or 0) / total
            acc[2] += (c.get("met") or 0) / total
            if c.get("score") is not None:
                acc[3] += c["score"]
                acc[4] += 1
    ordered = [k for k in FRAMEWORK_LABELS if k in sums] + sorted(
        k for k in sums if k not in FRAMEWORK_LABELS
    )
    return [
        FrameworkCoverage(
            key,
            FRAMEWORK_LABELS.get(key, key),
            int(sums[key][0]),
            round(100 * sums[key][1] / sums[key][0]),
            round(100 * sums[key][2] / sums[key][0]),
            (sums[key][3] / sums[key][4]) if sums[key][4] else None,
        )
        for key in ordered
    ]


def concentrations(session: Session) -> list[Concentration]:
    """Suppliers many critical connections run through; 4th parties several suppliers share."""
    links = session.execute(
        select(Supplier.id, Supplier.legal_name, RiskSnapshot.critical_connections)
        .join(Supplier, _current())
        .where(_live_supplier(), RiskSnapshot.critical_connections >= MIN_CRITICAL_CONNECTIONS)
    ).all()
    customer, party = aliased(Supplier), aliased(Supplier)
    live_link = and_(customer.id == supplier_links.c.supplier_id, customer.archived_at.is_(None))
    shared_ids = (
        select(supplier_links.c.sub_supplier_id)
        .join(customer, live_link)
        .group_by(supplier_links.c.sub_supplier_id)
        .having(func.count() >= MIN_SHARED_CUSTOMERS)
    )
    rows = session.execute(
        select(party.id, party.legal_name, customer.legal_name)
        .select_from(supplier_links)
        .join(customer, live_link)
        .join(party, party.id == supplier_links.c.sub_supplier_id)
        .where(party.archived_at.is_(None), party.id.in_(shared_ids))
        .order_by(party.id, customer.search_key, customer.id)
    ).all()
    shared: dict[int, tuple[str, list[str]]] = {}
    for pid, name, customer_name in rows:
        shared.setdefault(pid, (name, []))[1].append(customer_name)
    return concentration(links, [(pid, name, names) for pid, (name, names) in shared.items()])


def executive(session: Session, today: dt.date | None = None) -> ExecutiveDashboard:
    """The portfolio view: KPIs, trend, breakdowns, coverage, concentration."""
    today = today or dt.date.today()
    since = dt.datetime.combine(today - dt.timedelta(days=APPROVED_WITHIN_DAYS), dt.time())
    approved, overdue = session.execute(
        select(
            func.count().filter(Assessment.status == "approved", Assessment.approved_at >= since),
            func.count().filter(
                Assessment.status.in_(OPEN_FOR_SUPPLIER), Assessment.due_on < today
            ),
        )
        .select_from(Assessment)
        .join(Supplier, Supplier.id == Assessment.supplier_id)
        .where(_live_supplier())
    ).one()
    countries = _tier_rows(session, Supplier.country)
    return ExecutiveDashboard(
        today=today,
        inventory=inventory_stats.overview(session, today),
        scores=score_counts(session),
        approved_recent=approved,
        overdue_now=overdue,
        trend=trend(session, today),
        by_category=breakdown(_tier_rows(session, Supplier.category), vocab.SUPPLIER_CATEGORIES),
        by_country=breakdown(
            countries, {c: country_name(c) for c, _t, _n in countries}, limit=BREAKDOWN_LIMIT
        ),
        by_kind=breakdown(_connection_tier_rows(session, Connection.kind), vocab.CONNECTION_KINDS),
        by_system=breakdown(
            _connection_tier_rows(session, Connection.internal_system), vocab.INTERNAL_SYSTEMS
        ),
        coverage=coverage(session),
        concentration=concentrations(session)[:BREAKDOWN_LIMIT],
    )
