"""Admin user management: access, list, create, edit, reset, unlock, deactivate, sessions."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow
from tests.factories import PASSWORD, make_supplier, make_user

NEW_PASSWORD = "a brand new passphrase"


def _audit(app, action=None):
    """(action, entity_id, before, after) of the events other than log-ins, oldest first."""
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.action.not_in(["login", "logout"]))
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return [
            (e.action, e.entity_id, e.before, e.after)
            for e in db.session.scalars(stmt.order_by(AuditEvent.id))
        ]


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
            user.role_name = user.roles[0].name if user.roles else ""
        return user


def _user_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def _routes(users):
    target = users["analyst"].id
    return [
        ("get", "/admin/users"),
        ("get", "/admin/users?q=a&role=analyst&status=active&page=2"),
        ("get", "/admin/users/new"),
        ("post", "/admin/users/new"),
        ("get", f"/admin/users/{target}"),
        ("post", f"/admin/users/{target}"),
        ("post", f"/admin/users/{target}/password"),
        ("post", f"/admin/users/{target}/unlock"),
        ("post", f"/admin/users/{target}/deactivate"),
        ("post", f"/admin/users/{target}/reactivate"),
    ]


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "executive", "supplier"])
def test_other_roles_are_refused_every_user_route(app, client, login_as, users, role):
    login_as(role)
    for method, url in _routes(users):
        response = getattr(client, method)(
            url,
            data={
                "name": "Hacked",
                "role": "admin",
                "active": "y",
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
                "email": "x@example.com",
            },
        )
        assert response.status_code == 403, (method, url)
    assert _audit(app) == []
    assert _user(app, users["analyst"].email).active


def test_anonymous_is_sent_to_log_in(app, client, users):
    for method, url in _routes(users):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]
    assert _audit(app) == []


def test_admin_reaches_every_page(client, login_as, users):
    login_as("admin")
    for method, url in _routes(users):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_unknown_user_is_404(client, login_as, users):
    login_as("admin")
    for method, url in [
        ("get", "/admin/users/999999"),
        ("post", "/admin/users/999999"),
        ("post", "/admin/users/999999/password"),
        ("post", "/admin/users/999999/unlock"),
        ("post", "/admin/users/999999/deactivate"),
        ("post", "/admin/users/999999/reactivate"),
        ("get", "/admin/users/99999999999999999999999"),
        ("post", "/admin/users/99999999999999999999999/deactivate"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url


def test_state_changes_need_a_csrf_token(app, users):
    client = app.test_client()
    client.post("/login", data={"email": users["admin"].email, "password": PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/admin/users/{users['analyst'].id}/deactivate")
    assert response.status_code == 400
    assert _user(app, users["analyst"].email).active


# --- list -----------------------------------------------------------------------------------


def test_list_shows_every_column(app, client, login_as, users):
    with app.app_context():
        make_user(
            db.session,
            "analyst",
            "locked@example.com",
            name="Nguyễn Văn An",
            locked_until=dt.datetime(2099, 1, 2, 3, 4),
        )
        make_user(db.session, "executive", "gone@example.com", active=False)
        db.session.commit()
    login_as("admin")
    body = client.get("/admin/users").get_data(as_text=True)
    for text in [
        "admin@example.com",
        "contact@alpha.example",
        "Alpha Components GmbH",  # the supplier contact's bound supplier
        "Security analyst",
        "Supplier contact",
        "Nguyễn Văn An",
        "Locked until 2099-01-02 03:04 UTC",
        "Deactivated",
        "Never",  # last log-in of users who never logged in
    ]:
        assert text in body, text
    # The admin just logged in: their last log-in is shown as a UTC time.
    assert "UTC" in body.split("admin@example.com", 1)[1].split("</tr>", 1)[0]


def test_list_filters_search_and_paginates(app, client, login_as, users):
    with app.app_context():
        for i in range(30):
            make_user(db.session, "executive", f"bulk{i:02d}@example.com")
        db.session.commit()
    login_as("admin")
    body = client.get("/admin/users?role=supplier").get_data(as_text=True)
    assert "contact@alpha.example" in body and "analyst@example.com" not in body
    body = client.get("/admin/users?q=ALPHA").get_data(as_text=True)
    assert "contact@alpha.example" in body and "contact@beta.example" not in body
    body = client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "No user matches these filters" in body
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "35 results" in first
    assert "admin@example.com" in first and "admin@example.com" not in second
    assert "exec@example.com" in second
    # Junk in the query string is ignored, not an error.
    assert client.get("/admin/users?page=abc&role=root&sort=password").status_code == 200
    assert client.get("/admin/users?page=99").status_code == 200
    assert client.get("/admin/users?page=99999999999999999999999").status_code == 200
    assert client.get("/admin/users?q=%07%25_%5C").status_code == 200


# --- create ---------------------------------------------------------------------------------


def _new(client, **overrides):
    data = {
        "email": "new.person@example.com",
        "name": "Müller Präzision",
        "role": "analyst",
        "supplier_id": "",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return client.post("/admin/users/new", data=data)


@pytest.mark.parametrize("role", ["admin", "analyst", "executive", "supplier"])
def test_create_user(app, client, auth, login_as, users, role):
    login_as("admin")
    supplier_id = str(users["supplier_b"].id) if role == "supplier" else ""
    response = _new(client, role=role, supplier_id=supplier_id)
    assert response.status_code == 302
    created = _user(app, "new.person@example.com")
    assert response.headers["Location"].endswith(f"/admin/users/{created.id}")
    assert created.role_name == role and created.name == "Müller Präzision"
    assert created.supplier_id == (users["supplier_b"].id if role == "supplier" else None)
    [(action, entity_id, before, after)] = _audit(app)
    assert (action, entity_id, before) == ("create", str(created.id), None)
    assert after["role"] == role
    with app.app_context():
        texts = [
            str(e.before) + str(e.after) + e.summary for e in db.session.scalars(select(AuditEvent))
        ]
    assert not any(NEW_PASSWORD in t for t in texts)
    # The new user can log in with the password the admin typed.
    auth.logout()
    assert auth.login("new.person@example.com", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": ""}, "Type the e-mail address."),
        ({"email": "not-an-email"}, "must have an @-sign"),
        ({"email": "ANALYST@example.com"}, "Already in use."),
        ({"role": "supplier"}, "Choose the supplier this contact works for."),
        ({"role": "analyst", "supplier_id": "SUPPLIER"}, "Leave empty for staff roles."),
        ({"role": "supplier", "supplier_id": "999999"}, "Not a valid choice"),
        ({"role": "supplier", "supplier_id": "abc"}, "could not coerce"),
        ({"role": "root"}, "Not a valid choice"),
        ({"password": "short", "confirm": "short"}, "Use at least 12 characters."),
        ({"confirm": "something else entirely"}, "The two passwords do not match."),
        ({"password": "", "confirm": ""}, "Type a password."),
        ({"name": "n" * 121}, "At most 120 characters"),
        ({"name": "Ana\x07Lyst"}, "Remove control characters."),
        ({"email": "a\x07b@example.com"}, "invalid characters"),
    ],
)
def test_create_user_refuses_bad_input(app, client, login_as, users, overrides, message):
    login_as("admin")
    if overrides.get("supplier_id") == "SUPPLIER":
        overrides["supplier_id"] = str(users["supplier_a"].id)
    count = _user_count(app)
    response = _new(client, **overrides)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body
    assert "Please correct" in body
    assert NEW_PASSWORD not in body  # passwords are never echoed back
    assert _user_count(app) == count
    assert _audit(app) == []


def test_create_form_offers_active_suppliers_only(app, client, login_as, users):
    with app.app_context():
        make_supplier(db.session, legal_name="深圳精密电子有限公司", code="SZ-1")
        make_supplier(db.session, legal_name="Archived Widgets Ltd", archived_at=utcnow())
        db.session.commit()
    login_as("admin")
    body = client.get("/admin/users/new").get_data(as_text=True)
    assert "深圳精密电子有限公司 (SZ-1)" in body
    assert "Alpha Components GmbH" in body
    assert "Archived Widgets" not in body
    assert 'data-supplier-toggle="supplier_id"' in body  # progressive enhancement hook


# --- edit -----------------------------------------------------------------------------------


def _edit(client, user_id, **overrides):
    data = {"name": "Ana Lyst", "role": "analyst", "supplier_id": "", "active": "y"}
    data.update(overrides)
    return client.post(f"/admin/users/{user_id}", data=data)


def test_edit_page_shows_the_account(client, login_as, users):
    login_as("admin")
    body = client.get(f"/admin/users/{users['supplier'].id}").get_data(as_text=True)
    assert "contact@alpha.example" in body and "Alpha Components GmbH" in body
    assert "Reset password" in body and "Deactivate" in body
    assert f"entity_id={users['supplier'].id}" in body  # link to its audit history
    assert "Unlock now" not in body  # not locked


def test_edit_user_changes_role_and_supplier(app, client, login_as, users):
    login_as("admin")
    target = users["analyst"]
    response = _edit(
        client,
        target.id,
        name="İstanbul Lojistik",
        role="supplier",
        supplier_id=users["supplier_b"].id,
    )
    assert response.status_code == 302
    changed = _user(app, target.email)
    assert changed.role_name == "supplier" and changed.supplier_id == users["supplier_b"].id
    assert changed.name == "İstanbul Lojistik"
    assert _audit(app) == [
        (
            "update",
            str(target.id),
            {"name": "Analyst", "role": "analyst", "supplier_id": None},
            {
                "name": "İstanbul Lojistik",
                "role": "supplier",
                "supplier_id": users["supplier_b"].id,
            },
        )
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role": "supplier"}, "Choose the supplier this contact works for."),
        ({"supplier_id": "SUPPLIER"}, "Leave empty for staff roles."),
        ({"role": "wizard"}, "Not a valid choice"),
        ({"name": "n" * 121}, "At most 120 characters"),
        ({"name": "Ana\x1b"}, "Remove control characters."),
    ],
)
def test_edit_user_refuses_bad_input(app, client, login_as, users, overrides, message):
    login_as("admin")
    if overrides.get("supplier_id") == "SUPPLIER":
        overrides["supplier_id"] = users["supplier_a"].id
    response = _edit(client, users["analyst"].id, **overrides)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    unchanged = _user(app, users["analyst"].email)
    assert unchanged.role_name == "analyst" and unchanged.supplier_id is None
    assert unchanged.name == "Analyst"
    assert _audit(app) == []


def test_admin_cannot_demote_or_deactivate_themself(app, client, login_as, users):
    login_as("admin")
    me = users["admin"].id
    response = _edit(client, me, name="Boss", role="analyst")
    assert response.status_code == 200
    assert "cannot change the role of your own account" in response.get_data(as_text=True)
    response = _edit(client, me, name="Boss", role="admin", active="")
    assert response.status_code == 200
    response = client.post(f"/admin/users/{me}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/users/{me}/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "your own account" in response.get_data(as_text=True)
    me_now = _user(app, users["admin"].email)
    assert me_now.role_name == "admin" and me_now.active
    assert _audit(app) == []
    # The page does not offer what the service would refuse.
    body = client.get(f"/admin/users/{me}").get_data(as_text=True)
    assert "/deactivate" not in body and "Set new password" not in body
    assert client.get("/admin/users").status_code == 200  # still an admin, still logged in


# --- deactivate, sessions, reset, unlock -----------------------------------------------------


def _second_client(app, email, home="/", password=PASSWORD):
    """Another browser, logged in as `email`, that can reach `home`."""
    other = app.test_client()
    response = other.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    assert other.get(home).status_code == 200
    return other


def test_deactivation_ends_sessions_and_blocks_log_in(app, client, login_as, users):
    analyst = users["analyst"]
    their_client = _second_client(app, analyst.email)
    login_as("admin")
    response = client.post(f"/admin/users/{analyst.id}/deactivate")
    assert response.status_code == 302
    assert not _user(app, analyst.email).active
    # Their existing session is gone...
    response = their_client.get("/suppliers/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # ...and they cannot log in again.
    assert (
        their_client.post("/login", data={"email": analyst.email, "password": PASSWORD}).status_code
        == 200
    )
    assert their_client.get("/").status_code == 302
    assert [a[:2] for a in _audit(app)] == [("deactivate", str(analyst.id))]
    # Deactivating twice is refused with a message, not an error.
    response = client.post(f"/admin/users/{analyst.id}/deactivate", follow_redirects=True)
    assert "already deactivated" in response.get_data(as_text=True)
    # Reactivated, they can log in again.
    assert client.post(f"/admin/users/{analyst.id}/reactivate").status_code == 302
    _second_client(app, analyst.email)
    assert [a[0] for a in _audit(app)] == ["deactivate", "reactivate"]


def test_deactivation_through_the_edit_form_ends_sessions(app, client, login_as, users):
    contact = users["supplier"]
    their_client = _second_client(app, contact.email, "/portal/")
    login_as("admin")
    response = _edit(
        client,
        contact.id,
        name="Supplier",
        role="supplier",
        supplier_id=contact.supplier_id,
        active="",
    )
    assert response.status_code == 302
    response = their_client.get("/portal/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _audit(app) == [("update", str(contact.id), {"active": True}, {"active": False})]


def test_reset_password(app, client, auth, login_as, users):
    executive = users["executive"]
    their_client = _second_client(app, executive.email)
    login_as("admin")
    response = client.post(
        f"/admin/users/{executive.id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert their_client.get("/").status_code == 302  # the old session ended
    assert _audit(app) == [("password_reset", str(executive.id), None, None)]
    auth.logout()
    assert auth.login(executive.email, PASSWORD).status_code == 200
    assert auth.login(executive.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "too short", "confirm": "too short"}, "Use at least 12 characters."),
        ({"password": NEW_PASSWORD, "confirm": "not the same at all"}, "do not match"),
        ({"password": "", "confirm": ""}, "Type a password."),
    ],
)
def test_reset_password_refuses_bad_input(app, client, login_as, users, data, message):
    login_as("admin")
    executive = users["executive"]
    response = client.post(f"/admin/users/{executive.id}/password", data=data)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body
    assert "exec@example.com" in body  # the account page is shown again
    assert _audit(app) == []
    assert _user(app, executive.email).fs_uniquifier == executive.fs_uniquifier


def test_unlock_lets_a_locked_user_log_in(app, client, login_as, users):
    analyst = users["analyst"]
    other = app.test_client()
    for _ in range(app.config["CHAINLIGHT_LOCKOUT_ATTEMPTS"]):
        other.post("/login", data={"email": analyst.email, "password": "wrong password!!"})
    assert (
        other.post("/login", data={"email": analyst.email, "password": PASSWORD}).status_code == 200
    )
    assert _user(app, analyst.email).locked_until > utcnow()
    login_as("admin")
    body = client.get(f"/admin/users/{analyst.id}").get_data(as_text=True)
    assert "Unlock now" in body
    assert "Locked until" in client.get("/admin/users?status=locked").get_data(as_text=True)
    assert client.post(f"/admin/users/{analyst.id}/unlock").status_code == 302
    assert _user(app, analyst.email).locked_until is None
    assert [a[0] for a in _audit(app, "unlock")] == ["unlock"]
    _second_client(app, analyst.email)
    # Unlocking an account that is not locked says so and writes nothing.
    response = client.post(f"/admin/users/{analyst.id}/unlock", follow_redirects=True)
    assert "is not locked" in response.get_data(as_text=True)
    assert len(_audit(app, "unlock")) == 1
