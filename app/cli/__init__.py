"""`flask --app wsgi ...` commands. Each area adds its commands in its own module."""

from __future__ import annotations


def register(app) -> None:
    from app.cli import audit, catalog, demo, imports, jobs, report, risk, templates, users

    for module in (users, audit, demo, imports, catalog, templates, risk, jobs, report):
        module.register(app)
