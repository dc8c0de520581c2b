"""Staff assessment pages: list, send, detail with the one-time link, cancel, invitations."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, Invitation, Supplier
from app.services import Actor, invitations
from tests import factories

TODAY = dt.date.today()


def _due(days: int = 30) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def world(app, users):
    """A published and a draft version, a connection per supplier, one assessment of each."""
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        b = db.session.get(Supplier, users["supplier_b"].id)
        a.contact_email = "quality@alpha.example"
        link_a = factories.make_connection(db.session, a, name="Alpha EDI")
        link_b = factories.make_connection(db.session, b, name="Beta secret link")
        version = factories.make_template_version(db.session)
        draft = factories.make_template_version(db.session, status="draft")
        assessment_a = factories.make_assessment(db.session, a, version)
        assessment_b = factories.make_assessment(
            db.session, b, version, due_on=TODAY - dt.timedelta(days=3)
        )
        issued_b = invitations.create(db.session, Actor.system(), assessment_b, "x@beta.example")
        db.session.commit()
        return {
            "a": a.id,
            "b": b.id,
            "link_a": link_a.id,
            "link_b": link_b.id,
            "version": version.id,
            "draft": draft.id,
            "assessment_a": assessment_a.id,
            "assessment_b": assessment_b.id,
            "invitation_b": issued_b.invitation.id,
        }


def _routes(world):
    a, inv = world["assessment_b"], world["invitation_b"]
    return [
        ("GET", "/assessments/"),
        ("GET", "/assessments/new"),
        ("POST", "/assessments/new"),
        ("GET", f"/assessments/{a}"),
        ("POST", f"/assessments/{a}/cancel"),
        ("POST", f"/assessments/{a}/invitations"),
        ("POST", f"/assessments/{a}/invitations/{inv}/revoke"),
        ("POST", f"/assessments/{a}/invitations/{inv}/resend"),
    ]


def _send_form(world, **overrides):
    data = {
        "supplier_id": str(world["a"]),
        "connection_id": "",
        "template_version_id": str(world["version"]),
        "due_on": _due(),
        "email": "",
        "message": "Danke!",
    }
    data.update(overrides)
    return data


# --- roles ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supplier", "other_supplier"])
def test_supplier_contacts_are_refused_every_staff_route(client, login_as, world, role):
    login_as(role)
    for method, url in _routes(world):
        response = client.open(url, method=method, data={"email": "x@y.example"})
        assert response.status_code == 403, f"{method} {url}"


def test_executive_reads_but_changes_nothing(client, login_as, world, app):
    login_as("executive")
    for method, url in _routes(world):
        response = client.open(url, method=method, data=_send_form(world))
        if method == "GET" and url != "/assessments/new":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, f"{method} {url}"
    html = client.get(f"/assessments/{world['assessment_b']}").get_data(as_text=True)
    assert "Cancel assessment" not in html and "Revoke" not in html and "New link" not in html
    assert "Send an assessment" not in client.get("/assessments/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2


def test_anonymous_is_sent_to_login(client, world):
    for method, url in _routes(world):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_editors_reach_every_page(client, login_as, world, role):
    login_as(role)
    assert client.get("/assessments/").status_code == 200
    assert client.get("/assessments/new").status_code == 200
    assert client.get(f"/assessments/new?supplier_id={world['a']}").status_code == 200
    assert client.get(f"/assessments/{world['assessment_a']}").status_code == 200


def test_unknown_ids_are_not_found(client, login_as, world):
    login_as("admin")
    a, inv = world["assessment_a"], world["invitation_b"]
    assert client.get("/assessments/424242").status_code == 404
    assert client.get("/assessments/99999999999999999999").status_code == 404
    assert client.post("/assessments/424242/cancel").status_code == 404
    # An invitation of another assessment is not reachable through this one.
    assert client.post(f"/assessments/{a}/invitations/{inv}/revoke").status_code == 404
    assert client.post(f"/assessments/{a}/invitations/424242/resend").status_code == 404


# --- list -----------------------------------------------------------------------------


def test_list_shows_status_overdue_and_filters(client, login_as, world):
    login_as("analyst")
    html = client.get("/assessments/").get_data(as_text=True)
    assert "Alpha Components GmbH" in html and "Beta Logistics Ltd" in html
    assert "Overdue" in html and "Mini check" in html
    html = client.get("/assessments/?status=overdue").get_data(as_text=True)
    assert "Beta Logistics Ltd</a>" in html and "Alpha Components GmbH</a>" not in html
    html = client.get(f"/assessments/?supplier_id={world['a']}").get_data(as_text=True)
    assert "Alpha Components GmbH</a>" in html and "Beta Logistics Ltd</a>" not in html
    html = client.get(f"/assessments/?due_before={_due(1)}").get_data(as_text=True)
    assert "Beta Logistics Ltd</a>" in html and "Alpha Components GmbH</a>" not in html
    html = client.get("/assessments/?status=approved").get_data(as_text=True)
    assert "No assessments match these filters." in html


def test_empty_list_explains_what_to_do(client, login_as, users):
    login_as("analyst")
    html = client.get("/assessments/").get_data(as_text=True)
    assert "No assessment has been sent yet." in html and "Send the first assessment" in html


def test_list_survives_garbage(client, login_as, world):
    login_as("admin")
    response = client.get(
        "/assessments/",
        query_string={
            "status": "god",
            "supplier_id": "-1",
            "template_id": "x",
            "due_before": "31/31/2020",
            "sort": "-nonsense",
            "page": "-3",
        },
    )
    assert response.status_code == 200


# --- send -----------------------------------------------------------------------------


def test_send_page_picks_the_supplier_first(client, login_as, world):
    login_as("analyst")
    html = client.get("/assessments/new").get_data(as_text=True)
    assert "Supplier to assess" in html and "Alpha Components GmbH" in html
    html = client.get("/assessments/new?supplier_id=424242").get_data(as_text=True)
    assert "does not exist or is archived" in html
    html = client.get(f"/assessments/new?supplier_id={world['a']}").get_data(as_text=True)
    # Only this supplier's connections, only published versions, the contact on record.
    assert "Alpha EDI" in html and "Beta secret link" not in html
    assert "Mini check v1" in html and "Mini check v2" not in html
    assert "quality@alpha.example" in html


def test_send_happy_path_shows_the_link_once(client, login_as, world, app):
    login_as("analyst")
    response = client.post(
        "/assessments/new", data=_send_form(world, connection_id=str(world["link_a"]))
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "Assessment sent to Alpha Components GmbH." in html
    assert "no e-mail was sent" in html
    assert "/portal/invite/" in html and "Shown only this once" in html
    start = html.index("/portal/invite/")
    token = html[start + len("/portal/invite/") :].split('"')[0]
    with app.app_context():
        assessment = db.session.scalar(select(Assessment).order_by(Assessment.id.desc()))
        assert assessment.connection_id == world["link_a"] and assessment.status == "sent"
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.assessment_id == assessment.id)
        )
        assert invitation.email == "quality@alpha.example"
        assert invitation.token_hash == invitations.hash_token(token)
    # The second view no longer holds the link.
    again = client.get(location).get_data(as_text=True)
    assert "/portal/invite/" not in again and "Pending" in again


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"due_on": (TODAY - dt.timedelta(days=1)).isoformat()}, "cannot be in the past"),
        ({"due_on": "yesterday"}, "Not a date"),
        ({"template_version_id": "draft"}, "is a draft"),
        ({"template_version_id": ""}, "Choose the questionnaire"),
        ({"connection_id": "link_b"}, "belongs to another supplier"),
        ({"email": "not-an-email"}, "e-mail"),
        ({"email": "contact@beta.example"}, "Belongs to another account"),
        ({"message": "x" * 5001}, "At most 5000"),
    ],
)
def test_send_refuses_bad_input(client, login_as, world, app, overrides, message):
    login_as("analyst")
    overrides = {k: str(world.get(v, v)) for k, v in overrides.items()}
    response = client.post("/assessments/new", data=_send_form(world, **overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and "is-invalid" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2


def test_send_to_an_unknown_supplier_goes_back_to_the_choice(client, login_as, world, app):
    login_as("analyst")
    for bad in ("424242", "99999999999999999999", "abc", ""):
        response = client.post("/assessments/new", data=_send_form(world, supplier_id=bad))
        assert response.status_code == 200
        assert "Choose an active supplier" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2


# --- detail and actions ---------------------------------------------------------------


def test_detail_shows_timeline_progress_and_invitations(client, login_as, world):
    login_as("analyst")
    html = client.get(f"/assessments/{world['assessment_b']}").get_data(as_text=True)
    assert "Beta Logistics Ltd" in html and "Overdue" in html
    assert "0 of 2 required questions complete" in html
    assert "x@beta.example" in html and "Pending" in html
    assert "Invited x@beta.example" in html  # the timeline
    assert "/portal/invite/" not in html  # never recoverable later


def test_start_review_link_appears_only_when_the_endpoint_exists(client, login_as, world, app):
    with app.app_context():
        a = db.session.get(Assessment, world["assessment_a"])
        a.status = "submitted"
        db.session.commit()
    login_as("analyst")
    html = client.get(f"/assessments/{world['assessment_a']}").get_data(as_text=True)
    if "assessments.review" in app.view_functions:
        assert f"/assessments/{world['assessment_a']}/review" in html
    else:
        assert "Start review" not in html


def test_cancel_revokes_links_and_is_refused_twice(client, login_as, world, app):
    login_as("analyst")
    url = f"/assessments/{world['assessment_b']}/cancel"
    html = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Assessment cancelled" in html and "Revoked" in html
    html = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "cannot become cancelled" in html
    with app.app_context():
        assert db.session.get(Assessment, world["assessment_b"]).status == "cancelled"
        assert db.session.get(Invitation, world["invitation_b"]).revoked_at is not None


def test_revoke_resend_and_invite(client, login_as, world, app):
    login_as("analyst")
    a, inv = world["assessment_b"], world["invitation_b"]
    html = client.post(
        f"/assessments/{a}/invitations/{inv}/resend", follow_redirects=True
    ).get_data(as_text=True)
    assert "New link made for x@beta.example" in html and "/portal/invite/" in html
    with app.app_context():
        assert db.session.get(Invitation, inv).revoked_at is not None
        newest = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
        newest_id = newest.id
    html = client.post(
        f"/assessments/{a}/invitations/{newest_id}/revoke", follow_redirects=True
    ).get_data(as_text=True)
    assert "no longer works" in html
    html = client.post(
        f"/assessments/{a}/invitations/{newest_id}/revoke", follow_redirects=True
    ).get_data(as_text=True)
    assert "already revoked" in html
    html = client.post(
        f"/assessments/{a}/invitations",
        data={"email": "second@beta.example"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Invitation made for second@beta.example" in html and "/portal/invite/" in html
    for bad in ("", "nope", "admin@example.com"):
        html = client.post(
            f"/assessments/{a}/invitations", data={"email": bad}, follow_redirects=True
        ).get_data(as_text=True)
        assert "No invitation made" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3


def test_supplier_page_lists_its_assessments(client, login_as, world):
    login_as("analyst")
    html = client.get(f"/suppliers/{world['a']}").get_data(as_text=True)
    assert 'id="h-assessments"' in html and "Mini check v1" in html
    assert f"/assessments/new?supplier_id={world['a']}" in html
    login_as("supplier")
    html = client.get(f"/suppliers/{world['a']}").get_data(as_text=True)
    assert 'id="h-assessments"' not in html


def test_invitation_is_e_mailed_when_a_server_is_configured(client, login_as, world, app):
    from flask_mail import email_dispatched

    app.config.update(MAIL_SERVER="mail.invalid", MAIL_SUPPRESS_SEND=True)
    sent = []

    def keep(app, message):
        sent.append(message)

    login_as("analyst")
    with email_dispatched.connected_to(keep):
        response = client.post("/assessments/new", data=_send_form(world))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It was e-mailed to the contact" in html
    assert len(sent) == 1 and sent[0].recipients == ["quality@alpha.example"]
    assert "/portal/invite/" in sent[0].body


def test_a_failing_mail_server_keeps_the_assessment_and_shows_the_link(
    client, login_as, world, app
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_SUPPRESS_SEND=False)
    login_as("analyst")
    response = client.post("/assessments/new", data=_send_form(world), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The e-mail could not be sent" in html and "/portal/invite/" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 3


def test_list_query_count_does_not_grow(client, login_as, world, app):
    from tests.web.test_query_counts import counting

    login_as("analyst")

    def count() -> int:
        client.get("/assessments/")
        with counting(app) as counter:
            assert client.get("/assessments/").status_code == 200
        return counter["n"]

    small = count()
    with app.app_context():
        version = db.session.get(factories.TemplateVersion, world["version"])
        for _ in range(15):
            supplier = factories.make_supplier(db.session)
            link = factories.make_connection(db.session, supplier)
            factories.make_assessment(db.session, supplier, version, connection=link)
        db.session.commit()
    assert count() == small
