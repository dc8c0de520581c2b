"""Portal views for findings: a supplier contact sees its own supplier's findings, proposes a
remediation plan, marks milestones done, attaches evidence, talks in the thread, starts work
and marks a finding resolved. Analysts review plans and verify fixes on the staff side.

Every route looks the finding up with `_finding_or_404` first: another supplier's finding
(or a missing one) is a plain 404 before any use case runs. The rules live in
app/services/findings.py and app/services/remediation.py; these views only call them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.main.actions import attempt
from app.main.files import max_file_bytes, send_stored, upload_from, upload_root
from app.models import Finding
from app.models.finding import FINDING_STATUSES, FINDING_TRANSITIONS, PLAN_STATUSES
from app.portal import bp
from app.security import check_supplier_access, current_actor, roles_allowed
from app.services import ServiceError, remediation
from app.services import files as file_store
from app.services import findings as finding_service
from app.services import findings_views as views
from risk_models.findings import SEVERITIES

STATUS_BADGES = {
    "open": "text-bg-warning",
    "in_progress": "text-bg-info",
    "resolved": "text-bg-primary",
    "verified": "text-bg-success",
    "accepted": "text-bg-secondary",
}
PLAN_BADGES = {
    "none": "text-bg-light border",
    "proposed": "text-bg-info",
    "accepted": "text-bg-success",
    "rejected": "text-bg-danger",
}
# What the two buttons are called; the supplier moves a finding to these statuses only.
MOVES = {"in_progress": "Start work", "resolved": "Mark resolved"}
MILESTONE_HINT = (
    "One milestone per line: the date as YYYY-MM-DD, a space, then what will be done by "
    "then, e.g. “2025-03-31 Enforce MFA for all remote access”. Dates from today up to the "
    "target date."
)


def open_findings_count(supplier_id: int | None) -> int:
    """How many of the supplier's findings wait for its action (one query; 0 on failure)."""
    if supplier_id is None:
        return 0
    try:
        return views.open_count(db.session, supplier_id)
    except SQLAlchemyError:  # an error page while the database is failing
        return 0


@bp.app_context_processor
def _findings_nav() -> dict[str, Any]:
    def portal_open_findings() -> int:
        if not current_user.is_authenticated or current_user.role != "supplier":
            return 0
        return open_findings_count(current_user.supplier_id)

    return {"portal_open_findings": portal_open_findings}


def next_step(finding: Finding) -> str:
    """One line telling the supplier what to do next, from the status and the plan."""
    status, plan = finding.status, finding.plan_status
    if status == "verified":
        return "Nothing more to do: the fix was verified."
    if status == "accepted":
        return "Nothing to do for now: this finding is set aside for a time."
    if status == "resolved":
        return "You marked this finding resolved; the evidence is being verified."
    if plan == "none":
        return "Propose a remediation plan: what you will do, by when, and the steps on the way."
    if plan == "rejected":
        return "Your plan was not accepted: read why below, then propose a changed plan."
    if plan == "proposed":
        return "Your plan awaits review. You can start work meanwhile, or change the plan."
    if status == "open":
        return "Your plan is accepted: start work on it."
    return (
        "Your plan is accepted: carry it out, mark the milestones done, attach evidence of the "
        "fix and mark the finding resolved."
    )


def _moves(finding: Finding) -> dict[str, str]:
    """Status -> button label, for the moves the supplier may make on this finding now.

    "Start work" is offered on an open finding only: resolved → in progress is how an
    analyst rejects a fix, not a supplier's step."""
    allowed = FINDING_TRANSITIONS.get(finding.status, ())
    return {
        to: label
        for to, label in MOVES.items()
        if to in allowed and not (to == "in_progress" and finding.status != "open")
    }


def _can_plan(finding: Finding) -> bool:
    return finding.status in views.OPEN_STATUSES and finding.plan_status != "accepted"


def _finding_or_404(finding_id: int) -> Finding:
    """The finding with all its page shows; 404 unless it is the contact's own supplier's."""
    supplier_id = current_user.supplier_id
    if supplier_id is None:
        abort(404)
    check_supplier_access(supplier_id)
    finding = views.load_finding(db.session, finding_id)
    if finding is None or finding.supplier_id != supplier_id:
        abort(404)
    return finding


def _back(finding_id: int, anchor: str = ""):
    return redirect(
        url_for("portal.finding", finding_id=finding_id, _anchor=anchor or None), code=303
    )


def _render(
    finding: Finding,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status: int = 200,
):
    today = dt.date.today()
    return render_template(
        "portal/finding.html",
        finding=finding,
        overdue=views.is_overdue(finding, today),
        next_step=next_step(finding),
        moves=_moves(finding),
        can_plan=_can_plan(finding),
        open_milestones="\n".join(
            f"{m.due_on.isoformat()} {m.title}" for m in finding.milestones if m.done_on is None
        ),
        closed=finding.status in ("verified", "accepted"),
        statuses=FINDING_STATUSES,
        plans=PLAN_STATUSES,
        severities=SEVERITIES,
        status_badges=STATUS_BADGES,
        plan_badges=PLAN_BADGES,
        milestone_hint=MILESTONE_HINT,
        allowed_files=file_store.ALLOWED_TEXT,
        max_bytes=max_file_bytes(),
        errors=errors or {},
        values=values or {},
        today=today,
    ), status


