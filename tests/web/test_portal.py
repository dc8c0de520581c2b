"""The supplier portal: a contact sees its own company, read-only, and nothing of others."""

from __future__ import annotations

from app.extensions import db
from app.models import Supplier
from tests import factories


def _connections(app, users):
    with app.app_context():
        a = db.session.get(Supplier, users["supplier_a"].id)
        b = db.session.get(Supplier, users["supplier_b"].id)
        factories.make_connection(db.session, a, name="Alpha EDI orders", kind="edi_as2")
        factories.make_connection(db.session, a, name="Alpha old SFTP", archived_at=a.created_at)
        factories.make_connection(db.session, b, name="Beta tracking API")
        sub = factories.make_supplier(db.session, code="SUB-1", legal_name="Công ty TNHH Thép Việt")
        a.sub_suppliers = [sub]
        a.notes = "Internal: renegotiate in Q3"
        a.single_source = True
        a.criticality = "critical"
        db.session.commit()


def test_contact_sees_own_company_and_connections(app, client, users, login_as):
    _connections(app, users)
    login_as("supplier")
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "My company" in html
    assert "Alpha Components GmbH" in html and "SUP-A" in html
    assert "Alpha EDI orders" in html and "EDI AS2" in html and "Orders" in html
    assert "Công ty TNHH Thép Việt" in html  # its sub-suppliers, any script
    # Archived links, other suppliers' data and our internal judgement stay hidden.
    assert "Alpha old SFTP" not in html
    assert "Beta" not in html
    assert "renegotiate" not in html
    assert "Single source" not in html and "crit-critical" not in html
    # Read-only: no forms other than log-out, no links into staff pages.
    assert html.count("<form") == 1
    assert "/connections/" not in html and "/edit" not in html


def test_other_contact_sees_its_own_company_only(app, client, users, login_as):
    _connections(app, users)
    login_as("other_supplier")
    html = client.get("/portal/").get_data(as_text=True)
    assert "Beta Logistics Ltd" in html and "Beta tracking API" in html
    assert "Alpha" not in html


def test_empty_portal_says_so(app, client, users, login_as):
    login_as("supplier")
    html = client.get("/portal/").get_data(as_text=True)
    assert "No connections with your company are recorded." in html
    assert "No sub-suppliers are recorded" in html


def test_staff_are_refused_the_portal(app, client, users, login_as):
    for role in ("admin", "analyst", "executive"):
        login_as(role)
        assert client.get("/portal/").status_code == 403, role


def test_home_sends_contacts_to_the_portal(app, client, users, login_as):
    login_as("supplier")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")


def test_anonymous_is_sent_to_login(app, client, users):
    response = client.get("/portal/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
