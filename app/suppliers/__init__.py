"""Supplier inventory: list, search, filter, create, edit, archive, sub-suppliers."""

from flask import Blueprint

bp = Blueprint("suppliers", __name__)

from app.suppliers import certifications, risk, routes  # noqa: E402,F401
