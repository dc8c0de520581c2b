"""`flask --app wsgi ...` commands. Each area adds its commands in its own module."""

from __future__ import annotations


def register(app) -> None:
    from app.cli import audit, demo, imports, users

    for module in (users, audit, demo, imports):
        module.register(app)
