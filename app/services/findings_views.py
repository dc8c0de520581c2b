"""What the findings screens read: the register's filters and query, the overdue
worklist, the exceptions (risk acceptances) list, a supplier's remediation plan, counts,
and the register's export rows. Reads only; nothing here changes data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import Connection, Finding, FindingEvidence, RiskAcceptance, Role, Supplier, User
from app.models.finding import FINDING_STATUSES, PLAN_STATUSES
from app.models.text import search_key
from app.services import validation as v
from risk_models.findings import FRAMEWORK_LABELS, SEVERITIES

PER_PAGE = 50
EXPIRING_DAYS = 30  # an acceptance lapsing within this many days is "expiring"
OPEN_STATUSES = ("open", "in_progress")
# "active" = anything not yet closed (verified) and not accepted.
STATUS_CHOICES: dict[str, str] = {
    "active": "Not closed",
    "unfixed": "Open or in progress",
    **FINDING_STATUSES,
}
SEVERITY_ORDER = case(
    {key: n for n, key in enumerate(SEVERITIES)}, value=Finding.severity, else_=len(SEVERITIES)
)
SORTS: dict[str, Any] = {
    "due": Finding.due_on,
    "severity": SEVERITY_ORDER,
    "supplier": Supplier.search_key,
    "status": Finding.status,
    "opened": Finding.opened_on,
    "control": Finding.control,
}


def is_overdue(finding: Finding, today: dt.date) -> bool:
    return finding.status in OPEN_STATUSES and finding.due_on < today


def overdue_condition(today: dt.date):
    return and_(Finding.status.in_(OPEN_STATUSES), Finding.due_on < today)


def framework_condition(key: str):
    """SQL for 'the finding's control belongs to this framework' (risk_models.framework_of)."""
    csf = Finding.control.like("__.__-%")
    iso = Finding.control.like("ISO28000-%")
    if key == "csf2":
        return csf
    if key == "iso28000":
        return iso
    return and_(Finding.control != "", not_(csf), not_(iso))


@dataclass(frozen=True)
class FindingFilters:
    """What the register is filtered and sorted by (all optional)."""

    q: str = ""
    severity: str = ""
    status: str = ""
    overdue: bool = False
    supplier_id: int | None = None
    control: str = ""
    framework: str = ""
    owner_id: int | None = None
    plan: str = ""
    sort: str = "due"

    @classmethod
    def from_args(cls, args: Mapping[str, Any], **overrides: Any) -> FindingFilters:
        """Filters from query arguments; unknown or malformed values are ignored."""

        def known(name: str, vocabulary: Mapping[str, str]) -> str:
            value = args.get(name)
            return value if isinstance(value, str) and value in vocabulary else ""

        sort = str(args.get("sort", "due"))
        control = str(args.get("control", "")).strip()[:40]
        values = dict(
            q="".join(ch for ch in str(args.get("q", ""))[:100] if not v.has_control_chars(ch)),
            severity=known("severity", SEVERITIES),
            status=known("status", STATUS_CHOICES),
            overdue=str(args.get("overdue", "")) in {"1", "true", "yes", "on"},
            supplier_id=v.record_id(args.get("supplier_id")),
            control=control if not v.has_control_chars(control) else "",
            framework=known("framework", FRAMEWORK_LABELS),
            owner_id=v.record_id(args.get("owner")),
            plan=known("plan", PLAN_STATUSES),
            sort=sort if sort.lstrip("-") in SORTS else "due",
        )
        values.update(overrides)
        return cls(**values)

    @property
    def filtered(self) -> bool:
        return any(
            (self.q, self.severity, self.status, self.overdue, self.supplier_id, self.control,
             self.framework, self.owner_id, self.plan)
        )  # fmt: skip


