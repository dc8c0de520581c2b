"""Administration: user management, the audit trail and the organisation's settings."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import routes, settings  # noqa: E402,F401
