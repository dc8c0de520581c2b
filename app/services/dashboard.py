"""The role dashboards: the analyst's heat map and worklists, the executive's portfolio view.

Everything is aggregated in SQL over the current scores (`supplier_risk`) of live
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
    Float,
    and_,
    case,
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

from app.models import (
    Assessment,
    Connection,
    CurrentRisk,
    RiskCoverage,
    RiskSnapshot,
    Supplier,
    supplier_links,
)
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
    SHOWN_CUSTOMERS,
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
    return CurrentRisk.supplier_id == Supplier.id


def _score_rows(session: Session, *keys) -> list:
    """Current live snapshots counted per grid cell, band and tier (and any extra `keys`,
    e.g. supplier columns): (likelihood, impact, band, tier, *keys, count, effectiveness sum).
    """
    return session.execute(
        select(
            CurrentRisk.cell_likelihood,
            CurrentRisk.cell_impact,
            CurrentRisk.band,
            CurrentRisk.tier,
            *keys,
            func.count(),
            func.sum(CurrentRisk.effectiveness),
        )
        .join(Supplier, _current())
        .where(_live_supplier())
        .group_by(
            CurrentRisk.cell_likelihood,
            CurrentRisk.cell_impact,
            CurrentRisk.band,
            CurrentRisk.tier,
            *keys,
        )
    ).all()


def _fold_scores(session: Session, rows) -> ScoreCounts:
    """ScoreCounts from _score_rows rows (extra key columns are summed over)."""
    cells: dict[tuple[int, int], int] = defaultdict(int)
    by_band = dict.fromkeys(BANDS, 0)
    by_tier = dict.fromkeys(TIERS, 0)
    total_eff = 0.0
    for lik, imp, band_, tier, *_keys, n, eff in rows:
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


def _key_tier_rows(rows, index: int) -> list[tuple[str, int, int]]:
    """(key, tier, count) from _score_rows rows, the key being extra column `index`."""
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        counts[(row[4 + index], row[3])] += row[-2]
    return [(key, tier, n) for (key, tier), n in counts.items()]


def score_counts(session: Session) -> ScoreCounts:
    """Counts per grid cell, band and tier, and mean effectiveness (two queries)."""
    return _fold_scores(session, _score_rows(session))


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
    prev = CurrentRisk.previous_score
    worsening = (
        select(
            CurrentRisk.supplier_id.label("supplier_id"),
            literal("worsening").label("kind"),
            type_coerce(null(), Date).label("day"),
            cast(prev, Float).label("a"),
            cast(CurrentRisk.residual_score, Float).label("b"),
        )
        .join(Supplier, _current())
        .where(_live_supplier(), CurrentRisk.residual_score > prev + WORSENING_MIN)
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
    """One reason as a phrase, e.g. "2 overdue assessments (the first was due 2026-03-10)"."""
    n = int(a or 0)
    when = f"{day:%Y-%m-%d}" if day else ""
    if kind == "overdue":
        if n == 1:
            return f"Overdue assessment (due {when})" if day else "Overdue assessment"
        return f"{n} overdue assessments (the first was due {when})" if day else f"{n} overdue"
    if kind == "worsening":
        return f"Residual score rose from {a:.1f} to {b:.1f}"
    expired = day is not None and day < today
    if n == 1:
        if not day:
            return "Connection credential expiring"
        return f"Connection credential {'expired' if expired else 'expiring'} on {when}"
    what = "expired or expiring" if expired else "expiring"
    return f"{n} connection credentials {what} (the first on {when})" if day else what


def attention(session: Session, today: dt.date) -> tuple[list[AttentionItem], int]:
    """Suppliers needing attention (most reasons, then highest score, first) and their total."""
    reasons = _attention_reasons(today)
    n_reasons = func.count().label("n")
    top = (
        select(
            reasons.c.supplier_id,
            Supplier.legal_name,
            Supplier.code,
            CurrentRisk.band,
            CurrentRisk.tier,
            CurrentRisk.residual_score,
            n_reasons,
            func.count().over().label("total"),  # over the groups: suppliers with a reason
        )
        .join(Supplier, Supplier.id == reasons.c.supplier_id)
        .outerjoin(CurrentRisk, _current())
        .group_by(
            reasons.c.supplier_id,
            Supplier.legal_name,
            Supplier.code,
            Supplier.search_key,
            CurrentRisk.band,
            CurrentRisk.tier,
            CurrentRisk.residual_score,
        )
        .order_by(
            n_reasons.desc(),
            CurrentRisk.residual_score.desc().nulls_last(),
            Supplier.search_key,
            reasons.c.supplier_id,
        )
        .limit(LIST_LIMIT)
    )
    rows = session.execute(top).all()
    if not rows:
        return [], 0
    total = rows[0].total
    items = {
        sid: AttentionItem(sid, name, code, band_, tier, score)
        for sid, name, code, band_, tier, score, _n, _total in rows
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
    never = and_(CurrentRisk.tier.in_((1, 2)), ~assessed)
    rows = session.execute(
        select(
            Supplier.id,
            Supplier.legal_name,
            Supplier.code,
            CurrentRisk.tier,
            Supplier.next_reassessment_on,
            never.label("never"),
            func.count().over().label("total"),
        )
        .outerjoin(CurrentRisk, _current())
        .where(_live_supplier(), or_(Supplier.next_reassessment_on <= soon, never))
        .order_by(
            Supplier.next_reassessment_on.asc().nulls_last(),
            CurrentRisk.tier,
            Supplier.search_key,
            Supplier.id,
        )
        .limit(LIST_LIMIT)
    ).all()
    items = [
        DueItem(sid, name, code, tier, next_on, _due_reason(tier, next_on, never_, today, soon))
        for sid, name, code, tier, next_on, never_, _total in rows
    ]
    return items, (rows[0].total if rows else 0)


def _due_reason(
    tier: int | None, next_on: dt.date | None, never: bool, today: dt.date, soon: dt.date
) -> str:
    """Why a supplier is on the list, as a phrase: "Reassessment due 2026-12-15",
    "Tier 1 (critical), never assessed", "Tier 2 (high), never assessed; planned for ..."."""
    if never:
        text = f"{TIER_LABELS.get(tier, 'Not scored')}, never assessed"
        if next_on is not None and next_on < today:
            return f"{text}; was planned for {next_on:%Y-%m-%d}"
        if next_on is not None and next_on <= soon:
            return f"{text}; planned for {next_on:%Y-%m-%d}"
        return text
    if next_on is not None and next_on < today:
        return f"Reassessment overdue since {next_on:%Y-%m-%d}"
    return f"Reassessment due {next_on:%Y-%m-%d}" if next_on is not None else "Reassessment due"


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

    Each snapshot is valid from its computed_at until the supplier's next snapshot
    (superseded_at); at a cutoff the portfolio is every live supplier's snapshot valid then.
    """
    cutoffs = _month_cutoffs(today)
    spans = (
        select(
            RiskSnapshot.computed_at.label("start"),
            RiskSnapshot.superseded_at.label("stop"),
            RiskSnapshot.residual_score,
            RiskSnapshot.band,
        )
        .join(Supplier, Supplier.id == RiskSnapshot.supplier_id)
        .where(_live_supplier())
        .subquery("spans")
    )

    def months_up_to(moment):
        """How many cutoffs are at or before `moment` (all of them when it is NULL); the
        latest months are tested first, where most snapshots fall."""
        return case(
            (moment.is_(None), len(cutoffs)),
            *[(moment >= cutoffs[i][1], i + 1) for i in reversed(range(len(cutoffs)))],
            else_=0,
        )

    # A span counts at cutoff i when start < cutoff <= stop, i.e. for first <= i < last:
    # group the spans by that range of months, then add each group to its months.
    first, last = months_up_to(spans.c.start), months_up_to(spans.c.stop)
    rows = session.execute(
        select(
            first,
            last,
            func.count(),
            func.sum(spans.c.residual_score),
            func.count().filter(spans.c.band.in_(SEVERE)),
        )
        .where(or_(spans.c.stop.is_(None), spans.c.stop >= cutoffs[0][1]))
        .group_by(first, last)
    ).all()
    scored, total, severe = [0] * len(cutoffs), [0.0] * len(cutoffs), [0] * len(cutoffs)
    for lo, hi, n, score_sum, n_severe in rows:
        for i in range(lo, hi):
            scored[i] += n
            total[i] += float(score_sum or 0.0)
            severe[i] += n_severe
    return [
        TrendPoint(label, cutoff, scored[i], total[i] / scored[i] if scored[i] else None, severe[i])
        for i, (label, cutoff) in enumerate(cutoffs)
    ]


