"""Connection inventory: every partner link across all suppliers, with attention flags."""

from flask import Blueprint

bp = Blueprint("connections", __name__)

from app.connections import routes  # noqa: E402,F401