def list_query(filters: FindingFilters, today: dt.date | None = None) -> Select:
    """A SELECT of findings (supplier and owner loaded) matching the filters."""
    today = today or dt.date.today()
    stmt = (
        select(Finding)
        .join(Finding.supplier)
        .options(joinedload(Finding.supplier), selectinload(Finding.owner))
    )
    if term := filters.q.strip():
        folded, lowered = search_key(term), term.lower()
        stmt = stmt.where(
            or_(
                func.lower(Finding.title).contains(lowered, autoescape=True),
                Supplier.search_key.contains(folded, autoescape=True),
                Supplier.code.contains(term.upper(), autoescape=True),
                Finding.control.contains(term.upper(), autoescape=True),
            )
        )
    if filters.severity:
        stmt = stmt.where(Finding.severity == filters.severity)
    if filters.status == "active":
        stmt = stmt.where(Finding.status.in_(("open", "in_progress", "resolved")))
    elif filters.status == "unfixed":
        stmt = stmt.where(Finding.status.in_(OPEN_STATUSES))
    elif filters.status:
        stmt = stmt.where(Finding.status == filters.status)
    if filters.overdue:
        stmt = stmt.where(overdue_condition(today))
    if filters.supplier_id:
        stmt = stmt.where(Finding.supplier_id == filters.supplier_id)
    if filters.control:
        stmt = stmt.where(Finding.control == filters.control)
    if filters.framework:
        stmt = stmt.where(framework_condition(filters.framework))
    if filters.owner_id:
        stmt = stmt.where(Finding.owner_id == filters.owner_id)
    if filters.plan:
        stmt = stmt.where(Finding.plan_status == filters.plan)
    key = filters.sort.lstrip("-")
    column = SORTS[key]
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    return stmt.order_by(order, Finding.due_on, Finding.id)


def owner_choices(session: Session) -> list[tuple[str, str]]:
    """(id, name) of active analysts and admins, who may own findings."""
    stmt = (
        select(User)
        .join(User.roles)
        .where(Role.name.in_(["admin", "analyst"]), User.active.is_(True))
        .order_by(func.lower(User.name), User.email)
    )
    return [(str(u.id), f"{u.display_name} <{u.email}>") for u in session.scalars(stmt)]


def contact_choices(session: Session, supplier_id: int) -> list[tuple[str, str]]:
    """(id, name) of the supplier's active contacts."""
    stmt = (
        select(User)
        .where(User.supplier_id == supplier_id, User.active.is_(True))
        .order_by(func.lower(User.name), User.email)
    )
    return [(str(u.id), f"{u.display_name} <{u.email}>") for u in session.scalars(stmt)]


def connection_choices(session: Session, supplier_id: int | None = None) -> list[tuple[str, str]]:
    """(id, name) of live connections a finding may name: one supplier's, or every
    supplier's labelled with the supplier's code."""
    stmt = (
        select(Connection.id, Connection.name, Supplier.code)
        .join(Supplier, Supplier.id == Connection.supplier_id)
        .where(Connection.archived_at.is_(None))
        .order_by(Supplier.code, func.lower(Connection.name), Connection.id)
    )
    if supplier_id is not None:
        stmt = stmt.where(Connection.supplier_id == supplier_id)
        return [(str(cid), name) for cid, name, _code in session.execute(stmt)]
    return [(str(cid), f"{code} · {name}") for cid, name, code in session.execute(stmt)]


def attachment_of(session: Session, finding_id: int, attachment_id: int) -> FindingEvidence | None:
    """An evidence file attached to this finding (None when it belongs to another)."""
    return session.scalar(
        select(FindingEvidence).where(
            FindingEvidence.id == attachment_id, FindingEvidence.finding_id == finding_id
        )
    )


def control_choices(session: Session) -> list[str]:
    """The controls that have findings (for the register's filter)."""
    return list(
        session.scalars(
            select(Finding.control)
            .where(Finding.control != "")
            .distinct()
            .order_by(Finding.control)
        )
    )


def load_finding(session: Session, finding_id: int) -> Finding | None:
    """One finding with everything its page shows, in a fixed number of queries."""
    return session.scalar(
        select(Finding)
        .where(Finding.id == finding_id)
        .options(
            joinedload(Finding.supplier),
            joinedload(Finding.owner),
            joinedload(Finding.contact),
            joinedload(Finding.connection),
            selectinload(Finding.milestones),
            selectinload(Finding.comments),
            selectinload(Finding.attachments),
            selectinload(Finding.acceptances),
        )
    )


@dataclass
class Counts:
    """Headline numbers for a set of findings."""

    open: int = 0
    overdue: int = 0
    resolved: int = 0  # awaiting verification
    plans_to_review: int = 0
    accepted: int = 0
    expiring: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)


