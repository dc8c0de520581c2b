"""Portal views (stub)."""

from flask import render_template

from app.portal import bp
from app.security import roles_allowed


@bp.route("/")
@roles_allowed("supplier")
def home():
    return render_template("placeholder.html", title="My company")
