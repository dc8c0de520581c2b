"""Remediation of findings: the supplier's plan and milestones, the thread, evidence files,
edits and bulk reassignment by staff, and the owners' reminders.

Supplier contacts act only on their own supplier's findings (check_supplier_side);
analysts and admins review plans and edit; executives read. Each use case flushes and
leaves the commit to the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import (
    Connection,
    Finding,
    FindingComment,
    FindingEvidence,
    FindingMilestone,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import Actor, ServiceError, notify
from app.services import files as file_store
from app.services import validation as v
from app.services.audit import record
from app.services.findings import (
    STAFF_EDITORS,
    _audit,
    check_supplier_side,
    event,
)
from risk_models.findings import SEVERITIES, needs_reminder, parse_milestones

MAX_PLAN_DAYS = 730  # a plan's target date at most two years after the finding opened
OPEN_STATUSES = ("open", "in_progress")
MAX_BULK = 500


def _staff_only(actor: Actor, what: str) -> None:
    if actor.role not in STAFF_EDITORS:
        raise ServiceError(f"Only analysts and administrators {what}.")


def _closed(finding: Finding) -> str | None:
    if finding.status == "verified":
        return "This finding is verified and closed."
    if finding.status == "accepted":
        return "This finding's risk is accepted; nothing is planned while the acceptance lasts."
    return None


def comment(session: Session, actor: Actor, finding: Finding, body: Any) -> FindingComment:
    """A message in the finding's thread, from staff or the supplier's contact."""
    check_supplier_side(actor, finding)
    if actor.role not in (*STAFF_EDITORS, "supplier"):
        raise ServiceError("Executives read the thread; analysts and the supplier write in it.")
    try:
        text = v.long_text(body, max_len=4000, required=True)
    except v.FieldError as exc:
        raise ServiceError("The comment was not posted.", {"body": str(exc)}) from None
    entry = event(session, actor, finding, text, kind="comment")
    session.flush()
    _audit(session, actor, "finding_comment", finding, f"Comment on finding {finding.id}")
    return entry


def propose_plan(
    session: Session,
    actor: Actor,
    finding: Finding,
    data: Mapping[str, Any],
    today: dt.date | None = None,
) -> Finding:
    """The supplier's plan: what it will do, by when, and the milestones on the way.

    A new proposal replaces the open milestones of an earlier one; an accepted plan is
    final unless an analyst rejects it later."""
    today = today or dt.date.today()
    check_supplier_side(actor, finding)
    if actor.role not in (*STAFF_EDITORS, "supplier"):
        raise ServiceError("Only the supplier or an analyst proposes a plan.")
    closed = _closed(finding)
    if closed or finding.status == "resolved":
        raise ServiceError(closed or "This finding is marked resolved; it awaits verification.")
    if finding.plan_status == "accepted":
        raise ServiceError("The plan was accepted already; post a comment to change it.")
    errors: dict[str, str] = {}
    plan = v.collect(errors, "plan", v.long_text, data.get("plan"), max_len=5000, required=True)
    earliest = max(today, finding.opened_on)
    latest = finding.opened_on + dt.timedelta(days=MAX_PLAN_DAYS)
    target = v.collect(
        errors, "plan_due_on", v.date, data.get("plan_due_on"), required=True,
        not_before=earliest, not_after=latest,
    )  # fmt: skip
    milestones, problems = parse_milestones(
        str(data.get("milestones") or ""), not_before=earliest, not_after=target
    )
    if problems:
        errors["milestones"] = " ".join(problems)
    if errors:
        raise ServiceError("The plan was not saved.", errors)
    for old in [m for m in finding.milestones if m.done_on is None]:
        finding.milestones.remove(old)
    for milestone in milestones:
        finding.milestones.append(FindingMilestone(title=milestone.title, due_on=milestone.due_on))
    finding.plan_status = "proposed"
    finding.plan_text = plan
    finding.plan_due_on = target
    finding.plan_proposed_at = utcnow()
    finding.plan_reviewed_at = None
    finding.plan_review_note = ""
    session.flush()
    event(
        session, actor, finding,
        f"Plan proposed: done by {target:%Y-%m-%d}, {len(milestones)} milestone(s).",
    )  # fmt: skip
    _audit(
        session, actor, "finding_plan", finding, f"Plan proposed for finding {finding.id}",
        plan_due_on=target.isoformat(), milestones=len(milestones),
    )  # fmt: skip
    if actor.role == "supplier" and finding.owner is not None:
        notify.send(
            [finding.owner.email],
            f"Plan proposed: {finding.title}",
            [
                f"{finding.supplier.legal_name} proposed a plan for finding {finding.id},",
                f"done by {target:%Y-%m-%d}. Accept or reject it:",
                notify.finding_url(finding),
            ],
        )
    return finding


def review_plan(
    session: Session,
    actor: Actor,
    finding: Finding,
    decision: str,
    note: Any = "",
    today: dt.date | None = None,
) -> Finding:
    """An analyst accepts the proposed plan (its date becomes the due date and work starts)
    or rejects it with the reason."""
    today = today or dt.date.today()
    _staff_only(actor, "accept or reject plans")
    if finding.plan_status != "proposed":
        raise ServiceError("There is no proposed plan to review.")
    if decision not in ("accept", "reject"):
        raise ServiceError("Choose accept or reject.")
    try:
        note = v.long_text(note, max_len=2000, required=decision == "reject")
    except v.FieldError:
        raise ServiceError(
            "Say why the plan is rejected.", {"note": "Say why the plan is rejected."}
        ) from None
    finding.plan_reviewed_at = utcnow()
    finding.plan_review_note = note
    if decision == "accept":
        finding.plan_status = "accepted"
        if finding.plan_due_on is not None and finding.plan_due_on != finding.due_on:
            finding.due_on = finding.plan_due_on
        if finding.due_on >= today:
            finding.overdue_since = None
        if finding.status == "open":
            finding.status = "in_progress"
        text = f"Plan accepted; due {finding.due_on:%Y-%m-%d}."
    else:
        finding.plan_status = "rejected"
        text = "Plan rejected."
    session.flush()
    event(session, actor, finding, f"{text} {note}".strip())
    _audit(
        session, actor, "finding_plan_review", finding,
        f"Plan for finding {finding.id} {decision}ed", decision=decision, note=note[:500],
    )  # fmt: skip
    return finding


def complete_milestone(
    session: Session,
    actor: Actor,
    finding: Finding,
    milestone_id: Any,
    today: dt.date | None = None,
) -> FindingMilestone:
    """Mark a plan's milestone done (the supplier or staff)."""
    today = today or dt.date.today()
    check_supplier_side(actor, finding)
    if actor.role not in (*STAFF_EDITORS, "supplier"):
        raise ServiceError("Only the supplier or an analyst updates milestones.")
    milestone = next((m for m in finding.milestones if m.id == v.record_id(milestone_id)), None)
    if milestone is None:
        raise ServiceError("No such milestone on this finding.")
    if milestone.done_on is not None:
        raise ServiceError("That milestone is done already.")
    closed = _closed(finding)
    if closed:
        raise ServiceError(closed)
    milestone.done_on = today
    session.flush()
    event(session, actor, finding, f"Milestone done: {milestone.title}.")
    _audit(session, actor, "finding_milestone", finding, f"Milestone done: {milestone.title}")
    return milestone


