"""One finding's views: add, read, edit, and each action on its page (workflow move, plan
review, risk acceptance, comment, evidence, milestone).

Each view reads its form, calls one use case and commits, or rolls back and shows the
refusal: the finding's page is shown again with the typed values and the messages next to
the form that was sent (status 400); a one-click action flashes why instead.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.connections.forms import choices
from app.extensions import db
from app.main.actions import attempt
from app.main.errors import MESSAGES
from app.main.files import max_file_bytes, send_stored, upload_from, upload_root
from app.mitigations import bp
from app.mitigations.forms import (
    AcceptForm,
    CommentForm,
    EditForm,
    EvidenceForm,
    FindingForm,
    MoveForm,
    PlanReviewForm,
    ServiceForm,
)
from app.models import Finding
from app.models.finding import FINDING_TRANSITIONS
from app.security import EDITORS, STAFF, current_actor, roles_allowed
from app.services import ServiceError, findings, remediation
from app.services import findings_views as views
from app.services import validation as v
from app.services.connections import supplier_choices

APPROVERS = findings.APPROVERS
FORM_NAMES = ("move_form", "plan_form", "accept_form", "comment_form", "evidence_form")


def _finding_or_404(finding_id: int) -> Finding:
    finding = views.load_finding(db.session, finding_id)
    if finding is None:
        abort(404)
    return finding


def _detail_url(finding_id: int, anchor: str | None = None) -> str:
    return url_for("mitigations.detail", finding_id=finding_id, _anchor=anchor)


def _render_detail(finding: Finding, status: int = 200, **forms: ServiceForm):
    """The finding's page; `forms` replaces the blank form of the action that was refused."""
    today = dt.date.today()
    blank = {
        "move_form": MoveForm,
        "plan_form": PlanReviewForm,
        "accept_form": AcceptForm,
        "comment_form": CommentForm,
        "evidence_form": EvidenceForm,
    }
    context = {name: forms.get(name) or blank[name](formdata=None) for name in FORM_NAMES}
    role = current_user.role
    closed = finding.status in ("verified", "accepted")
    refused = next((name for name in FORM_NAMES if name in forms), None)
    return (
        render_template(
            "mitigations/detail.html",
            finding=finding,
            today=today,
            overdue=views.is_overdue(finding, today),
            moves=FINDING_TRANSITIONS.get(finding.status, ()),
            note_needed=findings.NOTE_NEEDED,
            editor=role in EDITORS,
            can_accept=role in APPROVERS and not closed,
            closed=closed,
            refused=refused,
            refused_message=forms[refused].refusal if refused else "",
            **context,
        ),
        status,
    )


def _refused(finding_id: int, name: str, form: ServiceForm, exc: ServiceError):
    """Roll back, then show the page again with this form's messages and typed values."""
    db.session.rollback()
    form.show_errors(exc)
    return _render_detail(_finding_or_404(finding_id), 400, **{name: form})


@bp.route("/<int:finding_id>")
@roles_allowed(*STAFF)
def detail(finding_id: int):
    """Everything about one finding, with the actions the user's role may take."""
    return _render_detail(_finding_or_404(finding_id))


