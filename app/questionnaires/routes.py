"""Questionnaire templates: list, versions, the builder, YAML import and export (admins, analysts).

The builder always edits a template's latest version. The services decide whether a save
changes that draft in place or starts a new draft version (when the latest is published or
an assessment uses it), and say which, so the page can tell the analyst.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.questionnaires import bp
from app.questionnaires.forms import (
    EVIDENCE_LABELS,
    SCOPE_LABELS,
    DetailsForm,
    ImportForm,
    NewTemplateForm,
    QuestionForm,
    SectionForm,
)
from app.security import EDITORS, current_actor, roles_allowed
from app.services import ServiceError
from app.services import template_builder as edits
from app.services import templates as service
from questionnaires.fields import FIELD_TYPES


@bp.context_processor
def _helpers():
    return {
        "type_label": lambda t: FIELD_TYPES[t].label if t in FIELD_TYPES else t,
        "evidence_label": EVIDENCE_LABELS.get,
        "scope_label": SCOPE_LABELS.get,
        "condition_text": service.condition_text,
        "version_statuses": service.VERSION_STATUSES,
    }


def _template_or_404(template_id: int):
    template = service.get_template(db.session, template_id)
    if template is None or not template.versions:
        abort(404)
    return template


def _version_or_404(version_id: int):
    version = service.get_version(db.session, version_id)
    if version is None:
        abort(404)
    return version


def _run(action: Callable[[], service.SaveResult], form=None) -> service.SaveResult | None:
    """Run one save; commit and say what happened, or roll back and put the errors on the form."""
    try:
        result = action()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if form is None:
            flash(_joined(exc), "error")
        else:
            form.show_errors(exc)
        return None
    except IntegrityError:
        # Someone else created the same version number or key at the same moment.
        db.session.rollback()
        message = "Someone else saved this template at the same moment. Reload and try again."
        if form is None:
            flash(message, "error")
        else:
            form.form_errors.append(message)
        return None
    flash(result.summary(), "success" if result.changed else "info")
    return result


def _joined(exc: ServiceError) -> str:
    details = "; ".join(f"{where}: {message}" for where, message in exc.errors.items())
    return f"{exc.message} {details}" if details else exc.message


def _to_builder(template_id: int):
    return redirect(url_for(".builder", template_id=template_id))


@bp.route("/")
@roles_allowed(*EDITORS)
def index():
    """Every template with its versions, what is sendable and what is in use."""
    return render_template("questionnaires/index.html", rows=service.list_templates(db.session))


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def new():
    """Start a template: empty with one question, or a copy of another template."""
    form = NewTemplateForm(templates=[row.template for row in service.list_templates(db.session)])
    if form.validate_on_submit():
        result = _run(lambda: edits.new_template(db.session, current_actor(), form.data), form)
        if result:
            return _to_builder(result.template.id)
    return render_template("questionnaires/new.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def import_yaml():
    """Import a template from an uploaded or pasted YAML document."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(service.MAX_YAML_BYTES + 1) if upload and upload.filename else None
        if data is None and not (form.text.data or "").strip():
            form.file.errors = ["Choose a YAML file or paste the YAML below."]
        else:
            result = _run(
                lambda: service.import_yaml(
                    db.session,
                    current_actor(),
                    data if data is not None else form.text.data,
                    publish_it=form.publish.data,
                    source="YAML import",
                ),
                form,
            )
            if result:
                return redirect(url_for(".version", version_id=result.version.id))
    return render_template("questionnaires/import.html", form=form)


@bp.route("/<int:template_id>")
@roles_allowed(*EDITORS)
def builder(template_id: int):
    """The builder: the latest version's sections and questions, with their edit actions."""
    template = _template_or_404(template_id)
    latest = service.latest_version(template)
    uses = service.usage_counts(db.session, [v.id for v in template.versions])
    frozen = latest.status == "published" or uses.get(latest.id, 0) > 0
    return render_template(
        "questionnaires/builder.html",
        template=template,
        latest=latest,
        parsed=service.template_of(latest),
        uses=uses,
        frozen=frozen,
        titles=service.control_titles(db.session),
    )


@bp.route("/versions/<int:version_id>")
@roles_allowed(*EDITORS)
def version(version_id: int):
    """One version, read-only: every question with its type, rules, controls and condition."""
    version = _version_or_404(version_id)
    return render_template(
        "questionnaires/version.html",
        version=version,
        template=version.template,
        parsed=service.template_of(version),
        uses=service.usage_counts(db.session, [version.id]).get(version.id, 0),
        titles=service.control_titles(db.session),
    )


@bp.route("/versions/<int:version_id>/export")
@roles_allowed(*EDITORS)
def export(version_id: int):
    """Download a version as YAML (it imports back unchanged)."""
    version = _version_or_404(version_id)
    return Response(
        service.export_yaml(version),
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f'attachment; filename="{service.export_filename(version)}"'
        },
    )


@bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@roles_allowed(*EDITORS)
def publish(version_id: int):
    """Make a draft version sendable."""
    version = _version_or_404(version_id)
    try:
        service.publish(db.session, current_actor(), version)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(
            f"Version {version.number} of {version.template.name} is published and can be sent.",
            "success",
        )
    if request.form.get("next_page") == "version":
        return redirect(url_for(".version", version_id=version.id))
    return _to_builder(version.template_id)


