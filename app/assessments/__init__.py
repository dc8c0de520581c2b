"""Assessments: send a questionnaire to a supplier, follow it, review and approve it."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)

from app.assessments import review, routes  # noqa: E402,F401
