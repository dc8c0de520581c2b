"""Review views: answers side by side with evidence, verdicts, threads, approval, next round."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.assessments import bp
from app.extensions import db
from app.main.actions import attempt
from app.models import Answer, Assessment, Evidence
from app.models.assessment import ASSESSMENT_STATUSES
from app.security import EDITORS, STAFF, current_actor, roles_allowed
from app.services import ServiceError
from app.services import certifications as certification_service
from app.services import review as service

CHANGED_MEANWHILE = (
    "An answer was changed by someone else at the same moment, so nothing was saved. "
    "The page shows the current state: check it and try again."
)


def _assessment_or_404(assessment_id: int) -> Assessment:
    # Threads are shown under every answer: load them in one query, not one per answer.
    assessment = db.session.get(
        Assessment,
        assessment_id,
        options=[selectinload(Assessment.answers).selectinload(Answer.comments)],
    )
    if assessment is None:
        abort(404)
    return assessment


def _answer_or_404(assessment: Assessment, answer_id: int) -> Answer:
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.assessment_id != assessment.id:
        abort(404)
    return answer


def _back(assessment: Assessment, anchor: str | None = None):
    return redirect(
        url_for("assessments.review", assessment_id=assessment.id, _anchor=anchor or None)
    )


def _render(assessment: Assessment, status: int = 200, **extra):
    """The review page, with whatever a failed form needs to show again (`extra`)."""
    template, items, summary = service.review_items(assessment)
    changes = service.changes_since_previous(assessment) if assessment.previous_id else []
    changed = {c.question.key for c in changes}
    show = request.args.get("show", "all")
    if show in ("none", "clarify", "accepted"):
        items = [i for i in items if i.state == show and (i.reviewable or show == "clarify")]
    elif show == "changed":
        items = [i for i in items if i.question.key in changed]
    else:
        show = "all"
    editable = current_user.role in EDITORS
    next_round = service.next_round(db.session, assessment)
    can_reassess = editable and assessment.status == "approved" and next_round is None
    return (
        render_template(
            "assessments/review.html",
            assessment=assessment,
            template=template,
            sections=_by_section(template, items),
            summary=summary,
            changed=changed,
            show=show,
            can_review=editable and assessment.status in service.REVIEWABLE,
            can_comment=editable and assessment.status not in service.CLOSED,
            can_reassess=can_reassess,
            next_round=next_round,
            invite_email=service.last_invited_email(db.session, assessment) if can_reassess else "",
            roles=service.author_roles(db.session, items),
            reassess=extra.pop("reassess", {}),
            errors=extra.pop("errors", {}),
            form=extra.pop("form", {}),
            today=dt.date.today(),
            verdicts=service.VERDICTS,
            assessment_statuses=ASSESSMENT_STATUSES,
            detail_url=_detail_url(assessment),
            iso28000=_iso28000(assessment, template),
            **extra,
        ),
        status,
    )


def _iso28000(assessment: Assessment, template):
    """The supplier's ISO 28000 certificate on record, for a questionnaire that asks for one."""
    if not certification_service.asks_for_iso28000_certificate(template):
        return None
    return certification_service.iso28000_on_record(
        db.session, assessment.supplier_id, due_on=assessment.due_on
    )


def _detail_url(assessment: Assessment) -> str | None:
    """The assessment's own page, when the sending pages provide one."""
    if "assessments.detail" in current_app.view_functions:
        return url_for("assessments.detail", assessment_id=assessment.id)
    return None


def _by_section(template, items):
    """[(section, [items])] in questionnaire order, sections without visible questions left out."""
    grouped = {s.key: [] for s in template.sections}
    for item in items:
        grouped[item.question.section].append(item)
    return [(s, grouped[s.key]) for s in template.sections if grouped[s.key]]


@bp.route("/<int:assessment_id>/review")
@roles_allowed(*STAFF)
def review(assessment_id: int):
    """Every visible question with the supplier's answer, evidence, verdict and thread."""
    return _render(_assessment_or_404(assessment_id))


@bp.route("/<int:assessment_id>/review/start", methods=["POST"])
@roles_allowed(*EDITORS)
def start_review(assessment_id: int):
    """submitted → under review."""
    assessment = _assessment_or_404(assessment_id)
    attempt(
        lambda: service.start_review(db.session, current_actor(), assessment),
        "Review started.",
    )
    return _back(assessment)


