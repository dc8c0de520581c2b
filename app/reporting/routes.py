"""Report views: the archive of report runs and their PDFs (staff), the report schedules
(administrators: add, edit, delete, run now), and the portfolio and supplier PDFs made on
demand (staff; not archived, but audited).

Each view reads its form, calls one use case of app.services.reporting and commits, or
rolls back and shows the refusal: the schedule form comes back with the typed values and
each message next to its field (status 400); a one-click action flashes why instead.
"""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.connections.forms import choices
from app.extensions import db
from app.main.actions import attempt
from app.main.files import send_stored
from app.main.helpers import page_number
from app.models import ReportSchedule, Supplier
from app.models.report import CADENCES, REPORT_KINDS, RUN_STATUSES
from app.reporting import bp
from app.reporting.forms import ScheduleForm
from app.security import STAFF, current_actor, roles_allowed
from app.services import ServiceError, reporting
from app.services import reporting_views as views
from app.services.audit import record
from app.services.connections import supplier_choices

ADMINS = ("admin",)
RUNNER_NOTE = (
    "The job runner makes it within a minute (in production, “flask --app wsgi jobs run” "
    "must be running)."
)


@bp.context_processor
def _vocabulary() -> dict:
    return {
        "REPORT_KINDS": REPORT_KINDS,
        "RUN_STATUSES": RUN_STATUSES,
        "CADENCES": CADENCES,
        "TRIGGERS": views.TRIGGERS,
        "size_text": views.size_text,
    }


# --- the archive -----------------------------------------------------------------------------


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    """Every report made, newest first, filtered by kind, status and trigger."""
    filters = views.RunFilters.from_args(request.args)
    page = db.paginate(
        views.archive_query(filters), page=page_number(), per_page=views.PER_PAGE, error_out=False
    )
    return render_template(
        "reporting/index.html",
        page=page,
        filters=filters,
        admin=current_user.role in ADMINS,
    )


@bp.route("/runs/<int:run_id>.pdf")
@roles_allowed(*STAFF)
def download(run_id: int):
    """The archived PDF of one report run (404 while it has none)."""
    run = views.load_run(db.session, run_id)
    if run is None:
        abort(404)
    return send_stored(run.file, missing="This report's PDF is missing from storage.")


# --- made on demand --------------------------------------------------------------------------


def _pdf_response(pdf: bytes, name: str):
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _made_now(kind: str, name: str, supplier: Supplier | None = None):
    """Build a report now, audit the download and send it; a refusal is flashed."""
    today = dt.date.today()
    storage = reporting.storage_for(current_app)
    back = (
        url_for("suppliers.detail", supplier_id=supplier.id)
        if supplier is not None
        else url_for("main.index")
    )
    try:
        pdf, _facts = reporting.build(
            db.session,
            kind,
            org_name=storage.org_name,
            today=today,
            supplier_id=supplier.id if supplier is not None else None,
            previous=reporting.previous_facts(db.session) if kind == "portfolio" else None,
        )
    except ServiceError as exc:
        db.session.rollback()
        flash(f"The report could not be made: {exc.message}", "error")
        return redirect(back)
    db.session.rollback()  # making a report only reads
    scope = f" of {supplier.legal_name} ({supplier.code})" if supplier is not None else ""
    record(
        db.session,
        current_actor(),
        "report_download",
        "supplier" if supplier is not None else "report",
        supplier.id if supplier is not None else kind,
        f"{REPORT_KINDS[kind]}{scope} downloaded ({reporting.page_count(pdf)} pages)",
    )
    db.session.commit()
    return _pdf_response(pdf, name)


@bp.route("/portfolio.pdf")
@roles_allowed(*STAFF)
def portfolio_pdf():
    """The executive portfolio report as of today, made now (not archived)."""
    return _made_now("portfolio", views.download_name("portfolio", dt.date.today()))


@bp.route("/supplier/<int:supplier_id>.pdf")
@roles_allowed(*STAFF)
def supplier_pdf(supplier_id: int):
    """One supplier's assessment report as of today, made now (not archived)."""
    supplier = db.get_or_404(Supplier, supplier_id)
    name = views.download_name("supplier", dt.date.today(), supplier.code)
    return _made_now("supplier", name, supplier)


# --- schedules -------------------------------------------------------------------------------


