"""Demo findings: gaps at demo suppliers, worked through the remediation workflow.

Run by app.services.demo.build_demo once the assessments and the risk history exist. Each
row of demo_data.FINDINGS is played through the real use cases (findings.create, move,
accept, expire_acceptances; remediation.update, comment, propose_plan, review_plan,
complete_milestone, add_evidence) by whoever would do it: the supplier's owner (an analyst),
the supplier's demo contact and the demo executive, each step on its own day (the services'
`today`). So the threads, the audit trail and the risk re-scoring are those of real use: the
verified finding lowers its supplier's residual risk. Together the rows show every status:
open without a plan, a plan awaiting review, in progress with a milestone done, resolved with
evidence awaiting verification, verified, risk accepted (one acceptance ending within days,
one months away), an acceptance that lapsed and reopened its finding, an accepted plan gone
overdue (the daily overdue marking runs at the end) and a rejected plan.

Where the supplier's approved assessment opened a finding for the row's control already,
that finding is taken (renamed, its contact set) rather than a second one made.
Idempotent on (supplier, control): a finding made by hand, or one with a thread, is left
alone; a row is played only on a new finding or an untouched one from an assessment.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Connection, Finding, Supplier, User
from app.services import Actor, findings, remediation
from app.services import demo_data as data
from app.services import files as file_store
from app.services.demo_assessments import Storage, analyst_for, document_pdf

STAFF = ("admin", "analyst")


class FindingScenario(NamedTuple):
    """One row of demo_data.FINDINGS."""

    code: str
    control: str
    severity: str
    title: str
    connection: str | None
    opened: int  # days from the seeding day
    description: str
    steps: list[tuple]


@dataclass
class _Play:
    session: Session
    today: dt.date
    storage: Storage
    supplier: Supplier
    finding: Finding
    people: dict[str, Actor | None]


def build_findings(session: Session, *, today: dt.date, storage: Storage | None = None) -> int:
    """Play the rows of demo_data.FINDINGS not played yet; returns how many were."""
    storage = storage or Storage.from_app()
    codes = sorted({row[0] for row in data.FINDINGS})
    suppliers = {
        s.code: s
        for s in session.scalars(select(Supplier).where(Supplier.code.in_(codes)))
        if not s.archived
    }
    executive = _executive(session)
    played = 0
    for scenario in map(FindingScenario._make, data.FINDINGS):
        supplier = suppliers.get(scenario.code)
        if supplier is not None:
            played += _play(session, today, storage, supplier, scenario, executive)
    if played:
        findings.mark_overdue(session, today)  # what the daily job would do
    return played


# -- people -----------------------------------------------------------------------------


def _user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _executive(session: Session) -> Actor | None:
    """The demo executive, else the demo admin (both may accept a risk); None if neither."""
    for role in ("executive", "admin"):
        for email, staff_role, _, _ in data.STAFF_USERS:
            user = _user(session, email) if staff_role == role else None
            if user is not None and user.active and user.role == role:
                return Actor.for_user(user)
    return None


def _contact(session: Session, supplier: Supplier) -> Actor | None:
    """The supplier's demo contact, when its account exists and may act for the supplier."""
    for email, _, _, code in data.CONTACT_USERS + data.INVITED_CONTACTS:
        if code != supplier.code:
            continue
        user = _user(session, email)
        if (
            user is not None
            and user.active
            and user.role == "supplier"
            and user.supplier_id == supplier.id
        ):
            return Actor.for_user(user)
    return None


def _owner(session: Session, finding: Finding | None, supplier: Supplier) -> Actor | None:
    """The finding's owner when an active analyst or admin, else the supplier's analyst."""
    owner = session.get(User, finding.owner_id) if finding and finding.owner_id else None
    if owner is not None and owner.active and owner.role in STAFF:
        return Actor.for_user(owner)
    return analyst_for(session, supplier)


# -- one scenario -----------------------------------------------------------------------


