"""The home page (a start page per role) and /healthz."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app.extensions import db
from app.main import bp
from app.security import ALL_ROLES, public, roles_allowed
from app.services import inventory_stats


@bp.route("/")
@roles_allowed(*ALL_ROLES)
def index():
    """Staff see the inventory at a glance; supplier contacts go to their portal."""
    if current_user.role == "supplier":
        return redirect(url_for("portal.home"))
    stats = inventory_stats.overview(db.session)
    return render_template("main/index.html", stats=stats)


@bp.route("/healthz")
@public
def healthz():
    """JSON health: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception as exc:  # noqa: BLE001 - any database failure is "unavailable"
        db.session.rollback()
        return jsonify(status="error", database="unavailable", detail=type(exc).__name__), 503
