"""The findings lists: the register (filters, sort, pages, counts, export, bulk reassign),
the overdue worklist, the exceptions (risk acceptances) and one supplier's plan."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode, urlsplit

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_sqlalchemy.pagination import SelectPagination

from app.extensions import db
from app.main.helpers import page_number
from app.mitigations import bp
from app.mitigations.forms import MOVE_LABELS
from app.models import Supplier
from app.models.finding import FINDING_STATUSES, PLAN_STATUSES
from app.security import EDITORS, STAFF, current_actor, roles_allowed
from app.services import ServiceError, remediation
from app.services import findings_views as views
from app.services.connections import supplier_choices
from app.services.exporting import export_findings
from risk_models.findings import FRAMEWORK_LABELS, SEVERITIES, framework_of

REGISTER = "/findings/"


@bp.context_processor
def _vocabulary() -> dict:
    return {
        "FINDING_STATUSES": FINDING_STATUSES,
        "PLAN_STATUSES": PLAN_STATUSES,
        "SEVERITIES": SEVERITIES,
        "FRAMEWORK_LABELS": FRAMEWORK_LABELS,
        "STATUS_CHOICES": views.STATUS_CHOICES,
        "ACCEPTANCE_VIEWS": views.ACCEPTANCE_VIEWS,
        "MOVE_LABELS": MOVE_LABELS,
        "framework_of": framework_of,
        "findings_export_url": export_url,
    }


def export_url(fmt: str) -> str:
    """The register's export as `fmt`, with the current page's filters (not its page)."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    query = urlencode(args, doseq=True)
    return url_for("mitigations.export", fmt=fmt) + (f"?{query}" if query else "")


class RowPagination(SelectPagination):
    """db.paginate for a SELECT of several entities: each item is a row, not a scalar."""

    def _query_items(self) -> list:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def safe_next(raw: str | None) -> str:
    """Where to return after a bulk action: a relative path under /findings, else the register."""
    if not raw or "\\" in raw or ".." in raw:
        return REGISTER
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or raw.startswith("//"):
        return REGISTER
    if parts.path != "/findings" and not parts.path.startswith(REGISTER):
        return REGISTER
    return raw


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    """The findings register: filter, sort, page, export; editors reassign in bulk."""
    today = dt.date.today()
    filters = views.FindingFilters.from_args(request.args)
    page = db.paginate(
        views.list_query(filters, today),
        page=page_number(),
        per_page=views.PER_PAGE,
        error_out=False,
    )
    editor = current_user.role in EDITORS
    return render_template(
        "mitigations/index.html",
        page=page,
        filters=filters,
        counts=views.counts(db.session, today),
        owners=views.owner_choices(db.session),
        suppliers=supplier_choices(db.session),
        controls=views.control_choices(db.session),
        editor=editor,
        today=today,
        here=request.full_path.rstrip("?"),
    )


@bp.route("/export.<any(csv, xlsx):fmt>")
@roles_allowed(*STAFF)
def export(fmt: str):
    """The register as CSV or XLSX, with the same filters, every page (audited)."""
    exported = export_findings(db.session, current_actor(), fmt, request.args)
    db.session.commit()
    body = exported.body
    if not isinstance(body, bytes):
        body = stream_with_context(body)
    response = Response(body, content_type=exported.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reassign", methods=["POST"])
@roles_allowed(*EDITORS)
def reassign():
    """Give the ticked findings to one owner, then back to the register as it was filtered."""
    back = safe_next(request.form.get("next"))
    try:
        changed = remediation.reassign(
            db.session, current_actor(), request.form.getlist("ids"), request.form.get("owner")
        )
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    if changed:
        noun = "finding" if changed == 1 else "findings"
        flash(f"{changed} {noun} reassigned.", "success")
    else:
        flash("Nothing changed: the ticked findings already belong to that owner.", "info")
    return redirect(back)


@bp.route("/overdue")
@roles_allowed(*STAFF)
def overdue():
    """Open and in-progress findings past their due date, the most overdue first."""
    today = dt.date.today()
    mine = request.args.get("mine") == "1"
    filters = views.FindingFilters.from_args(
        {}, overdue=True, owner_id=current_user.id if mine else None, sort="due"
    )
    page = db.paginate(
        views.list_query(filters, today),
        page=page_number(),
        per_page=views.PER_PAGE,
        error_out=False,
    )
    return render_template("mitigations/overdue.html", page=page, mine=mine, today=today)


@bp.route("/acceptances")
@roles_allowed(*STAFF)
def acceptances():
    """Risk acceptances (exceptions): in force, expiring soon, or lapsed."""
    today = dt.date.today()
    view = request.args.get("view", "active")
    if view not in views.ACCEPTANCE_VIEWS:
        view = "active"
    page = RowPagination(
        select=views.acceptances_query(view, today),
        session=db.session,
        page=page_number(),
        per_page=views.PER_PAGE,
        error_out=False,
    )
    return render_template(
        "mitigations/acceptances.html",
        page=page,
        view=view,
        today=today,
        expiring_days=views.EXPIRING_DAYS,
    )


@bp.route("/supplier/<int:supplier_id>")
@roles_allowed(*STAFF)
def supplier_plan(supplier_id: int):
    """One supplier's remediation plan: its findings, plans, target dates and milestones."""
    today = dt.date.today()
    supplier = db.get_or_404(Supplier, supplier_id)
    return render_template(
        "mitigations/supplier_plan.html",
        supplier=supplier,
        findings=views.supplier_plan(db.session, supplier.id),
        counts=views.counts(db.session, today, supplier_id=supplier.id),
        editor=current_user.role in EDITORS,
        today=today,
    )
