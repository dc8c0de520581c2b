"""Catalog views for staff: controls by framework with search, one control, the crosswalk."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for

from app.catalog import bp
from app.extensions import db
from app.security import STAFF, current_actor, roles_allowed
from app.services import catalog as service
from questionnaires.catalog import FRAMEWORKS, CatalogError


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    """Controls grouped by framework and family; search by identifier or title."""
    q = " ".join(request.args.get("q", "")[:100].split())
    framework = request.args.get("framework", "")
    framework = framework if framework in FRAMEWORKS else ""
    withdrawn = request.args.get("withdrawn") == "1"
    controls = service.list_controls(
        db.session, framework=framework or None, q=q, include_withdrawn=withdrawn
    )
    return render_template(
        "catalog/index.html",
        groups=service.grouped(controls),
        shown=len(controls),
        counts=service.counts_by_framework(db.session),
        frameworks=FRAMEWORKS,
        q=q,
        framework=framework,
        withdrawn=withdrawn,
    )


@bp.route("/controls/<int:control_id>")
@roles_allowed(*STAFF)
def control(control_id: int):
    """One control: summary, parent and enhancements, crosswalk links both ways."""
    found = service.get_control(db.session, control_id)
    if found is None:
        abort(404)
    return render_template(
        "catalog/control.html",
        detail=service.control_detail(db.session, found),
        framework_name=service.framework_name,
    )


@bp.route("/crosswalk")
@roles_allowed(*STAFF)
def crosswalk():
    """Which SP 800-53r5 controls and ISO 28000 clauses support each CSF GV.SC outcome."""
    rows = service.crosswalk_rows(db.session)
    return render_template(
        "catalog/crosswalk.html", rows=rows, columns=service.target_frameworks(rows)
    )


@bp.route("/crosswalk.csv")
@roles_allowed(*STAFF)
def crosswalk_csv():
    """The crosswalk as CSV (one line per link), safe to open in a spreadsheet."""
    body = service.crosswalk_csv(db.session)
    name = f"chainlight-crosswalk-{dt.date.today().isoformat()}.csv"
    response = Response(body, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sync", methods=["POST"])
@roles_allowed("admin")
def sync():
    """Load the catalog files shipped with the application (same as `flask catalog sync`)."""
    try:
        result = service.sync_catalogs(db.session, current_actor())
    except CatalogError as exc:
        db.session.rollback()
        flash(f"The catalog files were not loaded: {exc}", "error")
    else:
        db.session.commit()
        flash(result.summary(), "success")
    return redirect(url_for(".index"))
