"""Template views (stub)."""

from flask import render_template

from app.questionnaires import bp
from app.security import EDITORS, roles_allowed


@bp.route("/")
@roles_allowed(*EDITORS)
def index():
    return render_template("placeholder.html", title="Questionnaires")
