"""Findings for staff (issue "Mitigations"): the register, the overdue worklist, the
exceptions list, each supplier's remediation plan, and one finding's page with its
workflow, plan review, risk acceptance, evidence and thread. Mounted at /findings."""

from flask import Blueprint

bp = Blueprint("mitigations", __name__)

from app.mitigations import lists, routes  # noqa: E402,F401