def _refused(finding_id: int, form: str, exc: ServiceError, kept: dict[str, str]):
    """Roll back, then show the page again with the refusal next to the form's fields."""
    db.session.rollback()
    finding = _finding_or_404(finding_id)
    flash(exc.message, "error")
    return _render(finding, errors={form: dict(exc.errors)}, values={form: kept}, status=400)


@bp.route("/findings")
@roles_allowed("supplier")
def findings():
    """The contact's supplier's findings: the unfinished first, by severity and due date."""
    supplier_id = current_user.supplier_id
    if supplier_id is None:
        abort(404)
    check_supplier_access(supplier_id)
    today = dt.date.today()
    rows = views.portal_findings(db.session, supplier_id)
    return render_template(
        "portal/findings.html",
        rows=[(f, views.is_overdue(f, today)) for f in rows],
        statuses=FINDING_STATUSES,
        plans=PLAN_STATUSES,
        severities=SEVERITIES,
        status_badges=STATUS_BADGES,
        plan_badges=PLAN_BADGES,
        next_step=next_step,
    )


@bp.route("/findings/<int:finding_id>")
@roles_allowed("supplier")
def finding(finding_id: int):
    """One finding: what is wrong, the next step, the plan, evidence and the thread."""
    return _render(_finding_or_404(finding_id))


@bp.route("/findings/<int:finding_id>/plan", methods=["POST"])
@roles_allowed("supplier")
def finding_plan(finding_id: int):
    """Propose the remediation plan; refused, the page shows why with the typed values."""
    found = _finding_or_404(finding_id)
    form = request.form
    data = {key: form.get(key, "") for key in ("plan", "plan_due_on", "milestones")}
    try:
        remediation.propose_plan(db.session, current_actor(), found, data)
    except ServiceError as exc:
        return _refused(finding_id, "plan", exc, data)
    db.session.commit()
    flash("Your plan was sent for review.", "success")
    return _back(finding_id, "plan")


@bp.route("/findings/<int:finding_id>/status", methods=["POST"])
@roles_allowed("supplier")
def finding_status(finding_id: int):
    """Start work on the finding or mark it resolved (resolving needs evidence attached)."""
    found = _finding_or_404(finding_id)
    to = request.form.get("to", "")
    done = {
        "in_progress": "Work on this finding has started.",
        "resolved": "The finding is marked resolved; it will be verified.",
    }.get(to, "Status changed.")
    attempt(
        lambda: finding_service.move(
            db.session, current_actor(), found, to, request.form.get("note", "")
        ),
        done,
    )
    return _back(finding_id)


@bp.route("/findings/<int:finding_id>/comments", methods=["POST"])
@roles_allowed("supplier")
def finding_comment(finding_id: int):
    """Post a message in the finding's thread."""
    found = _finding_or_404(finding_id)
    body = request.form.get("body", "")
    try:
        remediation.comment(db.session, current_actor(), found, body)
    except ServiceError as exc:
        return _refused(finding_id, "comment", exc, {"body": body})
    db.session.commit()
    flash("Your message was posted.", "success")
    return _back(finding_id, "thread")


@bp.route("/findings/<int:finding_id>/evidence", methods=["POST"])
@roles_allowed("supplier")
def finding_evidence(finding_id: int):
    """Attach a file that shows the fix (type checked from its content, size limited)."""
    found = _finding_or_404(finding_id)
    note = request.form.get("note", "")
    try:
        remediation.add_evidence(
            db.session,
            current_actor(),
            found,
            upload_from(request.files.get("file")),
            note,
            root=upload_root(),
            max_bytes=max_file_bytes(),
        )
    except ServiceError as exc:
        return _refused(finding_id, "evidence", exc, {"note": note})
    db.session.commit()
    flash("The file was attached.", "success")
    return _back(finding_id, "evidence")


@bp.route("/findings/<int:finding_id>/evidence/<int:attachment_id>")
@roles_allowed("supplier")
def finding_file(finding_id: int, attachment_id: int):
    """Download one of the finding's evidence files (404 for any other attachment)."""
    found = _finding_or_404(finding_id)
    attachment = next((a for a in found.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return send_stored(attachment.file, "The file is missing from storage; tell your contact.")


@bp.route("/findings/<int:finding_id>/milestones/<int:milestone_id>/done", methods=["POST"])
@roles_allowed("supplier")
def finding_milestone(finding_id: int, milestone_id: int):
    """Mark one of the plan's milestones done."""
    found = _finding_or_404(finding_id)
    attempt(
        lambda: remediation.complete_milestone(db.session, current_actor(), found, milestone_id),
        "Milestone marked done.",
    )
    return _back(finding_id, "plan")