@bp.route("/<int:assessment_id>/answers/<int:answer_id>/verdict", methods=["POST"])
@roles_allowed(*EDITORS)
def verdict(assessment_id: int, answer_id: int):
    """Accept an answer or ask for clarification (with a note)."""
    assessment = _assessment_or_404(assessment_id)
    answer = _answer_or_404(assessment, answer_id)
    choice = request.form.get("verdict", "")
    note = request.form.get("note", "")
    try:
        service.set_verdict(db.session, current_actor(), answer, choice, note)
    except StaleDataError:
        db.session.rollback()
        flash(CHANGED_MEANWHILE, "warning")
        return _back(assessment, f"q-{answer.question_key}")
    except ServiceError as exc:
        db.session.rollback()
        if not exc.errors:
            flash(exc.message, "error")
            return _back(assessment, f"q-{answer.question_key}")
        return _render(
            assessment,
            errors={answer.id: exc.errors},
            form={answer.id: {"note": note}},
        )
    db.session.commit()
    done = "accepted" if choice == "accepted" else "marked as needing clarification"
    flash(f"Answer to {answer.question_key} {done}.", "success")
    return _back(assessment, f"q-{answer.question_key}")


@bp.route("/<int:assessment_id>/answers/<int:answer_id>/comments", methods=["POST"])
@roles_allowed(*EDITORS)
def comment(assessment_id: int, answer_id: int):
    """Add a message to the thread under an answer."""
    assessment = _assessment_or_404(assessment_id)
    answer = _answer_or_404(assessment, answer_id)
    body = request.form.get("body", "")
    try:
        service.add_comment(db.session, current_actor(), answer, body)
    except ServiceError as exc:
        db.session.rollback()
        if not exc.errors:
            flash(exc.message, "error")
            return _back(assessment, f"q-{answer.question_key}")
        return _render(
            assessment,
            errors={answer.id: exc.errors},
            form={answer.id: {"body": body}},
        )
    db.session.commit()
    flash("Comment added.", "success")
    return _back(assessment, f"q-{answer.question_key}")


@bp.route("/<int:assessment_id>/request-changes", methods=["POST"])
@roles_allowed(*EDITORS)
def request_changes(assessment_id: int):
    """Send the assessment back to the supplier with the answers to clarify."""
    assessment = _assessment_or_404(assessment_id)
    attempt(
        lambda: service.request_changes(db.session, current_actor(), assessment),
        "Changes requested: the supplier sees which answers to clarify and why.",
    )
    return _back(assessment)


@bp.route("/<int:assessment_id>/approve", methods=["POST"])
@roles_allowed(*EDITORS)
def approve(assessment_id: int):
    """Approve the assessment (answers not yet reviewed are accepted with it)."""
    assessment = _assessment_or_404(assessment_id)
    try:
        attempt(
            lambda: service.approve(db.session, current_actor(), assessment),
            "Assessment approved.",
        )
    except StaleDataError:
        db.session.rollback()
        flash(CHANGED_MEANWHILE, "warning")
    return _back(assessment)


@bp.route("/<int:assessment_id>/reassess", methods=["POST"])
@roles_allowed(*EDITORS)
def reassess(assessment_id: int):
    """Start the next round from this approved one (and invite the contact, if given)."""
    assessment = _assessment_or_404(assessment_id)
    form = {k: request.form.get(k, "") for k in ("due_on", "email", "message")}
    try:
        new_round = service.reassess(
            db.session,
            current_actor(),
            assessment,
            due_on=form["due_on"],
            email=form["email"],
            message=form["message"],
        )
    except ServiceError as exc:
        db.session.rollback()
        if not exc.errors:
            flash(exc.message, "error")
            return _back(assessment, "reassess")
        return _render(assessment, reassess={"form": form, "errors": exc.errors})
    db.session.commit()
    created = new_round.assessment
    if new_round.invitation is None:
        flash(
            f"Round {created.round} started; invite the supplier's contact from its page.",
            "success",
        )
    else:
        from app.assessments.routes import _deliver, _show_link_once

        _show_link_once(new_round.invitation, _deliver(new_round.invitation))
        flash(
            f"Round {created.round} started and {new_round.invitation.invitation.email} invited.",
            "success",
        )
    return redirect(_detail_url(created) or url_for("assessments.review", assessment_id=created.id))


@bp.route("/<int:assessment_id>/diff")
@roles_allowed(*STAFF)
def diff(assessment_id: int):
    """Every change since the previous round, before → after, in words."""
    assessment = _assessment_or_404(assessment_id)
    if assessment.previous_id is None:
        flash("This is the first round: there is no earlier round to compare with.", "info")
        return _back(assessment)
    return render_template(
        "assessments/diff.html",
        assessment=assessment,
        previous=assessment.previous,
        changes=service.changes_since_previous(assessment),
        assessment_statuses=ASSESSMENT_STATUSES,
    )


def evidence_url(evidence: Evidence) -> str | None:
    """The access-checked download of an evidence file (served by the portal's answering pages)."""
    if "portal.evidence_file" not in current_app.view_functions:
        return None
    return url_for(
        "portal.evidence_file", assessment_id=evidence.answer.assessment_id, evidence_id=evidence.id
    )


@bp.context_processor
def _review_helpers() -> dict:
    return {
        "review_evidence_url": evidence_url,
        "review_evidence_flag": service.evidence_flag,
    }
