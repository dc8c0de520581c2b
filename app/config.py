"""The one place that reads the environment.

Every setting Chainlight understands is listed here and in `.env.example`.
`load_config()` returns a plain dict that `create_app` hands to Flask; tests
pass their own overrides on top.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SECRET = "dev-insecure-change-me"  # noqa: S105 - refused in production
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """The environment describes a configuration Chainlight refuses to run with."""


def _bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def default_database_url() -> str:
    """SQLite file under instance/ — the embedded default for `make run`."""
    return f"sqlite:///{INSTANCE_DIR / 'chainlight.db'}"


def normalise_database_url(url: str) -> str:
    """Make `postgres://` and `postgresql://` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config() -> dict:
    """Read CHAINLIGHT_*, DATABASE_URL, SECRET_KEY and MAIL_* from the environment."""
    production = _bool("CHAINLIGHT_PRODUCTION")
    secret = os.environ.get("SECRET_KEY") or DEFAULT_SECRET
    salt = os.environ.get("SECURITY_PASSWORD_SALT") or secret
    if production and (secret == DEFAULT_SECRET or len(secret) < 32):
        raise ConfigError(
            "CHAINLIGHT_PRODUCTION is set but SECRET_KEY is the default or shorter than "
            "32 characters; set a long random SECRET_KEY (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )
    mail_server = os.environ.get("MAIL_SERVER", "")
    return {
        "CHAINLIGHT_PRODUCTION": production,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url()
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": _int("CHAINLIGHT_MAX_UPLOAD_MB", 10) * 1024 * 1024 + 64 * 1024,
        "CHAINLIGHT_MAX_FILE_BYTES": _int("CHAINLIGHT_MAX_UPLOAD_MB", 10) * 1024 * 1024,
        "CHAINLIGHT_UPLOAD_DIR": os.environ.get("CHAINLIGHT_UPLOAD_DIR")
        or str(INSTANCE_DIR / "uploads"),
        # Invitation links for supplier contacts
        "CHAINLIGHT_INVITATION_DAYS": _int("CHAINLIGHT_INVITATION_DAYS", 14),
        "CHAINLIGHT_BASE_URL": os.environ.get("CHAINLIGHT_BASE_URL", "http://127.0.0.1:5000"),
        # Sessions and cookies (ASVS V3.3, V7.3)
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": _int("CHAINLIGHT_SESSION_HOURS", 8) * 3600,
        # Login lockout
        "CHAINLIGHT_LOCKOUT_ATTEMPTS": _int("CHAINLIGHT_LOCKOUT_ATTEMPTS", 5),
        "CHAINLIGHT_LOCKOUT_MINUTES": _int("CHAINLIGHT_LOCKOUT_MINUTES", 15),
        # `make run` only: the job runner ticks inside the web process (never under gunicorn;
        # production runs `flask --app wsgi jobs run` as its own process)
        "CHAINLIGHT_JOBS_IN_PROCESS": _bool("CHAINLIGHT_JOBS_IN_PROCESS"),
        # The audit page checks new events on every view and the whole chain this often
        "CHAINLIGHT_AUDIT_FULL_VERIFY_SECONDS": _int("CHAINLIGHT_AUDIT_FULL_VERIFY_SECONDS", 600),
        # Flask-Security
        "SECURITY_PASSWORD_SALT": salt,
        "SECURITY_PASSWORD_HASH": "argon2",
        "SECURITY_PASSWORD_LENGTH_MIN": 12,
        "SECURITY_CHANGEABLE": True,
        "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": bool(mail_server),
        "SECURITY_SEND_REGISTER_EMAIL": False,
        "SECURITY_REGISTERABLE": False,
        "SECURITY_RECOVERABLE": False,
        "SECURITY_TRACKABLE": False,
        "SECURITY_POST_LOGIN_VIEW": "/",
        "SECURITY_POST_LOGOUT_VIEW": "/login",
        "SECURITY_POST_CHANGE_VIEW": "/",
        "SECURITY_LOGIN_URL": "/login",
        "SECURITY_LOGOUT_URL": "/logout",
        "SECURITY_CHANGE_URL": "/account/password",
        "SECURITY_RETURN_GENERIC_RESPONSES": True,
        "SECURITY_USERNAME_ENABLE": False,
        "SECURITY_CSRF_IGNORE_UNAUTH_ENDPOINTS": False,
        "SECURITY_URL_PREFIX": None,
        # Users are made through our services (one role, audited): no `flask users/roles`.
        "SECURITY_CLI_USERS_NAME": False,
        "SECURITY_CLI_ROLES_NAME": False,
        "SECURITY_MSG_LOGIN": ("Please log in to continue.", "info"),
        # Outgoing mail (optional)
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "chainlight@localhost"),
        # Demo data is loaded by `make run` on first start only
        "CHAINLIGHT_ORG_NAME": os.environ.get(
            "CHAINLIGHT_ORG_NAME", "Chainlight Demo Manufacturing"
        ),
    }
