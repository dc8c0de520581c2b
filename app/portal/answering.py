"""Portal views for answering an assessment: sections, autosave, evidence and submission.

Pages work without JavaScript (each section is one form; every button saves the whole
section first, each answer checked against the version it was shown with). With
JavaScript (static/js/autosave.js) each answer is saved as it changes through the JSON
endpoint `save_answer`, which answers 409 instead of overwriting a newer answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.main.files import send_stored
from app.models import Assessment
from app.models.assessment import ASSESSMENT_STATUSES
from app.portal import bp
from app.security import ALL_ROLES, check_supplier_access, current_actor, roles_allowed
from app.services import ServiceError
from app.services import answering as service
from app.services import certifications as certification_service
from app.services import files as file_store

STATUS_BADGES = {
    "sent": "text-bg-primary",
    "in_progress": "text-bg-info",
    "submitted": "text-bg-success",
    "under_review": "text-bg-success",
    "changes_requested": "text-bg-warning",
    "approved": "text-bg-success",
    "cancelled": "text-bg-secondary",
}
RACE_MESSAGE = (
    "Another save of this questionnaire happened at the same moment, so nothing from this "
    "form was saved. Your answers are shown again: check them and save."
)


@bp.context_processor
def _answering_helpers():
    return {
        "status_badge": STATUS_BADGES,
        "status_labels": ASSESSMENT_STATUSES,
        "evidence_flag": service.evidence_flag,
        "display_value": service.display_value,
        "takes_evidence": service.takes_evidence,
        "max_file_bytes": current_app.config["CHAINLIGHT_MAX_FILE_BYTES"],
        "allowed_files": file_store.ALLOWED_TEXT,
    }


def _assessment_or_404(assessment_id: int) -> Assessment:
    supplier_id = current_user.supplier_id
    if supplier_id is None:
        abort(404)
    check_supplier_access(supplier_id)
    assessment = service.get_for_supplier(db.session, assessment_id, supplier_id)
    if assessment is None:
        abort(404)
    return assessment


def _root() -> Path:
    return Path(current_app.config["CHAINLIGHT_UPLOAD_DIR"])


def _progress_json(progress) -> dict[str, Any]:
    return {
        "done": progress.done,
        "required": progress.required,
        "answered": progress.answered,
        "visible": progress.visible,
        "percent": progress.percent,
    }


@bp.route("/assessments")
@roles_allowed("supplier")
def assessments():
    """The contact's questionnaires: open ones first, with progress and due dates."""
    supplier_id = current_user.supplier_id
    if supplier_id is None:
        abort(404)
    check_supplier_access(supplier_id)
    rows = service.for_supplier(db.session, supplier_id)
    return render_template(
        "portal/assessments.html",
        rows=[(a, service.overview(a), service.expiring_evidence(a)) for a in rows],
        is_open=service.is_open,
    )


@dataclass(frozen=True)
class QuestionState:
    """What a question's inputs show: the saved answer, or what was posted and refused."""

    value: Any
    comment: str
    version: int
    error: str = ""
    conflict: service.ConflictError | None = None


def _states(view: service.Overview, section, posted, result) -> dict[str, QuestionState]:
    states = {}
    for question in section.questions:
        key = question.key
        answer = view.answers.get(key)
        version = answer.lock_version if answer is not None else 0
        entry = posted.get(key)
        if key in result.conflicts and entry is not None:
            conflict = result.conflicts[key]
            # Their version: saving again deliberately puts the person's own answer in place.
            states[key] = QuestionState(
                entry.value, entry.comment or "", conflict.version, conflict=conflict
            )
        elif entry is not None:
            states[key] = QuestionState(
                entry.value, entry.comment or "", version, result.errors.get(key, "")
            )
        elif answer is not None:
            states[key] = QuestionState(answer.value, answer.comment or "", version)
        else:
            states[key] = QuestionState(None, "", 0)
    return states


def _pick_section(view: service.Overview, wanted: str | None) -> int:
    keys = view.section_keys()
    if wanted in keys:
        return keys.index(wanted)
    for index, key in enumerate(keys):
        progress = view.sections[key]
        if progress.done < progress.required:
            return index
    return 0


def _render(
    assessment: Assessment,
    section_key: str | None = None,
    *,
    posted: dict[str, service.Entry] | None = None,
    result: service.SectionResult | None = None,
    evidence_errors: dict[str, dict[str, str]] | None = None,
    status: int = 200,
):
    view = service.overview(assessment)
    if not service.is_open(assessment):
        return render_template(
            "portal/assessment_readonly.html", assessment=assessment, view=view
        ), status
    index = _pick_section(view, section_key)
    sections = view.template.sections
    result = result or service.SectionResult()
    return render_template(
        "portal/assessment.html",
        assessment=assessment,
        view=view,
        section=sections[index],
        previous=sections[index - 1] if index > 0 else None,
        following=sections[index + 1] if index + 1 < len(sections) else None,
        states=_states(view, sections[index], posted or {}, result),
        result=result,
        evidence_errors=evidence_errors or {},
        clarifications_url=(
            url_for("portal.clarifications", assessment_id=assessment.id)
            if "portal.clarifications" in current_app.view_functions
            else None
        ),
        today=dt.date.today(),
        certificate_hint=_certificate_hint(assessment, view.template),
    ), status


