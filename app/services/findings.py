"""Findings: created from approved assessments or by analysts, moved through their
workflow, accepted for a time by an executive or admin, and reopened when that lapses.

Verified findings lower the supplier's residual risk through the risk model (each one is a
verified mitigation); a finding that reopens raises it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import (
    Assessment,
    Connection,
    Control,
    Finding,
    FindingComment,
    FindingEvidence,
    RiskAcceptance,
    Supplier,
)
from app.models.base import utcnow
from app.models.finding import FINDING_STATUSES, FINDING_TRANSITIONS
from app.services import Actor, ServiceError, notify, risk
from app.services import validation as v
from app.services.audit import record
from app.services.risk_inputs import summary_of
from risk_models.findings import DEFAULT_SLA_DAYS, SEVERITIES, due_date, needs_finding, severity

STAFF_EDITORS = ("admin", "analyst")
APPROVERS = ("admin", "executive")
MAX_ACCEPTANCE_DAYS = 366


def sla_days(session: Session) -> dict[str, int]:
    """Days to fix by severity: the organisation's SLA (Admin → Settings)."""
    row = risk.settings(session)
    return {key: getattr(row, f"sla_{key}_days") or DEFAULT_SLA_DAYS[key] for key in SEVERITIES}


MAX_SLA_DAYS = 730


def set_sla(session: Session, actor: Actor, values: Mapping[str, Any]) -> dict[str, int]:
    """Save the days-to-fix per severity (admins): whole days from 1 to MAX_SLA_DAYS, never
    shorter for a milder severity. Applies to findings opened from now on."""
    if actor.role not in ("admin", "system"):
        raise ServiceError("Only an administrator changes the SLA.")
    errors: dict[str, str] = {}
    days: dict[str, int] = {}
    for key in SEVERITIES:
        raw = values.get(key)
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if number is None and isinstance(raw, str) and raw.strip().isdigit():
            number = int(raw.strip())
        if number is None or not 1 <= number <= MAX_SLA_DAYS:
            errors[key] = f"Whole days from 1 to {MAX_SLA_DAYS}."
        else:
            days[key] = number
    if not errors:
        keys = list(SEVERITIES)
        for stricter, milder in zip(keys, keys[1:], strict=False):
            if days[milder] < days[stricter]:
                errors[milder] = (
                    f"{SEVERITIES[milder]} findings cannot get less time than "
                    f"{SEVERITIES[stricter].lower()} ones ({days[stricter]} days)."
                )
    if errors:
        raise ServiceError("The SLA was not saved.", errors)
    row = risk.settings(session)
    before = sla_days(session)
    for key, number in days.items():
        setattr(row, f"sla_{key}_days", number)
    session.flush()
    if before != days:
        record(session, actor, "sla_change", "org_settings", row.id, "Finding SLA changed",
               before, dict(days))  # fmt: skip
    return days


def _audit(session: Session, actor: Actor, action: str, finding: Finding, summary: str, **after):
    record(session, actor, action, "finding", finding.id, summary, None, after or None)


def event(
    session: Session, actor: Actor, finding: Finding, body: str, kind: str = "event"
) -> FindingComment:
    """An entry in the finding's thread, which both sides read: a workflow step ("event")
    or a message ("comment")."""
    entry = FindingComment(
        finding_id=finding.id,
        author_id=actor.user_id,
        author_email=actor.email[:255],
        author_role=actor.role[:20],
        kind=kind,
        body=body,
    )
    session.add(entry)
    return entry


def evidence_count(session: Session, finding: Finding) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(FindingEvidence)
            .where(FindingEvidence.finding_id == finding.id)
        )
        or 0
    )


def check_supplier_side(actor: Actor, finding: Finding) -> None:
    """A supplier contact acts only on its own supplier's findings."""
    if actor.role == "supplier" and actor.supplier_id != finding.supplier_id:
        raise ServiceError("This finding belongs to another supplier.")


def _assessment_title(control: str, name: str | None, score: float, source: str) -> str:
    """ "SR-6 Supplier assessments and reviews: scored 20% in C-SCRM Core v1, round 1"."""
    head = f"{control} {name}:" if name else control
    return f"{head} scored {round(100 * score)}% in {source}"[:255]


