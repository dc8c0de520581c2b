"""Bulk import of suppliers and connections from CSV/XLSX, and export back."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from app.imports import routes  # noqa: E402,F401
