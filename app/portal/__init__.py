"""The supplier portal: what a supplier contact sees of its own company, and nothing else."""

from flask import Blueprint

bp = Blueprint("portal", __name__)

from app.portal import answering, findings, invite, review_view, routes  # noqa: E402,F401
