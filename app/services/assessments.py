"""Assessments: send a questionnaire version to a supplier, move it through its statuses, list.

`send` validates the whole request (supplier, optional connection of that supplier,
published template version, due date, contact address) and makes the assessment and its
first invitation together. `transition` is the one way any helper changes a status: it
follows models.assessment.TRANSITIONS and says clearly why a move is refused. "Overdue"
is not stored: it is an open assessment past its due date, computed against `today`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.models import (
    Assessment,
    AuditEvent,
    Connection,
    Invitation,
    QuestionnaireTemplate,
    Supplier,
    TemplateVersion,
)
from app.models.assessment import ASSESSMENT_STATUSES, OPEN_FOR_SUPPLIER, TRANSITIONS
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import invitations as invitation_service
from app.services import validation as v
from app.services.audit import record

STATUS_LABELS = {**ASSESSMENT_STATUSES, "overdue": "Overdue"}
STATUS_CLASSES = {
    "sent": "text-bg-info",
    "in_progress": "text-bg-primary",
    "submitted": "text-bg-warning",
    "under_review": "text-bg-warning",
    "changes_requested": "text-bg-secondary",
    "approved": "text-bg-success",
    "cancelled": "text-bg-light border",
    "overdue": "text-bg-danger",
}
SUPPLIER_MOVES = ("in_progress", "submitted")
MAX_DUE_DAYS = 730
MAX_MESSAGE = 5000
PER_PAGE = 25
SORTS = {
    "due": Assessment.due_on,
    "sent": Assessment.sent_at,
    "supplier": Supplier.search_key,
    "status": Assessment.status,
    "template": QuestionnaireTemplate.name,
}


def display_status(assessment: Assessment, today: dt.date | None = None) -> str:
    """The stored status, or "overdue" for an open assessment past its due date."""
    return "overdue" if assessment.is_overdue(today or dt.date.today()) else assessment.status


# --- sending --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """What `send` made: the assessment and its first invitation (with the one-time link)."""

    assessment: Assessment
    invitation: invitation_service.IssuedInvitation


def _supplier(session: Session, raw: Any, errors: dict[str, str]) -> Supplier | None:
    if v.blank(raw):
        errors["supplier"] = "Choose the supplier to assess."
        return None
    supplier_id = v.record_id(raw)
    supplier = session.get(Supplier, supplier_id) if supplier_id else None
    if supplier is None:
        errors["supplier"] = f"No supplier with id {str(raw)[:20]!r}."
    elif supplier.archived:
        errors["supplier"] = f"{supplier.code} is archived: restore it before assessing it."
        return None
    return supplier


def _connection(
    session: Session, raw: Any, supplier: Supplier | None, errors: dict[str, str]
) -> Connection | None:
    if v.blank(raw):
        return None
    connection_id = v.record_id(raw)
    connection = session.get(Connection, connection_id) if connection_id else None
    if connection is None:
        errors["connection"] = f"No connection with id {str(raw)[:20]!r}."
        return None
    if supplier is not None and connection.supplier_id != supplier.id:
        errors["connection"] = "This connection belongs to another supplier."
        return None
    if connection.archived_at is not None:
        errors["connection"] = "This connection is archived."
        return None
    return connection


def _version(
    session: Session, raw: Any, connection: Connection | None, errors: dict[str, str]
) -> TemplateVersion | None:
    if v.blank(raw):
        errors["template_version"] = "Choose the questionnaire to send."
        return None
    version_id = v.record_id(raw)
    version = session.get(TemplateVersion, version_id) if version_id else None
    if version is None:
        errors["template_version"] = f"No questionnaire version with id {str(raw)[:20]!r}."
        return None
    template = version.template
    if version.status != "published":
        errors["template_version"] = (
            f"{template.name} v{version.number} is a draft: publish it before sending it."
        )
        return None
    if template.archived_at is not None:
        errors["template_version"] = f"{template.name} is archived."
        return None
    if template.scope == "connection" and connection is None:
        errors["template_version"] = (
            f"{template.name} is about one connection: choose the connection it is about."
        )
        return None
    return version


def send(
    session: Session,
    actor: Actor,
    data: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    settings: invitation_service.InvitationSettings | None = None,
    now: dt.datetime | None = None,
    previous: Assessment | None = None,
) -> Sent:
    """Send a published template version to a supplier (audited) and invite its contact.

    `data` keys: supplier, connection (optional), template_version, due_on, email (default:
    the supplier's contact address), message. ServiceError lists every bad field.
    `previous` makes this the next round of that assessment (same supplier).
    """
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    supplier = _supplier(session, data.get("supplier"), errors)
    connection = _connection(session, data.get("connection"), supplier, errors)
    version = _version(session, data.get("template_version"), connection, errors)
    due_on = v.collect(
        errors,
        "due_on",
        v.date,
        data.get("due_on"),
        required=True,
        not_before=today,
        not_after=today + dt.timedelta(days=MAX_DUE_DAYS),
    )
    if "due_on" in errors and "before" in errors["due_on"]:
        errors["due_on"] = "The due date cannot be in the past."
    elif "due_on" in errors and "after" in errors["due_on"]:
        errors["due_on"] = f"Choose a due date within {MAX_DUE_DAYS // 365} years."
    message = v.collect(errors, "message", v.long_text, data.get("message"), max_len=MAX_MESSAGE)
    email = ""
    raw_email = data.get("email")
    if v.blank(raw_email):
        raw_email = supplier.contact_email if supplier is not None else ""
    if v.blank(raw_email):
        errors["email"] = "Enter the address of the supplier's contact (none is on record)."
    elif supplier is not None:
        try:
            email = invitation_service.check_invitable_email(session, raw_email, supplier.id)
        except ServiceError as exc:
            errors["email"] = exc.errors.get("email", exc.message)
    if previous is not None and supplier is not None and previous.supplier_id != supplier.id:
        errors["supplier"] = "A new round must be for the same supplier as the previous one."
    if errors:
        raise ServiceError("The assessment was not sent.", errors)
    now = now or utcnow()
    assessment = Assessment(
        supplier=supplier,
        connection=connection,
        template_version=version,
        previous_id=previous.id if previous is not None else None,
        round=previous.round + 1 if previous is not None else 1,
        status="sent",
        due_on=due_on,
        message=message or "",
        sent_by_id=actor.user_id,
        sent_at=now,
    )
    session.add(assessment)
    session.flush()
    scope = f" ({connection.name})" if connection is not None else ""
    record(
        session,
        actor,
        "send",
        "assessment",
        assessment.id,
        f"Sent {version.template.name} v{version.number} to {supplier.code}{scope}",
        after={
            "supplier_id": supplier.id,
            "connection_id": connection.id if connection else None,
            "template_version_id": version.id,
            "due_on": due_on,
            "round": assessment.round,
            "status": "sent",
        },
    )
    issued = invitation_service.create(
        session, actor, assessment, email, settings=settings, now=now
    )
    return Sent(assessment, issued)


# --- status changes -------------------------------------------------------------------


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status).lower()


def transition(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    new_status: str,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Move `assessment` to `new_status` as TRANSITIONS allows (audited); ServiceError if not.

    A supplier contact may only start (in progress) and submit its own supplier's
    assessments; executives change nothing; admins, analysts and the system may make any
    allowed move.
    """
    if new_status not in ASSESSMENT_STATUSES:
        raise ServiceError(f"Unknown assessment status {str(new_status)[:30]!r}.")
    current = assessment.status
    if actor.role == "executive":
        raise ServiceError("Executives have read-only access to assessments.")
    if actor.role == "supplier" and (
        new_status not in SUPPLIER_MOVES or actor.supplier_id != assessment.supplier_id
    ):
        raise ServiceError(f"A supplier contact cannot mark an assessment {_label(new_status)}.")
    if new_status not in TRANSITIONS.get(current, ()):
        allowed = TRANSITIONS.get(current, ())
        hint = (
            f" From {_label(current)} it can become: {', '.join(_label(s) for s in allowed)}."
            if allowed
            else f" An assessment that is {_label(current)} is closed."
        )
        raise ServiceError(
            f"An assessment that is {_label(current)} cannot become {_label(new_status)}." + hint
        )
    now = now or utcnow()
    assessment.status = new_status
    if new_status == "submitted":
        assessment.submitted_at = now
    elif new_status == "approved":
        assessment.approved_at = now
    elif new_status == "cancelled":
        assessment.cancelled_at = now
    if new_status in ("under_review", "changes_requested", "approved") and actor.user_id:
        assessment.reviewed_by_id = actor.user_id
    session.flush()
    record(
        session,
        actor,
        "status",
        "assessment",
        assessment.id,
        f"Assessment #{assessment.id}: {_label(current)} → {_label(new_status)}",
        {"status": current},
        {"status": new_status},
    )


def cancel(
    session: Session, actor: Actor, assessment: Assessment, *, now: dt.datetime | None = None
) -> None:
    """Cancel an assessment and withdraw its pending invitation links (audited)."""
    now = now or utcnow()
    transition(session, actor, assessment, "cancelled", now=now)
    invitation_service.revoke_pending(session, actor, assessment, now=now)


# --- reading --------------------------------------------------------------------------


def get_for(session: Session, actor: Actor, assessment_id: Any) -> Assessment | None:
    """The assessment if `actor` may see it (a supplier contact only its own supplier's)."""
    record_id = v.record_id(assessment_id)
    assessment = session.get(Assessment, record_id) if record_id else None
    if assessment is None:
        return None
    if actor.role == "supplier" and actor.supplier_id != assessment.supplier_id:
        return None
    return assessment


@dataclass
class AssessmentFilters:
    """What the assessment list is filtered and sorted by (all optional)."""

    status: str = ""
    supplier_id: int | None = None
    template_id: int | None = None
    due_before: dt.date | None = None
    sort: str = "due"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> AssessmentFilters:
        """Filters from query arguments; unknown or malformed values are ignored."""
        status = args.get("status")
        sort = str(args.get("sort", "due"))
        try:
            due_before = v.date(args.get("due_before"))
        except v.FieldError:
            due_before = None
        return cls(
            status=status if isinstance(status, str) and status in STATUS_LABELS else "",
            supplier_id=v.record_id(args.get("supplier_id")),
            template_id=v.record_id(args.get("template_id")),
            due_before=due_before,
            sort=sort if sort.lstrip("-") in SORTS else "due",
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.supplier_id or self.template_id or self.due_before)


def _overdue(today: dt.date):
    return and_(Assessment.status.in_(OPEN_FOR_SUPPLIER), Assessment.due_on < today)


def list_query(filters: AssessmentFilters, today: dt.date | None = None) -> Select:
    """A SELECT of assessments matching the filters, sorted, with what the list shows loaded."""
    today = today or dt.date.today()
    stmt = (
        select(Assessment)
        .join(Assessment.supplier)
        .join(Assessment.template_version)
        .join(TemplateVersion.template)
        .options(
            joinedload(Assessment.supplier),
            # The list shows only the connection's name: skip its data classes.
            joinedload(Assessment.connection).lazyload(Connection.data_class_rows),
            joinedload(Assessment.template_version).joinedload(TemplateVersion.template),
        )
    )
    if filters.status == "overdue":
        stmt = stmt.where(_overdue(today))
    elif filters.status:
        stmt = stmt.where(Assessment.status == filters.status)
    if filters.supplier_id:
        stmt = stmt.where(Assessment.supplier_id == filters.supplier_id)
    if filters.template_id:
        stmt = stmt.where(TemplateVersion.template_id == filters.template_id)
    if filters.due_before:
        stmt = stmt.where(Assessment.due_on < filters.due_before)
    key = filters.sort.lstrip("-")
    column = SORTS.get(key, Assessment.due_on)
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    return stmt.order_by(order, Assessment.id.desc())


def status_counts(session: Session, today: dt.date | None = None) -> dict[str, int]:
    """How many assessments are in each status, plus how many are overdue."""
    today = today or dt.date.today()
    counts = dict(
        session.execute(select(Assessment.status, func.count()).group_by(Assessment.status)).all()
    )
    counts["overdue"] = session.scalar(select(func.count()).where(_overdue(today))) or 0
    return counts


def filter_suppliers(session: Session, keep_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of suppliers that have assessments, for the list filter."""
    condition = Supplier.id.in_(select(Assessment.supplier_id))
    if keep_id:
        condition = or_(condition, Supplier.id == keep_id)
    rows = session.execute(
        select(Supplier.id, Supplier.legal_name, Supplier.code)
        .where(condition)
        .order_by(Supplier.search_key, Supplier.id)
    ).all()
    return [(row.id, f"{row.legal_name} ({row.code})") for row in rows]


def filter_templates(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every questionnaire template, for the list filter."""
    rows = session.execute(
        select(QuestionnaireTemplate.id, QuestionnaireTemplate.name).order_by(
            QuestionnaireTemplate.name, QuestionnaireTemplate.id
        )
    ).all()
    return [(row.id, row.name) for row in rows]


def supplier_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the suppliers that can be assessed (not archived)."""
    rows = session.execute(
        select(Supplier.id, Supplier.legal_name, Supplier.code)
        .where(Supplier.archived_at.is_(None))
        .order_by(Supplier.search_key, Supplier.id)
    ).all()
    return [(row.id, f"{row.legal_name} ({row.code})") for row in rows]


def connection_choices(session: Session, supplier_id: int) -> list[tuple[int, str]]:
    """(id, name) of one supplier's live connections."""
    rows = session.execute(
        select(Connection.id, Connection.name)
        .where(Connection.supplier_id == supplier_id, Connection.archived_at.is_(None))
        .order_by(Connection.name, Connection.id)
    ).all()
    return [(row.id, row.name) for row in rows]


def version_choices(session: Session) -> list[tuple[int, str]]:
    """(id, label) of every published version of a live template, newest first per template."""
    rows = session.execute(
        select(
            TemplateVersion.id,
            TemplateVersion.number,
            TemplateVersion.question_count,
            QuestionnaireTemplate.name,
            QuestionnaireTemplate.scope,
        )
        .join(TemplateVersion.template)
        .where(TemplateVersion.status == "published", QuestionnaireTemplate.archived_at.is_(None))
        .order_by(QuestionnaireTemplate.name, TemplateVersion.number.desc())
    ).all()
    result = []
    for row in rows:
        scope = " · one connection" if row.scope == "connection" else ""
        result.append((row.id, f"{row.name} v{row.number} ({row.question_count} questions{scope})"))
    return result


def of_supplier(session: Session, supplier_id: int, limit: int = 10) -> list[Assessment]:
    """A supplier's most recent assessments (for its page)."""
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.supplier_id == supplier_id)
            .options(joinedload(Assessment.template_version).joinedload(TemplateVersion.template))
            .order_by(Assessment.sent_at.desc(), Assessment.id.desc())
            .limit(limit)
        )
    )


def progress_of(assessment: Assessment):
    """questionnaires.engine.Progress over the saved answers (None if the definition is bad)."""
    from questionnaires.engine import AnswerData, progress
    from questionnaires.schema import TemplateError, load_template

    try:
        template = load_template(assessment.template_version.definition)
    except TemplateError:
        return None
    answers = {
        a.question_key: AnswerData(a.value, a.comment or "", len(a.evidence))
        for a in assessment.answers
    }
    return progress(template, answers)


def timeline(session: Session, assessment: Assessment) -> list[AuditEvent]:
    """The audit events of an assessment and of its invitations, oldest first."""
    invitation_ids = [
        str(i)
        for i in session.scalars(
            select(Invitation.id).where(Invitation.assessment_id == assessment.id)
        )
    ]
    condition = and_(
        AuditEvent.entity_type == "assessment", AuditEvent.entity_id == str(assessment.id)
    )
    if invitation_ids:
        condition = or_(
            condition,
            and_(AuditEvent.entity_type == "invitation", AuditEvent.entity_id.in_(invitation_ids)),
        )
    return list(session.scalars(select(AuditEvent).where(condition).order_by(AuditEvent.id)))
