"""Supplier certifications: validate, add, edit, archive/restore, list with validity flags.

A certificate may carry a file (checked by app.services.files.store: type read from the
content, size limit). A past `valid_until` is accepted (it is history) and flagged as
expired; one ending within 60 days is flagged as expiring. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.models import Certification, StoredFile, Supplier
from app.models.base import utcnow
from app.services import Actor, ServiceError, risk
from app.services import files as file_store
from app.services import templates as template_service
from app.services import validation as v
from app.services.audit import changes, record, snapshot
from risk_models import certifications as rules

FIELDS = (
    "standard",
    "scope",
    "certification_body",
    "certificate_number",
    "valid_from",
    "valid_until",
)
AUDITED = [*FIELDS, "file_id"]
EARLIEST = dt.date(1970, 1, 1)
MAX_YEARS_AHEAD = 10


@dataclass(frozen=True)
class StorageOptions:
    """Where certificate files go and how large they may be (from the app's config)."""

    root: Path
    max_bytes: int = file_store.DEFAULT_MAX_BYTES


def standard_label(value: str) -> str:
    return rules.STANDARDS.get(value, value)


def clean_certification(
    data: Mapping[str, Any], today: dt.date
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse raw input into model values; return (values, errors by field)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    latest = today.replace(year=today.year + MAX_YEARS_AHEAD)

    def parse(name: str, parser) -> None:
        try:
            values[name] = parser(data.get(name))
        except v.FieldError as exc:
            errors[name] = str(exc)

    parse("standard", lambda raw: v.choice(raw, rules.STANDARDS))
    parse("scope", lambda raw: v.long_text(raw, max_len=2000))
    parse("certification_body", lambda raw: v.text(raw, max_len=255))
    parse("certificate_number", lambda raw: v.text(raw, max_len=120))
    parse("valid_from", lambda raw: v.date(raw, not_before=EARLIEST, not_after=latest))
    parse(
        "valid_until",
        lambda raw: v.date(raw, required=True, not_before=EARLIEST, not_after=latest),
    )
    start, end = values.get("valid_from"), values.get("valid_until")
    if start and end and end <= start:
        errors["valid_until"] = "Must be after the valid-from date."
    if values.get("standard") == "other" and not values.get("scope"):
        errors["scope"] = "Name the standard and what the certificate covers."
    return values, errors


def _duplicate(
    session: Session, supplier_id: int, values: dict[str, Any], own_id: int | None
) -> str | None:
    number = values.get("certificate_number")
    if not number or not values.get("standard"):
        return None
    stmt = select(Certification.id).where(
        Certification.supplier_id == supplier_id,
        Certification.standard == values["standard"],
        func.lower(Certification.certificate_number) == number.lower(),
        Certification.archived_at.is_(None),
    )
    if own_id is not None:
        stmt = stmt.where(Certification.id != own_id)
    if session.scalar(stmt.limit(1)) is not None:
        return "This supplier already has this certificate on record."
    return None


def _upload_problem(upload: file_store.Upload | None, storage: StorageOptions) -> str | None:
    """What files.store would say about this upload, without storing it (None: fine or none)."""
    if upload is None or (not upload.filename and not upload.data):
        return None
    if not upload.data:
        return "The file is empty."
    if len(upload.data) > storage.max_bytes:
        return f"At most {storage.max_bytes / 1024 / 1024:.0f} MB."
    if file_store.detect_type(upload.data, upload.filename) is None:
        return f"This kind of file is not accepted; upload {file_store.ALLOWED_TEXT}."
    return "Choose the file again: it was not kept because other fields need correcting."


def _store_file(
    session: Session,
    actor: Actor,
    supplier: Supplier,
    upload: file_store.Upload | None,
    storage: StorageOptions,
) -> StoredFile | None:
    if upload is None or (not upload.filename and not upload.data):
        return None
    return file_store.store(
        session,
        actor,
        upload,
        root=storage.root,
        supplier_id=supplier.id,
        max_bytes=storage.max_bytes,
    )


def _describe(cert: Certification, supplier: Supplier) -> str:
    until = cert.valid_until.isoformat() if cert.valid_until else "?"
    return f"{standard_label(cert.standard)} certificate of {supplier.code} (valid until {until})"


def create_certification(
    session: Session,
    actor: Actor,
    supplier: Supplier,
    data: Mapping[str, Any],
    upload: file_store.Upload | None,
    storage: StorageOptions,
    today: dt.date | None = None,
) -> Certification:
    """Validate and add a certification with its optional file (audited)."""
    if supplier.archived:
        raise ServiceError("This supplier is archived; restore it before adding certificates.")
    values, errors = clean_certification(data, today or dt.date.today())
    if not errors and (dup := _duplicate(session, supplier.id, values, None)):
        errors["certificate_number"] = dup
    if errors and (problem := _upload_problem(upload, storage)):
        errors["file"] = problem
    if errors:
        raise ServiceError("The certification was not saved.", errors)
    stored = _store_file(session, actor, supplier, upload, storage)
    cert = Certification(supplier_id=supplier.id, file_id=stored.id if stored else None, **values)
    session.add(cert)
    session.flush()
    record(
        session,
        actor,
        "create",
        "certification",
        cert.id,
        f"Added {_describe(cert, supplier)}",
        after={**snapshot(cert, AUDITED), "supplier_id": supplier.id},
    )
    risk.refresh(session, "certification_changed", supplier.id)
    return cert


def update_certification(
    session: Session,
    actor: Actor,
    cert: Certification,
    data: Mapping[str, Any],
    upload: file_store.Upload | None,
    storage: StorageOptions,
    *,
    remove_file: bool = False,
    today: dt.date | None = None,
) -> Certification:
    """Validate and change a certification; a new file replaces the old one (audited)."""
    supplier = session.get(Supplier, cert.supplier_id)
    if cert.archived_at is not None:
        raise ServiceError("This certification is archived; restore it before editing.")
    values, errors = clean_certification(data, today or dt.date.today())
    if not errors and (dup := _duplicate(session, cert.supplier_id, values, cert.id)):
        errors["certificate_number"] = dup
    if errors and (problem := _upload_problem(upload, storage)):
        errors["file"] = problem
    if errors:
        raise ServiceError("The certification was not saved.", errors)
    before = snapshot(cert, AUDITED)
    stored = _store_file(session, actor, supplier, upload, storage)
    for key, value in values.items():
        setattr(cert, key, value)
    if stored is not None:
        cert.file_id = stored.id
    elif remove_file:
        cert.file_id = None
    session.flush()
    old, new = changes(before, snapshot(cert, AUDITED))
    if new:
        record(
            session,
            actor,
            "update",
            "certification",
            cert.id,
            f"Updated {_describe(cert, supplier)}",
            old,
            new,
        )
        risk.refresh(session, "certification_changed", cert.supplier_id)
    return cert


def archive_certification(session: Session, actor: Actor, cert: Certification) -> None:
    """Take a certification off the supplier's live list (kept as history; restorable)."""
    if cert.archived_at is not None:
        raise ServiceError("This certification is already archived.")
    cert.archived_at = utcnow()
    session.flush()
    supplier = session.get(Supplier, cert.supplier_id)
    record(
        session, actor, "archive", "certification", cert.id, f"Archived {_describe(cert, supplier)}"
    )
    risk.refresh(session, "certification_changed", cert.supplier_id)


def restore_certification(session: Session, actor: Actor, cert: Certification) -> None:
    """Bring an archived certification back."""
    if cert.archived_at is None:
        raise ServiceError("This certification is not archived.")
    supplier = session.get(Supplier, cert.supplier_id)
    values = {name: getattr(cert, name) for name in ("standard", "certificate_number")}
    if _duplicate(session, cert.supplier_id, values, cert.id):
        raise ServiceError("A live certification with the same number exists; archive it first.")
    cert.archived_at = None
    session.flush()
    record(
        session, actor, "restore", "certification", cert.id, f"Restored {_describe(cert, supplier)}"
    )
    risk.refresh(session, "certification_changed", cert.supplier_id)


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationView:
    """A certification with its validity worked out for `today`."""

    cert: Certification
    state: str
    days_left: int

    @property
    def label(self) -> str:
        return standard_label(self.cert.standard)

    @property
    def state_label(self) -> str:
        if self.cert.archived_at is not None:
            return "Archived"
        return rules.STATE_LABELS[self.state]

    @property
    def flagged(self) -> bool:
        return self.state in (rules.EXPIRED, rules.EXPIRING)

    @property
    def badge(self) -> str:
        return {
            rules.VALID: "text-bg-success",
            rules.EXPIRING: "text-bg-warning",
            rules.EXPIRED: "text-bg-danger",
            rules.NOT_YET_VALID: "text-bg-info",
        }[self.state]


def view(cert: Certification, today: dt.date) -> CertificationView:
    state = rules.validity(cert.valid_from, cert.valid_until, today)
    return CertificationView(cert, state, rules.days_left(cert.valid_until, today))


def get_certification(
    session: Session, supplier_id: int, certification_id: int
) -> Certification | None:
    """The certification, only when it belongs to that supplier."""
    cert = session.get(Certification, certification_id)
    return cert if cert is not None and cert.supplier_id == supplier_id else None


def list_certifications(
    session: Session,
    supplier_id: int,
    *,
    archived: bool = False,
    today: dt.date | None = None,
) -> list[CertificationView]:
    """Live (or archived) certifications, latest expiry first."""
    today = today or dt.date.today()
    condition = (
        Certification.archived_at.is_not(None) if archived else Certification.archived_at.is_(None)
    )
    certs = session.scalars(
        select(Certification)
        .options(selectinload(Certification.file))
        .where(Certification.supplier_id == supplier_id, condition)
        .order_by(Certification.valid_until.desc(), Certification.id.desc())
    ).all()
    return [view(c, today) for c in certs]


def iso28000_covered(views: list[CertificationView], today: dt.date | None = None) -> bool:
    """Whether these certifications include a valid ISO 28000 certificate today."""
    return rules.iso28000_coverage([cv.cert for cv in views], today or dt.date.today())


# --- the ISO 28000 certificate next to the questionnaire -----------------------------------

# The question of the ISO 28000 template (and of copies made from it) that a certificate
# answers: "yes" with the certificate attached skips the clause checklist.
ISO28000_QUESTION = "iso_certified"


def asks_for_iso28000_certificate(template: Any) -> bool:
    """Whether a questionnaire (questionnaires.schema.Template) has the certificate question."""
    return template.question(ISO28000_QUESTION) is not None


@dataclass(frozen=True)
class Iso28000OnRecord:
    """The supplier's ISO 28000 certificate as an assessment sees it.

    `view` is the valid certificate lasting longest, or else the latest live one (expired or
    not yet valid), or None when there is none. `covers` says whether it stands in for the
    clause checklist today (risk_models.certifications.iso28000_coverage).
    """

    question: str
    view: CertificationView | None
    covers: bool
    due_on: dt.date | None = None

    @property
    def expires_before_due(self) -> bool:
        return bool(self.covers and self.due_on and self.view.cert.valid_until < self.due_on)

    @property
    def expiring(self) -> bool:
        return self.covers and self.view.state == rules.EXPIRING

    @property
    def flagged(self) -> bool:
        """An analyst should look: expiring, ending before the due date, or not valid."""
        return self.view is not None and (
            not self.covers or self.expiring or self.expires_before_due
        )

    @property
    def warnings(self) -> list[str]:
        """Why it is flagged, in words."""
        if self.view is None:
            return []
        cert = self.view.cert
        if not self.covers:
            if self.view.state == rules.NOT_YET_VALID and cert.valid_from:
                return [f"Not valid before {cert.valid_from.isoformat()}."]
            return [f"Expired on {cert.valid_until.isoformat()}."]
        found = []
        if self.expires_before_due:
            found.append(
                f"Expires before the assessment is due ({self.due_on.isoformat()}): "
                "ask for the renewed certificate."
            )
        if self.expiring:
            days = self.view.days_left
            found.append(
                f"Expires within {rules.EXPIRING_DAYS} days "
                f"({'today' if days == 0 else f'in {days} day' + ('s' if days != 1 else '')})."
            )
        return found


def iso28000_on_record(
    session: Session,
    supplier_id: int,
    *,
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Iso28000OnRecord:
    """The supplier's ISO 28000 certificate on record, flagged against `due_on` and today."""
    today = today or dt.date.today()
    views = [
        cv
        for cv in list_certifications(session, supplier_id, today=today)
        if cv.cert.standard == "iso28000"
    ]
    covers = rules.iso28000_coverage([cv.cert for cv in views], today)
    valid = [cv for cv in views if rules.is_valid_on(cv.cert, today)]
    chosen = valid[0] if valid else (views[0] if views else None)
    return Iso28000OnRecord(ISO28000_QUESTION, chosen, covers, due_on)


@dataclass(frozen=True)
class Iso28000SendNote:
    """For the send page: the valid certificate and the questionnaires it stands in for."""

    record: Iso28000OnRecord
    questionnaires: list[str]


def iso28000_send_note(
    session: Session,
    supplier_id: int,
    *,
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Iso28000SendNote | None:
    """A note when the supplier's valid ISO 28000 certificate can skip a checklist."""
    record = iso28000_on_record(session, supplier_id, due_on=due_on, today=today)
    if not record.covers:
        return None
    names = [
        version.template.name
        for version in template_service.sendable_versions(session)
        if asks_for_iso28000_certificate(template_service.template_of(version))
    ]
    return Iso28000SendNote(record, names) if names else None


def card(session: Session, supplier_id: int) -> dict:
    """What the certifications card of the supplier page and portal home shows."""
    views = list_certifications(session, supplier_id)
    return {"items": views, "iso28000": iso28000_covered(views)}
