"""Assessment views (stub)."""

from flask import render_template

from app.assessments import bp
from app.security import STAFF, roles_allowed


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    return render_template("placeholder.html", title="Assessments")