def counts(
    session: Session,
    today: dt.date | None = None,
    *,
    supplier_id: int | None = None,
    owner_id: int | None = None,
) -> Counts:
    """Open, overdue, awaiting verification, plans to review, accepted, expiring (one query
    for the findings, one for the acceptances)."""
    today = today or dt.date.today()
    scope = []
    if supplier_id is not None:
        scope.append(Finding.supplier_id == supplier_id)
    if owner_id is not None:
        scope.append(Finding.owner_id == owner_id)
    is_open = Finding.status.in_(OPEN_STATUSES)
    columns = [
        func.count().filter(is_open),
        func.count().filter(overdue_condition(today)),
        func.count().filter(Finding.status == "resolved"),
        func.count().filter(Finding.plan_status == "proposed", is_open),
        func.count().filter(Finding.status == "accepted"),
        *(func.count().filter(is_open, Finding.severity == key) for key in SEVERITIES),
    ]
    row = session.execute(select(*columns).select_from(Finding).where(*scope)).one()
    result = Counts(*row[:5])
    result.by_severity = dict(zip(SEVERITIES, row[5:], strict=True))
    result.expiring = (
        session.scalar(
            select(func.count())
            .select_from(RiskAcceptance)
            .join(Finding, Finding.id == RiskAcceptance.finding_id)
            .where(
                *scope,
                Finding.status == "accepted",
                RiskAcceptance.lapsed_on.is_(None),
                RiskAcceptance.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS),
            )
        )
        or 0
    )
    return result


def open_count(session: Session, supplier_id: int) -> int:
    """How many of a supplier's findings are open or in progress (the portal's badge)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Finding)
            .where(Finding.supplier_id == supplier_id, Finding.status.in_(OPEN_STATUSES))
        )
        or 0
    )


ACCEPTANCE_VIEWS = {"active": "In force", "expiring": "Expiring soon", "lapsed": "Lapsed"}


def acceptances_query(view: str, today: dt.date | None = None) -> Select:
    """Risk acceptances (exceptions) with their finding and supplier: in force, expiring
    within EXPIRING_DAYS, or lapsed."""
    today = today or dt.date.today()
    stmt = (
        select(RiskAcceptance, Finding, Supplier)
        .join(Finding, Finding.id == RiskAcceptance.finding_id)
        .join(Supplier, Supplier.id == Finding.supplier_id)
    )
    if view == "lapsed":
        return stmt.where(RiskAcceptance.lapsed_on.is_not(None)).order_by(
            RiskAcceptance.lapsed_on.desc(), RiskAcceptance.id.desc()
        )
    stmt = stmt.where(RiskAcceptance.lapsed_on.is_(None), Finding.status == "accepted")
    if view == "expiring":
        stmt = stmt.where(RiskAcceptance.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS))
    return stmt.order_by(RiskAcceptance.expires_on, RiskAcceptance.id)


def supplier_plan(session: Session, supplier_id: int) -> list[Finding]:
    """A supplier's findings with their plans and milestones, the unfinished first."""
    order = case({"open": 0, "in_progress": 1, "resolved": 2, "accepted": 3}, value=Finding.status,
                 else_=4)  # fmt: skip
    return list(
        session.scalars(
            select(Finding)
            .where(Finding.supplier_id == supplier_id)
            .options(selectinload(Finding.milestones), selectinload(Finding.owner))
            .order_by(order, SEVERITY_ORDER, Finding.due_on, Finding.id)
        )
    )


def portal_findings(session: Session, supplier_id: int) -> list[Finding]:
    """What a supplier contact sees: its own supplier's findings, the unfinished first."""
    return supplier_plan(session, supplier_id)


# The register's export: one row per finding, in these columns.
EXPORT_COLUMNS = (
    "id", "supplier_code", "supplier", "title", "control", "framework", "severity", "status",
    "overdue", "opened_on", "due_on", "owner", "plan_status", "plan_due_on", "connection",
    "source",
)  # fmt: skip


def export_row(finding: Finding, today: dt.date) -> list[Any]:
    from risk_models.findings import framework_of

    return [
        finding.id,
        finding.supplier.code,
        finding.supplier.legal_name,
        finding.title,
        finding.control,
        framework_of(finding.control),
        finding.severity,
        finding.status,
        "yes" if is_overdue(finding, today) else "no",
        finding.opened_on,
        finding.due_on,
        finding.owner.email if finding.owner else "",
        finding.plan_status,
        finding.plan_due_on,
        finding.connection.name if finding.connection else "",
        finding.source,
    ]


def export_rows(
    session: Session, filters: FindingFilters, today: dt.date | None = None, batch: int = 500
) -> Iterator[list[Any]]:
    """Every finding the register shows for these filters, as export rows, in batches."""
    today = today or dt.date.today()
    stmt = list_query(filters, today).options(selectinload(Finding.connection))
    offset = 0
    while True:
        chunk = session.scalars(stmt.limit(batch).offset(offset)).unique().all()
        for finding in chunk:
            yield export_row(finding, today)
        if len(chunk) < batch:
            return
        offset += batch
