"""Portal: what the reviewer asked a supplier to clarify, and the contact's replies."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Answer, Assessment
from app.models.assessment import ASSESSMENT_STATUSES
from app.portal import bp
from app.security import check_supplier_access, current_actor, roles_allowed
from app.services import ServiceError
from app.services import review as service


def _own_assessment_or_404(assessment_id: int) -> Assessment:
    # The answers and their threads in two statements (the page lists every thread).
    assessment = db.session.get(
        Assessment,
        assessment_id,
        options=[selectinload(Assessment.answers).selectinload(Answer.comments)],
    )
    if assessment is None:
        abort(404)
    check_supplier_access(assessment.supplier_id)
    return assessment


def _render(assessment: Assessment, errors: dict | None = None, values: dict | None = None):
    _template, items, _summary = service.review_items(assessment)
    asked = [i for i in items if i.state == "clarify"]
    talks = [i for i in items if i.state != "clarify" and i.answer and i.answer.comments]
    return render_template(
        "portal/review_clarifications.html",
        assessment=assessment,
        asked=asked,
        talks=talks,
        roles=service.author_roles(db.session, asked + talks),
        can_reply=assessment.status not in service.CLOSED,
        answering_url=_answering_url(assessment),
        statuses=ASSESSMENT_STATUSES,
        errors=errors or {},
        values=values or {},
        today=dt.date.today(),
    )


def _answering_url(assessment: Assessment) -> str | None:
    if "portal.assessment" in current_app.view_functions:
        return url_for("portal.assessment", assessment_id=assessment.id)
    return None


@bp.route("/assessments/<int:assessment_id>/clarifications")
@roles_allowed("supplier")
def clarifications(assessment_id: int):
    """The answers the reviewer asked about, the reason for each, and their threads."""
    return _render(_own_assessment_or_404(assessment_id))


@bp.route("/assessments/<int:assessment_id>/answers/<int:answer_id>/reply", methods=["POST"])
@roles_allowed("supplier")
def reply(assessment_id: int, answer_id: int):
    """The contact's message in the thread under one answer."""
    assessment = _own_assessment_or_404(assessment_id)
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.assessment_id != assessment.id:
        abort(404)
    body = request.form.get("body", "")
    try:
        service.add_comment(db.session, current_actor(), answer, body)
    except ServiceError as exc:
        db.session.rollback()
        if not exc.errors:
            flash(exc.message, "error")
            return redirect(url_for("portal.clarifications", assessment_id=assessment.id))
        return _render(assessment, {answer.id: exc.errors}, {answer.id: body})
    db.session.commit()
    flash("Your message was sent to the reviewer.", "success")
    return redirect(
        url_for(
            "portal.clarifications",
            assessment_id=assessment.id,
            _anchor=f"q-{answer.question_key}",
        )
    )


@bp.context_processor
def _review_helpers() -> dict:
    from app.assessments.review import evidence_url

    return {
        "review_evidence_url": evidence_url,
        "review_evidence_flag": service.evidence_flag,
    }
