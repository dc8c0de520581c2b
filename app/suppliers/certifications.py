"""Certification views on the suppliers blueprint: list, add, edit, archive/restore, download.

Staff editors manage a supplier's certificates; every staff role reads them; a supplier
contact reads (and downloads) only its own company's live ones, and gets 404 for others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.widgets import DateInput

from app.extensions import db
from app.main.actions import attempt
from app.main.files import send_stored, upload_from
from app.models import Certification, Supplier
from app.security import ALL_ROLES, EDITORS, current_actor, is_supplier_user, roles_allowed
from app.services import ServiceError
from app.services import certifications as service
from app.services import files as file_store
from app.suppliers import bp
from app.suppliers.forms import Required
from app.suppliers.routes import _supplier_or_404
from risk_models import certifications as rules

FORM_FIELDS = [*service.FIELDS, "file"]


class CertificationForm(FlaskForm):
    """A certificate: standard, scope, body, number, validity and the certificate file."""

    standard = SelectField(
        "Standard",
        [Required()],
        choices=[SelectChoice("", "Choose a standard…")]
        + [SelectChoice(k, label) for k, label in rules.STANDARDS.items()],
        validate_choice=False,
    )
    scope = TextAreaField(
        "Scope",
        description="What the certificate covers: sites, activities, products. For “Other”, "
        "name the standard here.",
        render_kw={"rows": 3, "maxlength": 2000},
    )
    certification_body = StringField(
        "Certification body",
        description="Who issued it, e.g. TÜV SÜD, BSI, DNV (or the customs authority for AEO).",
        render_kw={"maxlength": 255},
    )
    certificate_number = StringField("Certificate number", render_kw={"maxlength": 120})
    valid_from = StringField("Valid from", widget=DateInput())
    valid_until = StringField(
        "Valid until",
        [Required()],
        widget=DateInput(),
        description="A past date is accepted for the record; the certificate is then shown "
        "as expired.",
    )
    file = FileField(
        "Certificate file",
        description=f"Optional: {file_store.ALLOWED_TEXT}. The type is checked from the content.",
    )
    remove_file = BooleanField("Remove the current certificate file")
    submit = SubmitField("Save certification")

    @classmethod
    def for_certification(cls, cert: Certification) -> CertificationForm:
        data: dict[str, Any] = {name: getattr(cert, name) for name in service.FIELDS}
        for name in ("valid_from", "valid_until"):
            data[name] = data[name].isoformat() if data[name] else ""
        return cls(data=data)

    def service_data(self) -> dict[str, Any]:
        return {name: self[name].data for name in service.FIELDS}

    def upload(self) -> file_store.Upload | None:
        """The uploaded file as read from the request, or None when none was chosen."""
        return upload_from(self.file.data)

    def show_errors(self, error: ServiceError) -> None:
        for name, message in error.errors.items():
            if name in FORM_FIELDS:
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(message)
        if not error.errors:
            self.form_errors.append(error.message)


@bp.app_context_processor
def _certification_helpers():
    return {"expiring_days": rules.EXPIRING_DAYS}


def _storage() -> service.StorageOptions:
    config = current_app.config
    return service.StorageOptions(
        root=Path(config["CHAINLIGHT_UPLOAD_DIR"]),
        max_bytes=config.get("CHAINLIGHT_MAX_FILE_BYTES") or file_store.DEFAULT_MAX_BYTES,
    )


def _certification_or_404(
    supplier_id: int, certification_id: int
) -> tuple[Supplier, Certification]:
    supplier = _supplier_or_404(supplier_id)
    cert = service.get_certification(db.session, supplier.id, certification_id)
    if cert is None or (is_supplier_user() and cert.archived_at is not None):
        abort(404)
    return supplier, cert


@bp.route("/<int:supplier_id>/certifications")
@roles_allowed(*ALL_ROLES)
def certifications(supplier_id: int):
    """A supplier's certifications with validity flags; staff also see archived ones."""
    supplier = _supplier_or_404(supplier_id)
    internal = current_user.role != "supplier"
    live = service.list_certifications(db.session, supplier.id)
    return render_template(
        "suppliers/certifications.html",
        supplier=supplier,
        live=live,
        archived=service.list_certifications(db.session, supplier.id, archived=True)
        if internal
        else [],
        iso28000=service.iso28000_covered(live),
        internal=internal,
        can_edit=current_user.role in EDITORS,
        standards=rules.STANDARDS,
    )


def _form_page(form: CertificationForm, supplier: Supplier, cert: Certification | None):
    return render_template(
        "suppliers/certifications_form.html", form=form, supplier=supplier, cert=cert
    )


@bp.route("/<int:supplier_id>/certifications/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def certification_create(supplier_id: int):
    """Record a certificate held by the supplier, optionally with its file."""
    supplier = _supplier_or_404(supplier_id)
    form = CertificationForm()
    if form.validate_on_submit():
        try:
            cert = service.create_certification(
                db.session,
                current_actor(),
                supplier,
                form.service_data(),
                form.upload(),
                _storage(),
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            form.show_errors(exc)
        else:
            flash(f"{service.standard_label(cert.standard)} certificate was added.", "success")
            return redirect(url_for(".certifications", supplier_id=supplier.id))
    return _form_page(form, supplier, None)


@bp.route("/<int:supplier_id>/certifications/<int:certification_id>/edit", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def certification_edit(supplier_id: int, certification_id: int):
    """Change a certificate's details or replace its file."""
    supplier, cert = _certification_or_404(supplier_id, certification_id)
    if cert.archived_at is not None:
        flash("This certification is archived; restore it before editing.", "error")
        return redirect(url_for(".certifications", supplier_id=supplier.id))
    form = CertificationForm.for_certification(cert)
    if form.validate_on_submit():
        try:
            service.update_certification(
                db.session,
                current_actor(),
                cert,
                form.service_data(),
                form.upload(),
                _storage(),
                remove_file=bool(form.remove_file.data),
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            form.show_errors(exc)
        else:
            flash(f"{service.standard_label(cert.standard)} certificate was saved.", "success")
            return redirect(url_for(".certifications", supplier_id=supplier.id))
    return _form_page(form, supplier, cert)


@bp.route("/<int:supplier_id>/certifications/<int:certification_id>/archive", methods=["POST"])
@roles_allowed(*EDITORS)
def certification_archive(supplier_id: int, certification_id: int):
    """Take a certificate off the live list (kept as history)."""
    supplier, cert = _certification_or_404(supplier_id, certification_id)
    attempt(
        lambda: service.archive_certification(db.session, current_actor(), cert),
        "The certification was archived.",
    )
    return redirect(url_for(".certifications", supplier_id=supplier.id))


@bp.route("/<int:supplier_id>/certifications/<int:certification_id>/restore", methods=["POST"])
@roles_allowed(*EDITORS)
def certification_restore(supplier_id: int, certification_id: int):
    """Bring an archived certificate back."""
    supplier, cert = _certification_or_404(supplier_id, certification_id)
    attempt(
        lambda: service.restore_certification(db.session, current_actor(), cert),
        "The certification was restored.",
    )
    return redirect(url_for(".certifications", supplier_id=supplier.id))


@bp.route("/<int:supplier_id>/certifications/<int:certification_id>/certificate")
@roles_allowed(*ALL_ROLES)
def certification_file(supplier_id: int, certification_id: int):
    """Download the certificate file: staff, or the supplier's own contact (404 for others)."""
    _supplier, cert = _certification_or_404(supplier_id, certification_id)
    return send_stored(cert.file, "The certificate file is missing from storage.")
