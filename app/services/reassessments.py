"""Reassessment reminders: each supplier's owner hears, at most weekly, about the suppliers
whose next reassessment falls due within two weeks (or is past) and for which no
questionnaire is already out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from app.models import Assessment, Supplier
from app.services import Actor, notify
from risk_models.findings import needs_reminder

DAYS_BEFORE = 14
IN_FLIGHT = ("sent", "in_progress", "submitted", "under_review", "changes_requested")


def due(session: Session, today: dt.date) -> list[Supplier]:
    """Live suppliers with an owner, due for reassessment within DAYS_BEFORE days, none in
    flight."""
    in_flight = exists().where(
        Assessment.supplier_id == Supplier.id, Assessment.status.in_(IN_FLIGHT)
    )
    return list(
        session.scalars(
            select(Supplier)
            .options(joinedload(Supplier.owner))
            .where(
                Supplier.archived_at.is_(None),
                Supplier.owner_id.is_not(None),
                Supplier.next_reassessment_on <= today + dt.timedelta(days=DAYS_BEFORE),
                ~in_flight,
            )
            .order_by(Supplier.next_reassessment_on, Supplier.code)
        )
    )


def remind_owners(session: Session, actor: Actor, today: dt.date | None = None) -> int:
    """E-mail owners their suppliers due for reassessment; returns how many suppliers were
    in a sent reminder. Without a mail server nothing is sent or marked (idempotent)."""
    today = today or dt.date.today()
    due_now = [
        s
        for s in due(session, today)
        if needs_reminder(s.next_reassessment_on, s.reassessment_reminded_on, today, DAYS_BEFORE)
    ]

    def lines(s: Supplier) -> list[str]:
        late = " (OVERDUE)" if s.next_reassessment_on < today else ""
        return [f"- {s.next_reassessment_on:%Y-%m-%d}{late} {s.legal_name} ({s.code})"]

    sent = notify.owner_digests(
        due_now,
        owner=lambda s: s.owner,
        subject=lambda n: f"Chainlight: {n} reassessment(s) due",
        heading=lambda n: f"{n} supplier(s) you own are due for reassessment:",
        lines=lines,
        footer=("", "Send the questionnaire from the supplier's page in Chainlight."),
    )
    for supplier in sent:
        supplier.reassessment_reminded_on = today
    session.flush()
    return len(sent)