def _connection_breakdowns(
    session: Session,
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """(kind, tier, suppliers) and (internal system, tier, suppliers) of live scored
    suppliers, in one query over their current snapshots, which list the distinct kinds
    and systems of the supplier's live connections (so nothing is counted twice)."""
    rows = session.execute(
        select(
            CurrentRisk.tier,
            CurrentRisk.connection_kinds,
            CurrentRisk.internal_systems,
            func.count(),
        )
        .join(Supplier, _current())
        .where(_live_supplier())
        .group_by(CurrentRisk.tier, CurrentRisk.connection_kinds, CurrentRisk.internal_systems)
    ).all()
    by_kind: dict[tuple[str, int], int] = defaultdict(int)
    by_system: dict[tuple[str, int], int] = defaultdict(int)
    for tier, kinds, systems, n in rows:
        for kind in filter(None, kinds.split(",")):
            by_kind[(kind, tier)] += n
        for system in filter(None, systems.split(",")):
            by_system[(system, tier)] += n
    return (
        [(k, t, n) for (k, t), n in by_kind.items()],
        [(k, t, n) for (k, t), n in by_system.items()],
    )


def coverage(session: Session) -> list[FrameworkCoverage]:
    """Mean framework coverage over the current snapshots, summed in SQL (one row per
    framework) from risk_coverage; frameworks with no controls in scope are left out."""
    total = cast(RiskCoverage.total, Float)
    rows = session.execute(
        select(
            RiskCoverage.framework,
            func.count(),
            func.sum(RiskCoverage.assessed / total),
            func.sum(RiskCoverage.met / total),
            func.sum(RiskCoverage.score),
            func.count(RiskCoverage.score),
        )
        .join(Supplier, Supplier.id == RiskCoverage.supplier_id)
        .where(_live_supplier(), RiskCoverage.total > 0)
        .group_by(RiskCoverage.framework)
    ).all()
    sums = {
        fw: (n, assessed or 0.0, met or 0.0, score, scored)
        for fw, n, assessed, met, score, scored in rows
    }
    ordered = [k for k in FRAMEWORK_LABELS if k in sums] + sorted(
        k for k in sums if k not in FRAMEWORK_LABELS
    )
    out = []
    for key in ordered:
        n, assessed, met, score, scored = sums[key]
        out.append(
            FrameworkCoverage(
                key,
                FRAMEWORK_LABELS.get(key, key),
                int(n),
                round(100 * float(assessed) / n),
                round(100 * float(met) / n),
                (float(score) / scored) if scored else None,
            )
        )
    return out


def concentrations(session: Session, limit: int = BREAKDOWN_LIMIT) -> list[Concentration]:
    """The `limit` largest concentration risks: suppliers many critical connections run
    through, and 4th parties several live suppliers share (ranked and cut in SQL)."""
    links = session.execute(
        select(Supplier.id, Supplier.legal_name, CurrentRisk.critical_connections)
        .join(Supplier, _current())
        .where(_live_supplier(), CurrentRisk.critical_connections >= MIN_CRITICAL_CONNECTIONS)
        .order_by(CurrentRisk.critical_connections.desc(), Supplier.legal_name, Supplier.id)
        .limit(limit)
    ).all()
    customer, party = aliased(Supplier), aliased(Supplier)
    live_link = and_(customer.id == supplier_links.c.supplier_id, customer.archived_at.is_(None))
    shared = (
        select(supplier_links.c.sub_supplier_id.label("party_id"), func.count().label("n"))
        .join(customer, live_link)
        .group_by(supplier_links.c.sub_supplier_id)
        .having(func.count() >= MIN_SHARED_CUSTOMERS)
        .subquery("shared")
    )
    top = (
        select(shared.c.party_id, shared.c.n, party.legal_name.label("name"))
        .join(party, party.id == shared.c.party_id)
        .where(party.archived_at.is_(None))
        .order_by(shared.c.n.desc(), party.legal_name, shared.c.party_id)
        .limit(limit)
        .cte("top")
    )
    ranked = (
        select(
            supplier_links.c.sub_supplier_id.label("party_id"),
            customer.legal_name.label("customer"),
            func.row_number()
            .over(
                partition_by=supplier_links.c.sub_supplier_id,
                order_by=(customer.search_key, customer.id),
            )
            .label("rank"),
        )
        .join(customer, live_link)
        .where(supplier_links.c.sub_supplier_id.in_(select(top.c.party_id)))
        .subquery("ranked")
    )
    rows = session.execute(
        select(top.c.party_id, top.c.name, top.c.n, ranked.c.customer)
        .join(ranked, ranked.c.party_id == top.c.party_id)
        .where(ranked.c.rank <= SHOWN_CUSTOMERS + 1)
        .order_by(top.c.party_id, ranked.c.rank)
    ).all()
    parties: dict[int, tuple[str, int, list[str]]] = {}
    for pid, name, n, customer_name in rows:
        parties.setdefault(pid, (name, n, []))[2].append(customer_name)
    fourth = [(pid, name, n, names) for pid, (name, n, names) in parties.items()]
    return concentration(links, fourth)[:limit]


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
    scores = _score_rows(session, Supplier.category, Supplier.country)
    countries = _key_tier_rows(scores, 1)
    kinds, systems = _connection_breakdowns(session)
    return ExecutiveDashboard(
        today=today,
        inventory=inventory_stats.overview(session, today),
        scores=_fold_scores(session, scores),
        approved_recent=approved,
        overdue_now=overdue,
        trend=trend(session, today),
        by_category=breakdown(_key_tier_rows(scores, 0), vocab.SUPPLIER_CATEGORIES),
        by_country=breakdown(
            countries, {c: country_name(c) for c, _t, _n in countries}, limit=BREAKDOWN_LIMIT
        ),
        by_kind=breakdown(kinds, vocab.CONNECTION_KINDS),
        by_system=breakdown(systems, vocab.INTERNAL_SYSTEMS),
        coverage=coverage(session),
        concentration=concentrations(session),
    )