def _finding_form_choices(form: FindingForm, supplier_id: int | None) -> None:
    form.supplier.choices = choices(supplier_choices(db.session), "Choose a supplier…")
    form.connection.choices = choices(
        views.connection_choices(db.session, supplier_id), "No particular connection"
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def create():
    """Add a finding by hand (an incident, a connection review); ?supplier_id= preselects."""
    form = FindingForm()
    if request.method == "GET":
        supplier_id = v.record_id(request.args.get("supplier_id"))
        form.supplier.data = str(supplier_id) if supplier_id else ""
        _finding_form_choices(form, supplier_id)
        return render_template("mitigations/form.html", form=form, finding=None)
    _finding_form_choices(form, v.record_id(form.supplier.data))
    try:
        finding = findings.create(db.session, current_actor(), form.service_data())
    except ServiceError as exc:
        db.session.rollback()
        form.show_errors(exc)
        return render_template("mitigations/form.html", form=form, finding=None), 400
    db.session.commit()
    flash(f"Finding “{finding.title}” added, due {finding.due_on.isoformat()}.", "success")
    return redirect(_detail_url(finding.id))


def _edit_form_choices(form: EditForm, finding: Finding) -> None:
    form.owner.choices = choices(views.owner_choices(db.session), "No owner")
    form.contact.choices = choices(
        views.contact_choices(db.session, finding.supplier_id), "No contact named"
    )
    form.connection.choices = choices(
        views.connection_choices(db.session, finding.supplier_id), "No particular connection"
    )


@bp.route("/<int:finding_id>/edit", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def edit(finding_id: int):
    """Change a finding's facts: title, description, severity, owner, contact, due date."""
    finding = _finding_or_404(finding_id)
    if request.method == "GET":
        form = EditForm(
            data={
                "title": finding.title,
                "description": finding.description,
                "severity": finding.severity,
                "owner": str(finding.owner_id or ""),
                "contact": str(finding.contact_id or ""),
                "connection": str(finding.connection_id or ""),
                "due_on": finding.due_on.isoformat(),
            }
        )
        _edit_form_choices(form, finding)
        return render_template("mitigations/form.html", form=form, finding=finding)
    form = EditForm()
    _edit_form_choices(form, finding)
    try:
        remediation.update(db.session, current_actor(), finding, form.service_data())
    except ServiceError as exc:
        db.session.rollback()
        form.show_errors(exc)
        finding = _finding_or_404(finding_id)
        return render_template("mitigations/form.html", form=form, finding=finding), 400
    db.session.commit()
    flash("Finding saved.", "success")
    return redirect(_detail_url(finding_id))


@bp.route("/<int:finding_id>/status", methods=["POST"])
@roles_allowed(*EDITORS)
def move(finding_id: int):
    """Move the finding along its workflow, with a note for the thread."""
    finding = _finding_or_404(finding_id)
    form = MoveForm()
    to = str(form.to.data or "")
    try:
        findings.move(db.session, current_actor(), finding, to, form.note.data or "")
    except ServiceError as exc:
        return _refused(finding_id, "move_form", form, exc)
    db.session.commit()
    flash(f"The finding is now {views.STATUS_CHOICES[to].lower()}.", "success")
    return redirect(_detail_url(finding_id))


@bp.route("/<int:finding_id>/plan", methods=["POST"])
@roles_allowed(*EDITORS)
def review_plan(finding_id: int):
    """Accept or reject the supplier's proposed plan."""
    finding = _finding_or_404(finding_id)
    form = PlanReviewForm()
    decision = str(form.decision.data or "")
    try:
        remediation.review_plan(db.session, current_actor(), finding, decision, form.note.data)
    except ServiceError as exc:
        return _refused(finding_id, "plan_form", form, exc)
    db.session.commit()
    flash(f"Plan {'accepted' if decision == 'accept' else 'rejected'}.", "success")
    return redirect(_detail_url(finding_id, "plan"))


@bp.route("/<int:finding_id>/accept", methods=["POST"])
@roles_allowed(*APPROVERS)
def accept(finding_id: int):
    """Accept the finding's risk until a date (executives and administrators)."""
    finding = _finding_or_404(finding_id)
    form = AcceptForm()
    try:
        acceptance = findings.accept(
            db.session, current_actor(), finding, form.reason.data or "", form.expires_on.data
        )
    except ServiceError as exc:
        return _refused(finding_id, "accept_form", form, exc)
    db.session.commit()
    flash(f"Risk accepted until {acceptance.expires_on.isoformat()}.", "success")
    return redirect(_detail_url(finding_id))


@bp.route("/<int:finding_id>/comments", methods=["POST"])
@roles_allowed(*EDITORS)
def comment(finding_id: int):
    """Post a message in the finding's thread (the supplier's contact reads it too)."""
    finding = _finding_or_404(finding_id)
    form = CommentForm()
    try:
        entry = remediation.comment(db.session, current_actor(), finding, form.body.data)
    except ServiceError as exc:
        return _refused(finding_id, "comment_form", form, exc)
    db.session.commit()
    flash("Comment posted.", "success")
    return redirect(_detail_url(finding_id, f"entry-{entry.id}"))


@bp.route("/<int:finding_id>/evidence", methods=["POST"])
@roles_allowed(*EDITORS)
def upload(finding_id: int):
    """Attach a file that shows the fix."""
    finding = _finding_or_404(finding_id)
    form = EvidenceForm()
    try:
        attachment = remediation.add_evidence(
            db.session,
            current_actor(),
            finding,
            upload_from(request.files.get("file")),
            form.note.data,
            root=upload_root(),
            max_bytes=max_file_bytes(),
        )
    except ServiceError as exc:
        return _refused(finding_id, "evidence_form", form, exc)
    db.session.commit()
    flash(f"Evidence “{attachment.file.original_name}” attached.", "success")
    return redirect(_detail_url(finding_id, "evidence"))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    """An upload over the request limit: say so on the finding's page."""
    finding_id = (request.view_args or {}).get("finding_id")
    finding = views.load_finding(db.session, finding_id) if finding_id else None
    if finding is None or not current_user.is_authenticated or current_user.role not in EDITORS:
        return render_template("errors/error.html", code=413, message=MESSAGES[413]), 413
    form = EvidenceForm(formdata=None)
    limit = f"{max_file_bytes() / 1024 / 1024:.0f} MB"
    form.show_errors(ServiceError("The file was not attached.", {"file": f"At most {limit}."}))
    return _render_detail(finding, 413, evidence_form=form)


@bp.route("/<int:finding_id>/evidence/<int:attachment_id>")
@roles_allowed(*STAFF)
def attachment(finding_id: int, attachment_id: int):
    """Download an evidence file of this finding."""
    found = views.attachment_of(db.session, finding_id, attachment_id)
    if found is None:
        abort(404)
    return send_stored(found.file)


@bp.route("/<int:finding_id>/milestones/<int:milestone_id>/done", methods=["POST"])
@roles_allowed(*EDITORS)
def milestone_done(finding_id: int, milestone_id: int):
    """Mark one milestone of the plan done today."""
    finding = _finding_or_404(finding_id)
    attempt(
        lambda: remediation.complete_milestone(db.session, current_actor(), finding, milestone_id),
        "Milestone marked done.",
    )
    return redirect(_detail_url(finding_id, "plan"))
