"""Reports (issue #6): the archive of report runs and their PDFs, the report schedules
(administrators), and the executive portfolio and supplier PDFs made on demand.
Mounted at /reports."""

from flask import Blueprint

bp = Blueprint("reporting", __name__)

from app.reporting import routes  # noqa: E402,F401
