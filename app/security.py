"""Access policy: every view declares its roles; supplier contacts see only their supplier.

`roles_allowed(...)` is the one decorator views use. It records the roles on the
view function so a test can prove that every route declares them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, after_this_request, current_app, redirect, request, url_for
from flask_login import current_user, user_logged_out
from flask_security import LoginForm
from flask_security.signals import user_authenticated

from app.extensions import db
from app.models.base import utcnow
from app.services import Actor

STAFF = ("admin", "analyst", "executive")
EDITORS = ("admin", "analyst")
ALL_ROLES = ("admin", "analyst", "executive", "supplier")
PUBLIC = "public"


def roles_allowed(*roles: str) -> Callable:
    """Let only logged-in users holding one of `roles` reach the view (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return redirect(url_for("security.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.chainlight_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in (health checks, static)."""
    view.chainlight_roles = (PUBLIC,)  # type: ignore[attr-defined]
    return view


def current_actor() -> Actor:
    """The acting user of this request, for services and the audit trail."""
    return Actor.for_user(current_user, ip_address=request.remote_addr or "")


def is_supplier_user() -> bool:
    return current_user.is_authenticated and current_user.role == "supplier"


def check_supplier_access(supplier_id: int) -> None:
    """404 when a supplier contact asks for any supplier but its own."""
    if is_supplier_user() and current_user.supplier_id != supplier_id:
        abort(404)


def _commit_after(response):
    db.session.commit()
    return response


def on_failed_login(user) -> None:
    """Count a wrong password, lock the account after too many, and audit it."""
    from app.services.audit import record_failed_login

    cfg = current_app.config
    user.failed_login_count = (user.failed_login_count or 0) + 1
    locked = False
    if user.failed_login_count >= cfg["CHAINLIGHT_LOCKOUT_ATTEMPTS"]:
        import datetime as dt

        user.locked_until = utcnow() + dt.timedelta(minutes=cfg["CHAINLIGHT_LOCKOUT_MINUTES"])
        user.failed_login_count = 0
        locked = True
    record_failed_login(db.session, user, request.remote_addr or "", locked)
    after_this_request(_commit_after)


class ChainlightLoginForm(LoginForm):
    """Flask-Security's login form, telling a locked-out user why (after a valid password)."""

    def validate(self, **kwargs: Any) -> bool:
        ok = super().validate(**kwargs)
        if not ok and self.user is not None and self.user_authenticated and self.user.is_locked():
            self.form_errors.append(
                "Too many failed log-in attempts: this account is locked for "
                f"{current_app.config['CHAINLIGHT_LOCKOUT_MINUTES']} minutes. "
                "Try again later or ask an administrator to unlock it."
            )
        return ok


def _on_login(sender, user, **extra) -> None:
    from app.services.audit import record

    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    record(
        db.session,
        Actor.for_user(user, request.remote_addr or ""),
        "login",
        "user",
        user.id,
        "Logged in",
    )


def _on_logout(sender, user, **extra) -> None:
    from app.services.audit import record

    if user is None or not getattr(user, "is_authenticated", False):
        return
    record(
        db.session,
        Actor.for_user(user, request.remote_addr or ""),
        "logout",
        "user",
        user.id,
        "Logged out",
    )
    db.session.commit()


def connect_signals(app) -> None:
    """Audit log-ins and log-outs."""
    user_authenticated.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)
