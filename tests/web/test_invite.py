"""The invitation landing page: set a password, land in the portal; every bad link refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, AuditEvent, Invitation, Supplier, User
from app.models.base import utcnow
from app.services import Actor, invitations
from tests import factories

NEW_PASSWORD = "four words make a passphrase"
EMAIL = "neue.kontakt@alpha.example"


def _issue(app, users, email=EMAIL, now=None, supplier="supplier_a"):
    with app.app_context():
        supplier_row = db.session.get(Supplier, users[supplier].id)
        assessment = factories.make_assessment(
            db.session, supplier_row, message="Bitte bis Jahresende ausfüllen."
        )
        issued = invitations.create(db.session, Actor.system(), assessment, email, now=now)
        db.session.commit()
        return issued.token, issued.invitation.id, assessment.id


def _accept(client, token, password=NEW_PASSWORD, confirm=None, name="Jürgen Groß"):
    return client.post(
        f"/portal/invite/{token}",
        data={"name": name, "password": password, "password_confirm": confirm or password},
    )


def _state(app, invitation_id):
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        users = db.session.scalar(select(func.count()).select_from(User))
        return invitation.used_at, invitation.user_id, users


def test_landing_page_describes_the_invitation(app, client, users):
    token, _, _ = _issue(app, users)
    response = client.get(f"/portal/invite/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha Components GmbH" in html and "Mini check" in html
    assert EMAIL in html and "Bitte bis Jahresende ausfüllen." in html
    assert "Set your password" in html and 'autocomplete="new-password"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_accept_creates_the_contact_logs_in_and_lands_in_the_portal(app, client, users):
    token, invitation_id, _ = _issue(app, users)
    response = _accept(client, token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    home = client.get("/portal/")
    assert home.status_code == 200 and "Alpha Components GmbH" in home.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        assert user.role == "supplier" and user.supplier_id == users["supplier_a"].id
        assert user.name == "Jürgen Groß" and user.last_login_at is not None
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation.used_at is not None and invitation.user_id == user.id
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"create", "accept", "login"} <= actions
    # The new password works for the next log-in.
    client.post("/logout")
    response = client.post("/login", data={"email": EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_used_link_cannot_be_reused(app, client, users):
    token, invitation_id, _ = _issue(app, users)
    assert _accept(client, token).status_code == 302
    client.post("/logout")
    before = _state(app, invitation_id)
    for response in (client.get(f"/portal/invite/{token}"), _accept(client, token, "x" * 20)):
        assert response.status_code == 410
        assert "already used" in response.get_data(as_text=True)
    assert _state(app, invitation_id) == before


def test_an_expired_link_is_refused(app, client, users):
    token, invitation_id, _ = _issue(app, users, now=utcnow() - dt.timedelta(days=15))
    before = _state(app, invitation_id)
    for response in (client.get(f"/portal/invite/{token}"), _accept(client, token)):
        assert response.status_code == 410
        assert "has expired" in response.get_data(as_text=True)
    assert _state(app, invitation_id) == before


def test_an_expired_link_is_refused_when_the_clock_moves_on(app, client, users, monkeypatch):
    token, invitation_id, _ = _issue(app, users)
    later = utcnow() + dt.timedelta(days=14, minutes=1)
    monkeypatch.setattr(invitations, "utcnow", lambda: later)
    response = _accept(client, token)
    assert response.status_code == 410 and "has expired" in response.get_data(as_text=True)
    assert _state(app, invitation_id)[0] is None


def test_a_revoked_link_is_refused(app, client, users):
    token, invitation_id, _ = _issue(app, users)
    with app.app_context():
        invitations.revoke(db.session, Actor.system(), db.session.get(Invitation, invitation_id))
        db.session.commit()
    before = _state(app, invitation_id)
    for response in (client.get(f"/portal/invite/{token}"), _accept(client, token)):
        assert response.status_code == 410
        assert "was withdrawn" in response.get_data(as_text=True)
    assert _state(app, invitation_id) == before


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-3] + ("xyz" if not t.endswith("xyz") else "abc"),
        lambda t: t.replace(".", "", 1),
        lambda t: "garbage",
        lambda t: "%00",
        lambda t: "A" * 600,
    ],
)
def test_a_tampered_link_is_refused(app, client, users, mangle):
    token, invitation_id, _ = _issue(app, users)
    before = _state(app, invitation_id)
    for response in (
        client.get(f"/portal/invite/{mangle(token)}"),
        _accept(client, mangle(token)),
    ):
        assert response.status_code in (400, 404)
        if response.status_code == 404:
            assert "not valid" in response.get_data(as_text=True)
    assert _state(app, invitation_id) == before


def test_a_cancelled_assessment_closes_its_links(app, client, users):
    token, invitation_id, assessment_id = _issue(app, users)
    with app.app_context():
        db.session.get(Assessment, assessment_id).status = "cancelled"
        db.session.commit()
    response = client.get(f"/portal/invite/{token}")
    assert response.status_code == 410 and "closed" in response.get_data(as_text=True)
    assert _state(app, invitation_id)[0] is None


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "Use at least 12 characters."),
        ("", "", "Choose a password."),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords do not match."),
        ("x" * 129, "x" * 129, "Use at most 128 characters."),
    ],
)
def test_a_bad_password_is_refused_and_the_link_still_works(
    app, client, users, password, confirm, message
):
    token, invitation_id, _ = _issue(app, users)
    before = _state(app, invitation_id)
    response = _accept(client, token, password, confirm)
    assert response.status_code == 200
    assert f'invalid-feedback d-block">{message}<' in response.get_data(as_text=True)
    assert _state(app, invitation_id) == before
    assert _accept(client, token).status_code == 302


def test_a_bad_name_is_refused(app, client, users):
    token, invitation_id, _ = _issue(app, users)
    response = _accept(client, token, name="x" * 121)
    assert response.status_code == 200 and "At most 120" in response.get_data(as_text=True)
    assert _state(app, invitation_id)[0] is None


def test_an_existing_contact_of_the_supplier_just_continues(app, client, users):
    token, invitation_id, _ = _issue(app, users, email=users["supplier"].email)
    html = client.get(f"/portal/invite/{token}").get_data(as_text=True)
    assert "You already have an account" in html and "Set your password" not in html
    response = client.post(f"/portal/invite/{token}", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    assert client.get("/portal/").status_code == 200
    used_at, user_id, _ = _state(app, invitation_id)
    assert used_at is not None and user_id == users["supplier"].id


@pytest.mark.parametrize("owner", ["admin", "other_supplier"])
def test_an_address_of_another_account_is_refused(app, client, users, owner):
    with app.app_context():
        assessment = factories.make_assessment(
            db.session, db.session.get(Supplier, users["supplier_a"].id)
        )
        invitation = factories_invitation(assessment, users[owner].email)
        db.session.commit()
        token, invitation_id = invitation.token, invitation.invitation.id
    before = _state(app, invitation_id)
    for response in (client.get(f"/portal/invite/{token}"), _accept(client, token)):
        assert response.status_code == 409
        assert "already belongs to another account" in response.get_data(as_text=True)
    assert _state(app, invitation_id) == before
    assert client.get("/portal/").status_code == 302  # still not logged in


def factories_invitation(assessment, email):
    """An invitation to an address the service would refuse at creation (made afterwards)."""
    issued = invitations.create(db.session, Actor.system(), assessment, "placeholder@x.example")
    issued.invitation.email = email
    db.session.flush()
    return issued


@pytest.mark.parametrize("role", ["admin", "analyst", "executive", "supplier", "other_supplier"])
def test_a_logged_in_user_is_asked_to_log_out_first(app, client, users, login_as, role):
    token, invitation_id, _ = _issue(app, users)
    login_as(role)
    for response in (client.get(f"/portal/invite/{token}"), _accept(client, token)):
        assert response.status_code == 403
        html = response.get_data(as_text=True)
        assert "Log out first" in html and "Alpha Components" not in html
    assert _state(app, invitation_id)[0] is None


def test_csrf_is_required_on_the_form(app, client, users):
    token, invitation_id, _ = _issue(app, users)
    app.config["WTF_CSRF_ENABLED"] = True
    response = _accept(client, token)
    assert response.status_code == 400
    assert _state(app, invitation_id)[0] is None
    page = client.get(f"/portal/invite/{token}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/portal/invite/{token}",
        data={"csrf_token": csrf, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302


def test_the_new_contact_sees_only_its_own_supplier(app, client, users):
    _, _, own_id = _issue(app, users)
    token, _, _ = _issue(app, users, email="second@alpha.example")
    other_token, _, other_id = _issue(app, users, email="x@beta.example", supplier="supplier_b")
    assert _accept(client, token).status_code == 302
    assert "Beta" not in client.get("/portal/").get_data(as_text=True)
    for url in (f"/assessments/{own_id}", f"/assessments/{other_id}", "/assessments/"):
        assert client.get(url).status_code == 403
    # Another supplier's link is refused while logged in.
    assert client.get(f"/portal/invite/{other_token}").status_code == 403