def _certificate_hint(assessment: Assessment, template):
    """The supplier's valid ISO 28000 certificate, for the question that asks for it."""
    if not certification_service.asks_for_iso28000_certificate(template):
        return None
    record = certification_service.iso28000_on_record(
        db.session, assessment.supplier_id, due_on=assessment.due_on
    )
    return record if record.covers else None


@bp.route("/assessments/<int:assessment_id>")
@roles_allowed("supplier")
def assessment(assessment_id: int):
    """One section of the questionnaire (or everything, read-only, once submitted)."""
    found = _assessment_or_404(assessment_id)
    return _render(found, request.args.get("section"))


def _entries(section, form) -> dict[str, service.Entry]:
    """The posted answers of a section (questions hidden by a condition post nothing)."""
    entries = {}
    for question in section.questions:
        key = question.key
        if f"lock_version-{key}" not in form:
            continue
        if question.type == "multiple_choice":
            value: Any = form.getlist(f"value-{key}")
        elif question.type == "file":
            value = None
        else:
            value = form.get(f"value-{key}")
        entries[key] = service.Entry(
            key, value, form.get(f"comment-{key}", ""), form.get(f"lock_version-{key}")
        )
    return entries


def _uploads(assessment: Assessment, section, form, files) -> dict[str, dict[str, str]]:
    """Attach the files chosen in the section; errors by question and field."""
    errors: dict[str, dict[str, str]] = {}
    for question in section.questions:
        chosen = files.get(f"file-{question.key}")
        if chosen is None or not chosen.filename:
            if form.get("action") == f"upload:{question.key}":
                errors[question.key] = {"file": "Choose a file to upload first."}
            continue
        upload = file_store.Upload(chosen.filename, chosen.read())
        try:
            service.add_evidence(
                db.session,
                current_actor(),
                assessment,
                question.key,
                upload,
                form.get(f"effective_on-{question.key}"),
                form.get(f"expires_on-{question.key}"),
                root=_root(),
                max_bytes=current_app.config["CHAINLIGHT_MAX_FILE_BYTES"],
            )
        except ServiceError as exc:
            errors[question.key] = exc.errors or {"file": exc.message}
    return errors


@bp.route("/assessments/<int:assessment_id>", methods=["POST"])
@roles_allowed("supplier")
def save_section(assessment_id: int):
    """Save a whole section (the form without JavaScript), then upload, remove or move on."""
    found = _assessment_or_404(assessment_id)
    if not service.is_open(found):
        flash(service.closed_message(found), "error")
        return redirect(url_for("portal.assessment", assessment_id=found.id), code=303)
    view = service.overview(found)
    keys = view.section_keys()
    section_key = request.form.get("section")
    if section_key not in keys:
        abort(400, "Unknown section: reload the page.")
    section = view.template.sections[keys.index(section_key)]
    posted = _entries(section, request.form)
    action = request.form.get("action", "save")
    has_files = any(f.filename for f in request.files.values())
    # An autosave of the same answer may be committing at this very moment (the field's
    # change event fires as the button is clicked). Its write wins the race; one retry then
    # sees that answer stored, and an identical answer is no change, not a conflict.
    for attempt in range(1 if has_files else 2):
        try:
            result = service.save_section(db.session, current_actor(), found, list(posted.values()))
            evidence_errors = _uploads(found, section, request.form, request.files)
            if action.startswith("remove:") and not result.errors and not result.conflicts:
                try:
                    service.remove_evidence(db.session, current_actor(), found, action[7:])
                except ServiceError as exc:
                    flash(exc.message, "error")
                else:
                    flash("The file was removed.", "success")
            db.session.commit()
            break
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            if attempt == 0 and not has_files:
                found = _assessment_or_404(assessment_id)
                continue
            flash(RACE_MESSAGE, "error")
            return _render(found, section_key, posted=posted, status=409)
    if result.errors or result.conflicts or evidence_errors:
        keep = {k: posted[k] for k in (*result.errors, *result.conflicts) if k in posted}
        message = "Some answers were not saved: see the messages below."
        if result.saved:
            message = f"{result.saved} answer(s) saved; some were not: see the messages below."
        flash(message, "error")
        return _render(
            found,
            section_key,
            posted=keep,
            result=result,
            evidence_errors=evidence_errors,
            status=409 if result.conflicts and not result.errors else 400,
        )
    if action == "review":
        return redirect(url_for("portal.review", assessment_id=found.id), code=303)
    if action == "next" and keys.index(section_key) + 1 < len(keys):
        target = keys[keys.index(section_key) + 1]
    else:
        target = section_key
    if action == "save":
        flash("Your answers are saved.", "success")
    elif action.startswith("upload:"):
        flash("The file was attached.", "success")
    url = url_for("portal.assessment", assessment_id=found.id, section=target)
    anchor = action.split(":", 1)[1] if action.startswith("upload:") else ""
    if anchor in {q.key for q in section.questions}:
        url += f"#q-{anchor}"
    return redirect(url, code=303)