def from_assessment(
    session: Session, actor: Actor, assessment: Assessment, today: dt.date | None = None
) -> list[Finding]:
    """One finding per control the approved assessment scores below the threshold
    (idempotent: a control that already has its finding is skipped)."""
    today = today or dt.date.today()
    summary = summary_of(session, assessment)
    current = risk.current(session, assessment.supplier_id)
    tier = current.tier if current is not None else 4
    have = set(
        session.scalars(select(Finding.control).where(Finding.assessment_id == assessment.id))
    )
    sla = sla_days(session)
    names = dict(
        session.execute(
            select(Control.identifier, Control.title).where(
                Control.identifier.in_([c for c, _e, _w in summary.controls])
            )
        ).all()
    )
    made = []
    for control, earned, weight in summary.controls:
        score = earned / weight if weight else None
        if control in have or not needs_finding(score):
            continue
        level = severity(weight, tier, score)
        finding = Finding(
            supplier_id=assessment.supplier_id,
            connection_id=assessment.connection_id,
            assessment_id=assessment.id,
            control=control,
            source="assessment",
            title=_assessment_title(control, names.get(control), score, summary.source),
            severity=level,
            status="open",
            owner_id=assessment.reviewed_by_id,
            opened_on=today,
            due_on=due_date(today, level, sla),
        )
        session.add(finding)
        made.append(finding)
    session.flush()
    for finding in made:
        _audit(session, actor, "finding_create", finding, f"Finding: {finding.title}")
    return made


def create(
    session: Session, actor: Actor, data: Mapping[str, Any], today: dt.date | None = None
) -> Finding:
    """A finding an analyst adds (from an incident, a connection review...)."""
    if actor.role not in STAFF_EDITORS:
        raise ServiceError("Only analysts and administrators add findings.")
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    supplier = session.get(Supplier, v.record_id(data.get("supplier")) or 0)
    if supplier is None or supplier.archived_at is not None:
        errors["supplier"] = "Choose a live supplier."
    try:
        title = v.text(data.get("title"), max_len=255, required=True)
    except v.FieldError as exc:
        errors["title"], title = str(exc), ""
    try:
        description = v.long_text(data.get("description"), max_len=5000) or ""
    except v.FieldError as exc:
        errors["description"], description = str(exc), ""
    level = data.get("severity")
    if level not in SEVERITIES:
        errors["severity"] = "Choose critical, high, medium or low."
    connection_id = None
    if not v.blank(data.get("connection")):
        connection_id = v.record_id(data.get("connection"))
        connection = session.get(Connection, connection_id or 0)
        if connection is None or supplier is None or connection.supplier_id != supplier.id:
            errors["connection"] = "Choose one of this supplier's connections."
    control = v.collect(errors, "control", v.text, data.get("control"), max_len=40) or ""
    due = data.get("due_on")
    if due:
        try:
            due = v.date(due)
        except v.FieldError as exc:
            errors["due_on"], due = str(exc), None
        if due is not None and due < today:
            errors["due_on"] = "The due date cannot be before today."
    if errors:
        raise ServiceError("The finding was not saved.", errors)
    finding = Finding(
        supplier_id=supplier.id,
        connection_id=connection_id,
        control=control,
        source="manual",
        title=title,
        description=description,
        severity=level,
        status="open",
        owner_id=actor.user_id,
        opened_on=today,
        due_on=due or due_date(today, level, sla_days(session)),
    )
    session.add(finding)
    session.flush()
    _audit(session, actor, "finding_create", finding, f"Finding: {finding.title}")
    return finding


# Moves that need a reason in the thread: verifying (what shows the fix), rejecting a fix,
# reopening a verified finding.
NOTE_NEEDED = {
    ("resolved", "verified"): "Say what shows the fix works.",
    ("resolved", "in_progress"): "Say why the fix is not accepted.",
    ("verified", "open"): "Say why the finding is reopened.",
}


def move(
    session: Session,
    actor: Actor,
    finding: Finding,
    to: str,
    note: str = "",
    today: dt.date | None = None,
) -> Finding:
    """Move a finding along its workflow; only staff verify, and only what was resolved
    with evidence attached."""
    today = today or dt.date.today()
    check_supplier_side(actor, finding)
    if actor.role == "supplier":
        if to not in ("in_progress", "resolved"):
            raise ServiceError("A supplier can start work on a finding or mark it resolved.")
    elif actor.role not in STAFF_EDITORS and actor.role != "system":
        raise ServiceError("Executives read findings; they accept risk instead of editing.")
    if to not in FINDING_STATUSES:
        raise ServiceError("Unknown status.")
    if to not in FINDING_TRANSITIONS.get(finding.status, ()):
        raise ServiceError(
            f"A finding that is {FINDING_STATUSES[finding.status].lower()} cannot become "
            f"{FINDING_STATUSES[to].lower()}."
        )
    try:
        note = v.long_text(note, max_len=2000)
    except v.FieldError as exc:
        raise ServiceError(str(exc), {"note": str(exc)}) from None
    needed = NOTE_NEEDED.get((finding.status, to))
    if needed and not note:
        raise ServiceError(needed, {"note": needed})
    if to in ("resolved", "verified") and not evidence_count(session, finding):
        if to == "verified" or actor.role == "supplier":
            message = "Attach evidence of the fix first (a file that shows it is done)."
            raise ServiceError(message, {"file": message})
    before = finding.status
    finding.status = to
    if to == "verified":
        finding.verified_at = utcnow()
        finding.verified_by_id = actor.user_id
    if to == "open" and before == "verified":
        finding.reopened_on = today
        finding.verified_at = None
        finding.verified_by_id = None
    if to in ("open", "in_progress") and finding.due_on >= today:
        finding.overdue_since = None
    session.flush()
    text = f"{FINDING_STATUSES[before]} → {FINDING_STATUSES[to]}"
    event(session, actor, finding, f"{text}. {note}" if note else f"{text}.")
    _audit(
        session, actor, "finding_status", finding,
        f"Finding {finding.id}: {text}", status=to, note=note[:500],
    )  # fmt: skip
    if "verified" in (before, to):
        risk.refresh(session, "mitigation_changed", finding.supplier_id)
    return finding


