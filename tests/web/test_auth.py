"""Log in, log out, lockout, password change, CSRF, cookies and headers."""

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from tests.factories import PASSWORD


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Log in to Chainlight" in response.data


def test_anonymous_is_sent_to_login(client, users):
    response = client.get("/suppliers/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_and_logout_are_audited(app, client, auth, users):
    response = auth.login("analyst@example.com")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login", "logout"]


def test_wrong_password_is_generic_and_audited(app, client, auth, users):
    response = auth.login("analyst@example.com", "wrong password here")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Invalid" in body or "invalid" in body
    unknown = auth.login("nobody@example.com", "wrong password here").get_data(as_text=True)
    assert "does not exist" not in unknown  # no user enumeration
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
    assert [e.action for e in events] == ["login_failed"]


def test_lockout_after_repeated_failures(app, client, auth, users):
    attempts = app.config["CHAINLIGHT_LOCKOUT_ATTEMPTS"]
    for _ in range(attempts):
        auth.login("analyst@example.com", "wrong password here")
    locked = _user(app, "analyst@example.com")
    assert locked.locked_until is not None and locked.locked_until > dt.datetime.utcnow()
    # Even the right password is refused while locked, with a clear reason.
    response = auth.login("analyst@example.com", PASSWORD)
    assert response.status_code == 200
    assert "locked" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_lockout_expires(app, client, auth, users):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "analyst@example.com"))
        user.locked_until = dt.datetime.utcnow() - dt.timedelta(seconds=1)
        user.failed_login_count = 3
        db.session.commit()
    assert auth.login("analyst@example.com").status_code == 302
    assert _user(app, "analyst@example.com").failed_login_count == 0


def test_inactive_user_cannot_log_in(app, client, auth, users):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "exec@example.com"))
        user.active = False
        db.session.commit()
    assert auth.login("exec@example.com").status_code == 200
    assert client.get("/").status_code == 302


def test_change_password(app, client, auth, users):
    auth.login("exec@example.com")
    response = client.post(
        "/account/password",
        data={
            "password": PASSWORD,
            "new_password": "a much longer new passphrase",
            "new_password_confirm": "a much longer new passphrase",
        },
    )
    assert response.status_code == 302
    auth.logout()
    assert auth.login("exec@example.com", PASSWORD).status_code == 200
    assert auth.login("exec@example.com", "a much longer new passphrase").status_code == 302


def test_change_password_refuses_short(client, auth, users):
    auth.login("exec@example.com")
    response = client.post(
        "/account/password",
        data={"password": PASSWORD, "new_password": "short", "new_password_confirm": "short"},
    )
    assert response.status_code == 200
    assert "12" in response.get_data(as_text=True)


def test_csrf_is_enforced_on_forms(app, users):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/login", data={"email": "analyst@example.com", "password": PASSWORD})
    assert response.status_code in (200, 400)
    assert client.get("/").status_code == 302  # not logged in


def test_security_headers_and_cookie_flags(client, auth, users):
    response = auth.login("analyst@example.com")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