def _existing(session: Session, supplier: Supplier, control: str) -> tuple[Finding | None, bool]:
    """(the finding to play the row on, whether the row was played already)."""
    rows = session.scalars(
        select(Finding)
        .where(Finding.supplier_id == supplier.id, Finding.control == control)
        .order_by(Finding.id)
    ).all()
    if any(f.source != "assessment" or f.comments for f in rows):
        return None, True
    untouched = (f for f in rows if f.status == "open" and f.plan_status == "none")
    return next(untouched, None), False


def _connection(session: Session, supplier: Supplier, name: str | None) -> Connection | None:
    if name is None:
        return None
    return session.scalar(
        select(Connection).where(
            Connection.supplier_id == supplier.id,
            Connection.name == name,
            Connection.archived_at.is_(None),
        )
    )


def _play(
    session: Session,
    today: dt.date,
    storage: Storage,
    supplier: Supplier,
    sc: FindingScenario,
    executive: Actor | None,
) -> bool:
    found, played = _existing(session, supplier, sc.control)
    analyst = _owner(session, found, supplier)
    if played or analyst is None:
        return False
    contact = _contact(session, supplier)
    connection = _connection(session, supplier, sc.connection)
    if found is None:
        finding = findings.create(
            session,
            analyst,
            {
                "supplier": supplier.id,
                "control": sc.control,
                "title": sc.title,
                "description": sc.description,
                "severity": sc.severity,
                "connection": connection.id if connection else None,
            },
            today=today + dt.timedelta(days=sc.opened),
        )
    else:
        finding = found
    if found is not None or contact is not None:
        # The analyst words an assessment's finding for people, and names the contact.
        description = sc.description
        if found is not None:
            description += f"\n\nOpened by the approved assessment as: {found.title}."
        remediation.update(
            session,
            analyst,
            finding,
            {
                "title": sc.title,
                "description": description,
                "severity": finding.severity,  # an assessment's finding keeps the model's
                "owner": analyst.user_id,
                "contact": contact.user_id if contact else None,
                "connection": connection.id if connection else finding.connection_id,
                "due_on": finding.due_on,
            },
            today=today,
        )
    people = {"analyst": analyst, "contact": contact, "executive": executive}
    play = _Play(session, today, storage, supplier, finding, people)
    for step in sc.steps:
        _step(play, *step)
    return True


def _step(play: _Play, day: int, who: str, action: str, *args) -> None:
    """One step of a scenario, by `who`, dated `day` days from the seeding day (never before
    the finding was opened)."""
    session, finding = play.session, play.finding
    when = max(play.today + dt.timedelta(days=day), finding.opened_on)
    by = play.people[who]
    if by is None and who == "contact" and action != "comment":
        by = play.people["analyst"]  # the analyst records what the supplier sent
    if by is None:
        return
    if action == "comment":
        remediation.comment(session, by, finding, args[0])
    elif action == "plan":
        text, target, milestones = args
        lines = [f"{play.today + dt.timedelta(days=d):%Y-%m-%d} {title}" for d, title in milestones]
        values = {
            "plan": text,
            "plan_due_on": play.today + dt.timedelta(days=target),
            "milestones": "\n".join(lines),
        }
        remediation.propose_plan(session, by, finding, values, today=when)
    elif action == "review":
        remediation.review_plan(session, by, finding, args[0], args[1], today=when)
    elif action == "milestone":
        milestone = finding.milestones[args[0]]
        remediation.complete_milestone(session, by, finding, milestone.id, today=when)
    elif action == "evidence":
        title, note = args
        pdf = document_pdf(title, play.supplier.legal_name, finding.title)
        upload = file_store.Upload(_filename(title), pdf)
        remediation.add_evidence(
            session,
            by,
            finding,
            upload,
            note,
            root=play.storage.root,
            max_bytes=play.storage.max_bytes,
        )
    elif action == "move":
        findings.move(session, by, finding, args[0], args[1], today=when)
    elif action == "accept":
        expires = play.today + dt.timedelta(days=args[0])
        findings.accept(session, by, finding, args[1], expires, today=when)
    elif action == "expire":  # the daily job, run that day
        findings.expire_acceptances(session, Actor.system("job:expire-acceptances"), today=when)
    else:
        raise ValueError(f"Unknown demo finding step {action!r}.")


def _filename(title: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()
    return f"{slug or 'evidence'}.pdf"