def add_evidence(
    session: Session,
    actor: Actor,
    finding: Finding,
    upload: file_store.Upload | None,
    note: Any,
    *,
    root: Path,
    max_bytes: int = file_store.DEFAULT_MAX_BYTES,
) -> FindingEvidence:
    """Attach a file that shows the fix (type checked from its content, size limited)."""
    check_supplier_side(actor, finding)
    if actor.role not in (*STAFF_EDITORS, "supplier"):
        raise ServiceError("Only the supplier or an analyst attaches evidence.")
    closed = _closed(finding)
    if closed:
        raise ServiceError(closed)
    if upload is None:
        raise ServiceError("Choose a file to upload.", {"file": "Choose a file to upload."})
    try:
        note = v.text(note, max_len=500)
    except v.FieldError as exc:
        raise ServiceError(str(exc), {"note": str(exc)}) from None
    stored = file_store.store(
        session, actor, upload, root=root, supplier_id=finding.supplier_id, max_bytes=max_bytes
    )
    attachment = FindingEvidence(
        finding_id=finding.id,
        file_id=stored.id,
        note=note,
        uploaded_by_email=actor.email[:255],
        uploaded_by_role=actor.role[:20],
    )
    session.add(attachment)
    session.flush()
    event(session, actor, finding, f"Evidence attached: {stored.original_name}.")
    _audit(
        session, actor, "finding_evidence", finding,
        f"Evidence for finding {finding.id}: {stored.original_name}", sha256=stored.sha256,
    )  # fmt: skip
    return attachment


def _staff_user(session: Session, raw: Any) -> User | None:
    user_id = v.record_id(raw)
    if user_id is None:
        return None
    return session.scalar(
        select(User)
        .join(User.roles)
        .where(User.id == user_id, User.active.is_(True), Role.name.in_(STAFF_EDITORS))
    )


def _supplier_contact(session: Session, raw: Any, supplier_id: int) -> User | None:
    user_id = v.record_id(raw)
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or user.supplier_id != supplier_id or user.role != "supplier":
        return None
    return user