@bp.route("/<int:template_id>/details", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def details(template_id: int):
    """Edit the template's name, description and scope."""
    template = _template_or_404(template_id)
    latest = service.latest_version(template)
    form = DetailsForm(data={**edits.current_document(template), "base": latest.content_hash})
    if form.validate_on_submit():
        action = lambda: edits.update_details(  # noqa: E731
            db.session, current_actor(), template, form.data, form.base.data
        )
        if _run(action, form):
            return _to_builder(template.id)
    return _page("questionnaires/details.html", template, form)


def _page(name: str, template, form, **context):
    latest = service.latest_version(template)
    frozen = latest.status == "published" or service.in_use(db.session, latest)
    return render_template(
        name, template=template, latest=latest, frozen=frozen, form=form, **context
    )


@bp.route("/<int:template_id>/sections/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def new_section(template_id: int):
    """Add a section, with its first question."""
    template = _template_or_404(template_id)
    form = SectionForm(
        data={"base": service.latest_version(template).content_hash, "q_type": "ynp"}
    )
    if form.validate_on_submit():
        action = lambda: edits.save_section(  # noqa: E731
            db.session, current_actor(), template, None, form.data, form.base.data
        )
        if _run(action, form):
            return _to_builder(template.id)
    return _page("questionnaires/section.html", template, form, section_key=None)


def _section_doc(template, section_key: str) -> dict:
    document = edits.current_document(template)
    section = next((s for s in document["sections"] if s["key"] == section_key), None)
    if section is None:
        abort(404)
    return section


@bp.route("/<int:template_id>/sections/<section_key>/edit", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def edit_section(template_id: int, section_key: str):
    """Change a section's key, title or description."""
    template = _template_or_404(template_id)
    section = _section_doc(template, section_key)
    form = SectionForm(data={**section, "base": service.latest_version(template).content_hash})
    if form.validate_on_submit():
        action = lambda: edits.save_section(  # noqa: E731
            db.session, current_actor(), template, section_key, form.data, form.base.data
        )
        if _run(action, form):
            return _to_builder(template.id)
    return _page("questionnaires/section.html", template, form, section_key=section_key)


def _one_click(template_id: int, change) -> Response:
    template = _template_or_404(template_id)
    base = request.form.get("base") or None
    _run(lambda: change(template, base))
    return _to_builder(template.id)


@bp.route("/<int:template_id>/sections/<section_key>/delete", methods=["POST"])
@roles_allowed(*EDITORS)
def delete_section(template_id: int, section_key: str):
    """Delete a section and its questions."""
    return _one_click(
        template_id,
        lambda t, base: edits.delete_section(db.session, current_actor(), t, section_key, base),
    )


@bp.route("/<int:template_id>/sections/<section_key>/move", methods=["POST"])
@roles_allowed(*EDITORS)
def move_section(template_id: int, section_key: str):
    """Move a section up or down."""
    direction = request.form.get("direction", "")
    return _one_click(
        template_id,
        lambda t, base: edits.move_section(
            db.session, current_actor(), t, section_key, direction, base
        ),
    )


def _question_form(template, question: dict | None, section_key: str | None) -> QuestionForm:
    document = edits.current_document(template)
    questions = [q for s in document["sections"] for q in s["questions"]]
    if question is not None:
        questions = [q for q in questions if q["key"] != question["key"]]
        data = edits.question_form_data(question)
    else:
        data = {"required": True, "weight": "1", "type": "ynp", "evidence": "none"}
    data["section"] = section_key or ""
    data["base"] = service.latest_version(template).content_hash
    return QuestionForm(data=data, sections=document["sections"], questions=questions)


@bp.route("/<int:template_id>/questions/new", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def new_question(template_id: int):
    """Add a question at the end of a section."""
    template = _template_or_404(template_id)
    section_key = request.args.get("section", "")[:80]
    form = _question_form(template, None, section_key)
    if form.validate_on_submit():
        action = lambda: edits.save_question(  # noqa: E731
            db.session, current_actor(), template, None, form.data, form.base.data
        )
        if _run(action, form):
            return _to_builder(template.id)
    return _page("questionnaires/question.html", template, form, question=None)


@bp.route("/<int:template_id>/questions/<question_key>/edit", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def edit_question(template_id: int, question_key: str):
    """Change a question: text, type, options and scores, rules, controls, condition."""
    template = _template_or_404(template_id)
    document = edits.current_document(template)
    found = next(
        ((s, q) for s in document["sections"] for q in s["questions"] if q["key"] == question_key),
        None,
    )
    if found is None:
        abort(404)
    section, question = found
    parsed = service.template_of(service.latest_version(template))
    words = service.condition_text(parsed, parsed.question(question_key).show_when)
    form = _question_form(template, question, section["key"])
    if form.validate_on_submit():
        action = lambda: edits.save_question(  # noqa: E731
            db.session, current_actor(), template, question_key, form.data, form.base.data
        )
        if _run(action, form):
            return _to_builder(template.id)
    return _page("questionnaires/question.html", template, form, question=question, words=words)


@bp.route("/<int:template_id>/questions/<question_key>/delete", methods=["POST"])
@roles_allowed(*EDITORS)
def delete_question(template_id: int, question_key: str):
    """Delete a question no condition depends on."""
    return _one_click(
        template_id,
        lambda t, base: edits.delete_question(db.session, current_actor(), t, question_key, base),
    )


@bp.route("/<int:template_id>/questions/<question_key>/move", methods=["POST"])
@roles_allowed(*EDITORS)
def move_question(template_id: int, question_key: str):
    """Move a question up or down (into the neighbouring section at the edges)."""
    direction = request.form.get("direction", "")
    return _one_click(
        template_id,
        lambda t, base: edits.move_question(
            db.session, current_actor(), t, question_key, direction, base
        ),
    )
