"""Jinja filters and globals: vocabulary labels, dates, and URLs that keep list filters."""

from __future__ import annotations

import datetime as dt
import time

from flask import request, url_for
from sqlalchemy.exc import SQLAlchemyError

from risk_models import vocab


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def register(app) -> None:
    from risk_models.attention import FLAGS

    app.jinja_env.globals.update(
        vocab=vocab, url_with=url_with, label=vocab.label, flag_labels=FLAGS
    )
    app.jinja_env.filters["date"] = fmt_date

    @app.context_processor
    def _org():
        return {"org_name": org_name(app), "today": dt.date.today()}


ORG_NAME_SECONDS = 60.0  # how long a process shows a name before reading it again
_ORG_KEY = "chainlight_org_name"


def org_name(app) -> str:
    """The organisation's name from Admin → Settings (CHAINLIGHT_ORG_NAME until one is saved).

    Each process reads it at most once a minute, so pages do not pay a query for it.
    """
    from app.extensions import db
    from app.services import risk

    cached = app.extensions.get(_ORG_KEY)
    now = time.monotonic()
    if cached is None or now - cached[0] > ORG_NAME_SECONDS:
        try:
            name = risk.organisation_name(db.session)
        except SQLAlchemyError:  # an error page while the database is failing
            return app.config["CHAINLIGHT_ORG_NAME"]
        cached = app.extensions[_ORG_KEY] = (now, name or app.config["CHAINLIGHT_ORG_NAME"])
    return cached[1]


def forget_org_name(app) -> None:
    """Read the name again on the next page (after an admin changed it)."""
    app.extensions.pop(_ORG_KEY, None)


MAX_PAGE = 100_000


def page_number() -> int:
    """The ?page= argument as a page number from 1 to MAX_PAGE (garbage means page 1)."""
    raw = request.args.get("page", "1")
    return min(max(int(raw), 1), MAX_PAGE) if raw.isascii() and raw.isdigit() else 1