@bp.route("/schedules")
@roles_allowed(*ADMINS)
def schedules():
    """Every schedule with its cadence, recipients, next fire time and last run."""
    return render_template(
        "reporting/schedules.html",
        rows=views.schedule_rows(db.session, dt.datetime.now(dt.UTC)),
    )


def _schedule_or_404(schedule_id: int) -> ReportSchedule:
    schedule = views.load_schedule(db.session, schedule_id)
    if schedule is None:
        abort(404)
    return schedule


def _form_choices(form: ScheduleForm, schedule: ReportSchedule | None = None) -> None:
    keep = schedule.supplier if schedule is not None else None
    form.supplier.choices = choices(supplier_choices(db.session, keep=keep), "Choose a supplier…")


def _render_form(form: ScheduleForm, schedule: ReportSchedule | None, status: int = 200):
    return (
        render_template(
            "reporting/form.html",
            form=form,
            schedule=schedule,
            timezones=views.timezone_names(),
        ),
        status,
    )


@bp.route("/schedules/new", methods=["GET", "POST"])
@roles_allowed(*ADMINS)
def schedule_new():
    """Add a schedule; ?kind=supplier&supplier_id= preselects a supplier report."""
    form = ScheduleForm()
    _form_choices(form)
    if request.method == "GET":
        form.cadence.data = "monthly"
        if request.args.get("kind") in REPORT_KINDS:
            form.kind.data = request.args["kind"]
        form.supplier.data = request.args.get("supplier_id", "")[:20]
        return _render_form(form, None)
    try:
        schedule = reporting.create_schedule(db.session, current_actor(), form.service_data())
    except ServiceError as exc:
        db.session.rollback()
        form.show_errors(exc)
        return _render_form(form, None, 400)
    db.session.commit()
    flash(f"Schedule “{schedule.name}” added.", "success")
    return redirect(url_for("reporting.schedules"))


@bp.route("/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@roles_allowed(*ADMINS)
def schedule_edit(schedule_id: int):
    """Change a schedule (audited with what changed)."""
    schedule = _schedule_or_404(schedule_id)
    if request.method == "GET":
        form = ScheduleForm(
            data={
                "name": schedule.name,
                "kind": schedule.kind,
                "supplier": str(schedule.supplier_id or ""),
                "cadence": schedule.cadence,
                "cron": schedule.cron if schedule.cadence == "cron" else "",
                "timezone": schedule.timezone,
                "recipients": schedule.recipients,
                "active": schedule.active,
            }
        )
        _form_choices(form, schedule)
        return _render_form(form, schedule)
    form = ScheduleForm()
    _form_choices(form, schedule)
    try:
        reporting.update_schedule(db.session, current_actor(), schedule, form.service_data())
    except ServiceError as exc:
        db.session.rollback()
        form.show_errors(exc)
        return _render_form(form, _schedule_or_404(schedule_id), 400)
    db.session.commit()
    flash(f"Schedule “{schedule.name}” saved.", "success")
    return redirect(url_for("reporting.schedules"))


@bp.route("/schedules/<int:schedule_id>/delete", methods=["POST"])
@roles_allowed(*ADMINS)
def schedule_delete(schedule_id: int):
    """Remove a schedule; the reports it made stay in the archive."""
    schedule = _schedule_or_404(schedule_id)
    name = schedule.name
    attempt(
        lambda: reporting.delete_schedule(db.session, current_actor(), schedule),
        f"Schedule “{name}” deleted; the reports it made stay in the archive.",
    )
    return redirect(url_for("reporting.schedules"))


@bp.route("/schedules/<int:schedule_id>/run", methods=["POST"])
@roles_allowed(*ADMINS)
def schedule_run(schedule_id: int):
    """Make the schedule's report now (and e-mail it with send=1): queued for the runner."""
    schedule = _schedule_or_404(schedule_id)
    send = request.form.get("send") == "1"
    recipients = len(schedule.recipient_list)
    what = (
        f"e-mailed to {recipients} {'recipient' if recipients == 1 else 'recipients'}"
        if send
        else "archived"
    )
    done = attempt(
        lambda: reporting.request_run(
            db.session,
            current_actor(),
            kind=schedule.kind,
            supplier_id=schedule.supplier_id,
            schedule=schedule,
            send=send,
        ),
        f"“{schedule.name}” is queued, to be made and {what}. {RUNNER_NOTE}",
    )
    return redirect(url_for("reporting.index") if done else url_for("reporting.schedules"))
