"""Assessment views for staff: list, send, follow one, cancel, and manage its invitation links.

A new link is shown once, on the page right after it was made: only its hash is stored,
so it is carried to that page in the analyst's own session and dropped once shown.
"""

from __future__ import annotations

import datetime as dt

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.assessments import bp
from app.assessments.forms import InviteForm, SendForm, choices
from app.extensions import db
from app.main.actions import attempt
from app.main.helpers import org_name, page_number
from app.models import Assessment, Invitation, Supplier
from app.security import EDITORS, STAFF, current_actor, roles_allowed
from app.services import ServiceError
from app.services import assessments as service
from app.services import certifications as certification_service
from app.services import invitations as invitation_service
from app.services.mail import MailError
from app.services.validation import record_id

NEW_LINK = "chainlight_new_invitation_link"


def _assessment_or_404(assessment_id: int) -> Assessment:
    assessment = service.get_for(db.session, current_actor(), assessment_id)
    if assessment is None:
        abort(404)
    return assessment


def _invitation_or_404(assessment: Assessment, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.assessment_id != assessment.id:
        abort(404)
    return invitation


def _iso28000_note(supplier: Supplier, form: SendForm):
    """The supplier's valid ISO 28000 certificate, when it can skip a questionnaire's checklist."""
    try:
        due_on = dt.date.fromisoformat((form.due_on.data or "").strip())
    except ValueError:
        due_on = None
    return certification_service.iso28000_send_note(db.session, supplier.id, due_on=due_on)


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    """Every assessment, filtered by status (incl. overdue), supplier, template, due date."""
    today = dt.date.today()
    filters = service.AssessmentFilters.from_args(request.args)
    page = db.paginate(
        service.list_query(filters, today),
        page=page_number(),
        per_page=service.PER_PAGE,
        error_out=False,
    )
    return render_template(
        "assessments/index.html",
        page=page,
        filters=filters,
        today=today,
        counts=service.status_counts(db.session, today),
        suppliers=service.filter_suppliers(db.session, keep_id=filters.supplier_id),
        templates=service.filter_templates(db.session),
        can_send=current_user.role in EDITORS,
    )


def _show_link_once(issued: invitation_service.IssuedInvitation, emailed: bool) -> None:
    session[NEW_LINK] = {
        "assessment_id": issued.invitation.assessment_id,
        "invitation_id": issued.invitation.id,
        "email": issued.invitation.email,
        "link": issued.link,
        "emailed": emailed,
    }


def _deliver(issued: invitation_service.IssuedInvitation) -> bool:
    """E-mail the link if a server is configured; tell the analyst what happened."""
    try:
        emailed = invitation_service.deliver(
            db.session,
            current_actor(),
            issued,
            org_name=org_name(current_app),
        )
    except MailError as exc:
        db.session.rollback()
        flash(f"The e-mail could not be sent: {exc} Copy the link below instead.", "warning")
        return False
    db.session.commit()
    return emailed


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def send():
    """Send a questionnaire: choose the supplier, then connection, version, due date, contact."""
    form = SendForm()
    raw_supplier = form.supplier_id.data if request.method == "POST" else None
    raw_supplier = raw_supplier or request.args.get("supplier_id", "")
    supplier_id = record_id(raw_supplier)
    supplier = db.session.get(Supplier, supplier_id) if supplier_id else None
    if supplier is None or supplier.archived:
        return render_template(
            "assessments/send_pick.html",
            suppliers=service.supplier_choices(db.session),
            refused=bool(raw_supplier) or request.method == "POST",
        )
    form.supplier_id.data = str(supplier.id)
    form.connection_id.choices = choices(
        service.connection_choices(db.session, supplier.id), "The supplier as a whole"
    )
    form.template_version_id.choices = choices(
        service.version_choices(db.session), "Choose a questionnaire…"
    )
    if request.method == "GET":
        form.connection_id.data = request.args.get("connection_id", "")
        form.email.data = supplier.contact_email
        form.due_on.data = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        return render_template(
            "assessments/send.html",
            form=form,
            supplier=supplier,
            iso_note=_iso28000_note(supplier, form),
        )
    try:
        sent = service.send(
            db.session,
            current_actor(),
            form.service_data(),
            settings=invitation_service.InvitationSettings.from_config(current_app.config),
        )
    except ServiceError as exc:
        db.session.rollback()
        form.add_service_errors(exc.errors)
        if not exc.errors:
            form.form_errors.append(exc.message)
        return render_template(
            "assessments/send.html",
            form=form,
            supplier=supplier,
            iso_note=_iso28000_note(supplier, form),
        )
    db.session.commit()
    emailed = _deliver(sent.invitation)
    _show_link_once(sent.invitation, emailed)
    flash(f"Assessment sent to {supplier.legal_name}.", "success")
    return redirect(url_for("assessments.detail", assessment_id=sent.assessment.id))


@bp.route("/<int:assessment_id>")
@roles_allowed(*STAFF)
def detail(assessment_id: int):
    """One assessment: status and timeline, progress, invitation links and what can be done."""
    assessment = _assessment_or_404(assessment_id)
    new_link = session.get(NEW_LINK)
    if new_link and new_link.get("assessment_id") == assessment.id:
        session.pop(NEW_LINK, None)
    else:
        new_link = None
    editor = current_user.role in EDITORS
    invitations = invitation_service.invitations_of(db.session, assessment.id)
    review_url = None
    if "assessments.review" in current_app.view_functions:
        review_url = url_for("assessments.review", assessment_id=assessment.id)
    return render_template(
        "assessments/detail.html",
        assessment=assessment,
        status=service.display_status(assessment),
        progress=service.progress_of(assessment),
        invitations=[(i, invitation_service.status_of(i)) for i in invitations],
        events=service.timeline(db.session, assessment),
        new_link=new_link,
        editor=editor,
        open_=assessment.status in invitation_service.INVITABLE,
        review_url=review_url,
    )


@bp.route("/<int:assessment_id>/cancel", methods=["POST"])
@roles_allowed(*EDITORS)
def cancel(assessment_id: int):
    """Cancel an assessment; its pending links stop working."""
    assessment = _assessment_or_404(assessment_id)
    attempt(
        lambda: service.cancel(db.session, current_actor(), assessment),
        "Assessment cancelled; its pending invitation links no longer work.",
    )
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))


