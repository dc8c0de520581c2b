"""Running a one-click use case from a view: commit on success, roll back and say why on refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from app.extensions import db
from app.services import ServiceError


def attempt(action: Callable[[], Any], done: str, refused_category: str = "error") -> bool:
    """Run `action`; commit and flash `done`, or roll back and flash the refusal. True if done."""
    try:
        action()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, refused_category)
        return False
    db.session.commit()
    flash(done, "success")
    return True
