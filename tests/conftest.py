"""Shared fixtures: the app on SQLite and on PostgreSQL, a client, a CLI runner, logins.

Every test that takes `app` (or `client`, `db_session`, ...) runs once per database
backend. PostgreSQL comes from TEST_DATABASE_URL (default: the local server); the
suite makes a throwaway database for the run with pytest-postgresql's janitor and
drops it at the end. Where no server answers, those tests skip with the reason, unless
CHAINLIGHT_REQUIRE_POSTGRES=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests import factories

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
_UPLOADS = tempfile.mkdtemp(prefix="chainlight-test-uploads-")
PASSWORD = factories.PASSWORD


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _pg_reason(url: str) -> str | None:
    import psycopg

    parts = urlsplit(url)
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
            connect_timeout=3,
        ):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL not reachable at {parts.hostname}:{parts.port or 5432} ({type(exc).__name__})"


def base_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SECURITY_PASSWORD_SALT": "test-salt",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        # Cheap hashing keeps the suite fast; production uses argon2's defaults.
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {
            "argon2__rounds": 1,
            "argon2__memory_cost": 8,
            "argon2__parallelism": 1,
        },
        "SERVER_NAME": "localhost",
        "CHAINLIGHT_UPLOAD_DIR": _UPLOADS,
    }


def _migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    """A migrated database URL for one backend, for the whole run."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite:///{path}"
        app = create_app(base_config(url))
        _migrate(app)
        yield request.param, url
        return
    server = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    reason = _pg_reason(server)
    if reason:
        if _truthy("CHAINLIGHT_REQUIRE_POSTGRES"):
            pytest.fail(f"{reason}; CHAINLIGHT_REQUIRE_POSTGRES is set", pytrace=False)
        pytest.skip(reason)
    from pytest_postgresql.janitor import DatabaseJanitor

    parts = urlsplit(server)
    dbname = f"chainlight_test_{os.getpid()}_{secrets.token_hex(3)}"
    janitor = DatabaseJanitor(
        user=parts.username or "postgres",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        password=parts.password,
        dbname=dbname,
    )
    janitor.init()
    try:
        auth = parts.username or "postgres"
        if parts.password:
            auth += f":{parts.password}"
        url = f"postgresql+psycopg://{auth}@{parts.hostname}:{parts.port or 5432}/{dbname}"
        app = create_app(base_config(url))
        _migrate(app)
        with app.app_context():
            db.engine.dispose()
        yield request.param, url
    finally:
        janitor.drop()


_APPS: dict[str, object] = {}


def _clean(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture
def app(backend):
    """The app bound to this backend's database, emptied after each test.

    No app context stays pushed during a test (a pushed one would be shared by every
    test-client request, with its `g` and session): use `with app.app_context():`.
    """
    name, url = backend
    application = _APPS.get(name)
    if application is None:
        application = _APPS[name] = create_app(base_config(url))
    saved = dict(application.config)
    try:
        yield application
    finally:
        application.config.clear()
        application.config.update(saved)
        _clean(application)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def users(app):
    """Refs (id, email, ...) to one user of each role; `supplier` is bound to supplier_a."""
    with app.app_context():
        return factories.standard_users(db.session)


@pytest.fixture
def login_as(client, users):
    """login_as('analyst') logs that standard user in and returns the user."""

    def _login(role: str):
        user = users[role]
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture(autouse=True)
def nplusone_guard(request):
    """Web tests fail on an N+1 lazy load inside a request (tests/nplusone.py; use
    `allow_nplusone(..., reason=...)` around a justified request)."""
    if "web" not in Path(str(request.node.path)).parts:
        yield
        return
    from tests.nplusone import detecting, report

    with detecting() as found:
        yield
    if found:
        pytest.fail(report(found), pytrace=False)


@pytest.fixture
def smtp_server():
    """A real SMTP server on localhost that keeps what it receives: (controller, handler)."""
    import socket

    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:  # a free port (aiosmtpd cannot be given port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()
