"""Admin views (stub)."""

from flask import render_template

from app.admin import bp
from app.security import roles_allowed


@bp.route("/users")
@roles_allowed("admin")
def users():
    return render_template("placeholder.html", title="Users")


@bp.route("/audit")
@roles_allowed("admin")
def audit():
    return render_template("placeholder.html", title="Audit trail")