def _payload(question_type: str | None) -> dict[str, Any]:
    """The answer sent by autosave: JSON, or a form (navigator.sendBeacon while leaving)."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, "Send the answer as a JSON object.")
        return data
    form = request.form
    values = form.getlist("value")
    value: Any = values if question_type == "multiple_choice" else (values[0] if values else None)
    return {"value": value, "comment": form.get("comment", ""), "version": form.get("version")}


def _conflict(exc: service.ConflictError):
    return jsonify(
        error="conflict",
        message=exc.message,
        current={
            "value": exc.value,
            "comment": exc.comment,
            "version": exc.version,
            "display": exc.display,
        },
    ), 409


def _save_one(found: Assessment, question_key: str, data: dict[str, Any]):
    saved = service.save_answer(
        db.session,
        current_actor(),
        found,
        question_key,
        data.get("value"),
        data.get("comment", ""),
        data.get("version"),
    )
    db.session.commit()
    return saved


@bp.route("/assessments/<int:assessment_id>/answers/<question_key>", methods=["POST"])
@roles_allowed("supplier")
def save_answer(assessment_id: int, question_key: str):
    """Autosave one answer (JSON): 200 with the new state, 400 refused, 409 conflict/closed."""
    found = _assessment_or_404(assessment_id)
    question = service.template_of(found).question(question_key)
    data = _payload(question.type if question else None)
    try:
        saved = _save_one(found, question_key, data)
    except (StaleDataError, IntegrityError):
        # Lost a race with a simultaneous save (the section form, another tab): once more,
        # against what is stored now — the same answer is no change, another is a conflict.
        db.session.rollback()
        found = _assessment_or_404(assessment_id)
        try:
            saved = _save_one(found, question_key, data)
        except service.ConflictError as exc:
            db.session.rollback()
            return _conflict(exc)
        except (StaleDataError, IntegrityError, ServiceError):
            db.session.rollback()
            return _conflict(service.current_answer(db.session, found, question_key))
    except service.ConflictError as exc:
        db.session.rollback()
        return _conflict(exc)
    except service.ClosedError as exc:
        db.session.rollback()
        return jsonify(error="closed", message=exc.message), 409
    except ServiceError as exc:
        db.session.rollback()
        return jsonify(error="invalid", message=exc.message, errors=exc.errors), 400
    view = saved.overview
    return jsonify(
        question=saved.question_key,
        value=saved.value,
        comment=saved.comment,
        version=saved.version,
        changed=saved.changed,
        status=found.status,
        status_label=ASSESSMENT_STATUSES.get(found.status, found.status),
        progress=_progress_json(view.progress),
        sections={key: _progress_json(p) for key, p in view.sections.items()},
        visible=sorted(view.visible),
    )


@bp.route("/assessments/<int:assessment_id>/submit")
@roles_allowed("supplier")
def review(assessment_id: int):
    """Check before submitting: what is still missing, each linked to its question."""
    found = _assessment_or_404(assessment_id)
    if not service.is_open(found):
        return redirect(url_for("portal.assessment", assessment_id=found.id))
    view = service.overview(found)
    return render_template(
        "portal/assessment_submit.html",
        assessment=found,
        view=view,
        missing=service.missing(found),
        tried=False,
    )


@bp.route("/assessments/<int:assessment_id>/submit", methods=["POST"])
@roles_allowed("supplier")
def submit(assessment_id: int):
    """Submit; when something is missing, list it instead (nothing changes)."""
    found = _assessment_or_404(assessment_id)
    try:
        service.submit(db.session, current_actor(), found)
    except service.IncompleteError as exc:
        db.session.rollback()
        return render_template(
            "portal/assessment_submit.html",
            assessment=found,
            view=service.overview(found),
            missing=exc.missing,
            tried=True,
        ), 400
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("portal.assessment", assessment_id=found.id))
    db.session.commit()
    flash("Thank you: your answers were submitted for review.", "success")
    return redirect(url_for("portal.assessment", assessment_id=found.id), code=303)


@bp.route("/assessments/<int:assessment_id>/evidence/<int:evidence_id>")
@roles_allowed(*ALL_ROLES)
def evidence_file(assessment_id: int, evidence_id: int):
    """Download an evidence file: its supplier's contacts and staff only (404 otherwise)."""
    found = db.session.get(Assessment, assessment_id)
    if found is None:
        abort(404)
    if current_user.role == "supplier" and current_user.supplier_id != found.supplier_id:
        abort(404)
    check_supplier_access(found.supplier_id)
    evidence = service.get_evidence(db.session, found, evidence_id)
    if evidence is None:
        abort(404)
    return send_stored(evidence.file, "The file is missing from storage; ask an administrator.")