def accept(
    session: Session,
    actor: Actor,
    finding: Finding,
    reason: str,
    expires_on: Any,
    today: dt.date | None = None,
) -> RiskAcceptance:
    """Accept the finding's risk until `expires_on` (executives and admins only)."""
    today = today or dt.date.today()
    if actor.role not in APPROVERS:
        raise ServiceError("Only an executive or an administrator can accept a risk.")
    if finding.status in ("verified", "accepted"):
        raise ServiceError("Only an open finding's risk can be accepted.")
    errors: dict[str, str] = {}
    try:
        reason = v.long_text(reason, max_len=2000, required=True)
    except v.FieldError:
        errors["reason"] = "Say why the risk is accepted."
    try:
        expires = v.date(expires_on) if expires_on else None
    except v.FieldError as exc:
        errors["expires_on"], expires = str(exc), None
    if expires is None and "expires_on" not in errors:
        errors["expires_on"] = "An acceptance needs an expiry date."
    elif expires is not None and not today < expires <= today + dt.timedelta(MAX_ACCEPTANCE_DAYS):
        errors["expires_on"] = "The expiry must be after today and within a year."
    if errors:
        raise ServiceError("The risk was not accepted.", errors)
    acceptance = RiskAcceptance(
        finding_id=finding.id,
        reason=reason,
        expires_on=expires,
        approved_by_id=actor.user_id,
        approved_by_email=actor.email[:255],
    )
    session.add(acceptance)
    finding.status = "accepted"
    finding.overdue_since = None
    session.flush()
    event(session, actor, finding, f"Risk accepted until {expires:%Y-%m-%d}.")
    _audit(
        session, actor, "finding_accept", finding,
        f"Risk of finding {finding.id} accepted until {expires:%Y-%m-%d}",
        reason=reason, expires_on=expires.isoformat(),
    )  # fmt: skip
    return acceptance


def expire_acceptances(session: Session, actor: Actor, today: dt.date | None = None) -> int:
    """Reopen findings whose acceptance has lapsed (idempotent); returns how many."""
    today = today or dt.date.today()
    lapsed = session.execute(
        select(RiskAcceptance, Finding)
        .join(Finding, Finding.id == RiskAcceptance.finding_id)
        .where(
            RiskAcceptance.expires_on < today,
            RiskAcceptance.lapsed_on.is_(None),
            Finding.status == "accepted",
        )
    ).all()
    for acceptance, finding in lapsed:
        acceptance.lapsed_on = today
        finding.status = "open"
        finding.reopened_on = today
        text = f"The risk acceptance lapsed on {acceptance.expires_on:%Y-%m-%d}; reopened."
        event(session, actor, finding, text)
        _audit(
            session, actor, "finding_reopen", finding,
            f"Acceptance of finding {finding.id} lapsed on {acceptance.expires_on:%Y-%m-%d}",
        )  # fmt: skip
    session.flush()
    for _acceptance, finding in lapsed:
        if finding.owner is not None:
            notify.send(
                [finding.owner.email],
                f"Risk acceptance lapsed: {finding.title}",
                [
                    f"The risk acceptance of finding {finding.id} ({finding.supplier.legal_name})"
                    " has lapsed, so the finding is open again and yours to follow up.",
                    "",
                    f"Finding: {finding.title}",
                    f"Due: {finding.due_on.isoformat()}",
                    notify.finding_url(finding),
                ],
            )
    return len(lapsed)


def mark_overdue(session: Session, today: dt.date | None = None) -> int:
    """Date the findings that passed their due date unfixed (idempotent); returns how many."""
    today = today or dt.date.today()
    result = session.execute(
        update(Finding)
        .where(
            Finding.status.in_(("open", "in_progress")),
            Finding.due_on < today,
            Finding.overdue_since.is_(None),
        )
        .values(overdue_since=today),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount or 0