def update(
    session: Session,
    actor: Actor,
    finding: Finding,
    data: Mapping[str, Any],
    today: dt.date | None = None,
) -> Finding:
    """Staff change a finding's facts: title, description, severity, owner, supplier
    contact, connection, due date (never before the finding was opened)."""
    today = today or dt.date.today()
    _staff_only(actor, "edit findings")
    errors: dict[str, str] = {}
    title = v.collect(errors, "title", v.text, data.get("title"), max_len=255, required=True)
    description = v.collect(
        errors, "description", v.long_text, data.get("description"), max_len=5000
    )
    level = data.get("severity")
    if level not in SEVERITIES:
        errors["severity"] = "Choose critical, high, medium or low."
    owner = None
    if not v.blank(data.get("owner")):
        owner = _staff_user(session, data.get("owner"))
        if owner is None:
            errors["owner"] = "Choose an active analyst or administrator."
    contact = None
    if not v.blank(data.get("contact")):
        contact = _supplier_contact(session, data.get("contact"), finding.supplier_id)
        if contact is None:
            errors["contact"] = "Choose a contact of this supplier."
    connection_id = None
    if not v.blank(data.get("connection")):
        connection_id = v.record_id(data.get("connection"))
        connection = session.get(Connection, connection_id or 0)
        if connection is None or connection.supplier_id != finding.supplier_id:
            errors["connection"] = "Choose one of this supplier's connections."
    due = v.collect(errors, "due_on", v.date, data.get("due_on"), required=True)
    if due is not None and due < finding.opened_on:
        errors["due_on"] = (
            f"The due date cannot be before the finding was opened "
            f"({finding.opened_on.isoformat()})."
        )
    if errors:
        raise ServiceError("The finding was not saved.", errors)
    before = {
        "title": finding.title, "severity": finding.severity, "due_on": finding.due_on.isoformat(),
        "owner_id": finding.owner_id, "contact_id": finding.contact_id,
    }  # fmt: skip
    finding.title = title
    finding.description = description or ""
    finding.severity = level
    finding.owner_id = owner.id if owner else None
    finding.contact_id = contact.id if contact else None
    finding.connection_id = connection_id
    if due != finding.due_on:
        finding.due_on = due
        finding.overdue_since = None if due >= today else finding.overdue_since
    session.flush()
    after = {
        "title": finding.title, "severity": finding.severity, "due_on": finding.due_on.isoformat(),
        "owner_id": finding.owner_id, "contact_id": finding.contact_id,
    }  # fmt: skip
    record(session, actor, "finding_edit", "finding", finding.id, f"Edited finding {finding.id}",
           before, after)  # fmt: skip
    return finding


def reassign(session: Session, actor: Actor, finding_ids: Iterable[Any], owner_id: Any) -> int:
    """Give many findings to one owner at once; returns how many changed hands."""
    _staff_only(actor, "reassign findings")
    ids = {i for i in (v.record_id(raw) for raw in finding_ids) if i is not None}
    if not ids:
        raise ServiceError("Tick the findings to reassign.", {"ids": "Tick at least one finding."})
    if len(ids) > MAX_BULK:
        raise ServiceError(f"At most {MAX_BULK} findings at once.")
    owner = _staff_user(session, owner_id)
    if owner is None:
        raise ServiceError(
            "Choose an active analyst or administrator as the new owner.",
            {"owner": "Choose an active analyst or administrator."},
        )
    rows = session.scalars(select(Finding).where(Finding.id.in_(ids))).all()
    if len(rows) != len(ids):
        raise ServiceError("Some of the ticked findings no longer exist; reload the list.")
    changed = [f for f in rows if f.owner_id != owner.id]
    for finding in changed:
        finding.owner_id = owner.id
        event(session, actor, finding, f"Reassigned to {owner.display_name}.")
        _audit(
            session, actor, "finding_reassign", finding,
            f"Finding {finding.id} reassigned to {owner.email}", owner_id=owner.id,
        )  # fmt: skip
    session.flush()
    return len(changed)


def remind_owners(session: Session, actor: Actor, today: dt.date | None = None) -> int:
    """E-mail each owner the findings due within a week or overdue (at most weekly per
    finding); returns how many findings were in a sent reminder. Without a mail server
    nothing is sent and nothing is marked, so it stays idempotent either way."""
    today = today or dt.date.today()
    rows = session.scalars(
        select(Finding)
        .options(joinedload(Finding.owner), joinedload(Finding.supplier))
        .where(Finding.status.in_(OPEN_STATUSES), Finding.owner_id.is_not(None))
        .order_by(Finding.due_on, Finding.id)
    ).all()
    due = [f for f in rows if needs_reminder(f.due_on, f.reminded_on, today)]

    def lines(f: Finding) -> list[str]:
        late = " (OVERDUE)" if f.due_on < today else ""
        return [
            f"- {f.due_on:%Y-%m-%d}{late} [{f.severity}] {f.supplier.legal_name}: {f.title}",
            f"  {notify.finding_url(f)}",
        ]

    sent = notify.owner_digests(
        due,
        owner=lambda f: f.owner,
        subject=lambda n: f"Chainlight: {n} finding(s) due",
        heading=lambda n: f"{n} finding(s) you own are due within a week or overdue:",
        lines=lines,
    )
    for finding in sent:
        finding.reminded_on = today
    session.flush()
    return len(sent)
