"""Supplier inventory views (stub: filled in by the supplier inventory work)."""

from flask import render_template

from app.security import EDITORS, STAFF, roles_allowed
from app.suppliers import bp


@bp.route("/")
@roles_allowed(*STAFF)
def index():
    return render_template("placeholder.html", title="Suppliers")


@bp.route("/new")
@roles_allowed(*EDITORS)
def create():
    return render_template("placeholder.html", title="New supplier")