@bp.route("/<int:assessment_id>/invitations", methods=["POST"])
@roles_allowed(*EDITORS)
def invite(assessment_id: int):
    """Invite a (further) contact of the supplier to this assessment."""
    assessment = _assessment_or_404(assessment_id)
    form = InviteForm()
    try:
        issued = invitation_service.create(
            db.session,
            current_actor(),
            assessment,
            form.email.data or "",
            settings=invitation_service.InvitationSettings.from_config(current_app.config),
        )
    except ServiceError as exc:
        db.session.rollback()
        flash(f"No invitation made: {exc.errors.get('email', exc.message)}", "error")
        return redirect(url_for("assessments.detail", assessment_id=assessment_id))
    db.session.commit()
    emailed = _deliver(issued)
    _show_link_once(issued, emailed)
    flash(f"Invitation made for {issued.invitation.email}.", "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))


@bp.route("/<int:assessment_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@roles_allowed(*EDITORS)
def revoke(assessment_id: int, invitation_id: int):
    """Withdraw a pending invitation link."""
    assessment = _assessment_or_404(assessment_id)
    invitation = _invitation_or_404(assessment, invitation_id)
    attempt(
        lambda: invitation_service.revoke(db.session, current_actor(), invitation),
        f"The link for {invitation.email} no longer works.",
    )
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))


@bp.route("/<int:assessment_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@roles_allowed(*EDITORS)
def resend(assessment_id: int, invitation_id: int):
    """A new link for the same contact; the old one stops working."""
    assessment = _assessment_or_404(assessment_id)
    invitation = _invitation_or_404(assessment, invitation_id)
    try:
        issued = invitation_service.resend(
            db.session,
            current_actor(),
            invitation,
            settings=invitation_service.InvitationSettings.from_config(current_app.config),
        )
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("assessments.detail", assessment_id=assessment_id))
    db.session.commit()
    emailed = _deliver(issued)
    _show_link_once(issued, emailed)
    flash(
        f"New link made for {issued.invitation.email}; the previous one no longer works.",
        "success",
    )
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))


@bp.app_context_processor
def _assessment_helpers() -> dict:
    """Status labels everywhere, and a supplier's assessments for its page (staff only)."""

    def supplier_assessments(supplier_id: int) -> list[Assessment]:
        if not current_user.is_authenticated or current_user.role not in STAFF:
            return []
        return service.of_supplier(db.session, supplier_id)

    return {
        "assessment_status": service.display_status,
        "assessment_status_labels": service.STATUS_LABELS,
        "assessment_status_classes": service.STATUS_CLASSES,
        "supplier_assessments": supplier_assessments,
    }
