"""The role dashboards at / and the portfolio view at /portfolio."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import RiskSnapshot, Supplier
from app.services.risk import recompute
from tests.factories import (
    make_assessment,
    make_connection,
    make_supplier,
    make_template_version,
)
from tests.web.test_query_counts import counting

NO_SCORES = "No scores yet"


def _score(app):
    with app.app_context():
        recompute(db.session)
        db.session.commit()


def _risky(app, n=1):
    with app.app_context():
        for i in range(n):
            s = make_supplier(
                db.session, legal_name=f"Remote <b>Risk</b> {i}", criticality="critical"
            )
            make_connection(
                db.session,
                s,
                kind="vendor_remote_access",
                authentication="password",
                data_classes=["credentials"],
                credential_expires_on=dt.date.today() + dt.timedelta(days=5),
            )
            make_assessment(db.session, s, due_on=dt.date.today() - dt.timedelta(days=3))
        db.session.commit()


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_staff_editors_see_the_analyst_dashboard(app, client, login_as, role):
    _risky(app)
    _score(app)
    login_as(role)
    body = client.get("/").get_data(as_text=True)
    assert "Supply-chain overview" in body
    assert "Residual risk heat map" in body and "<svg" in body
    assert "Suppliers needing attention" in body
    assert "Remote &lt;b&gt;Risk&lt;/b&gt; 0" in body  # names are escaped
    assert "Overdue assessment" in body and "credential expiring" in body
    assert "Awaiting your review" in body and "Reassessments due" in body
    assert 'href="/portfolio"' in body
    has_settings = role == "admin" and "admin.settings" in app.view_functions
    assert ("Settings and risk appetite" in body) == has_settings
    assert "Open the inventory" in body  # the inventory counts stay visible
    assert 'style="' not in body and "<style" not in body


def test_heat_map_cells_link_to_the_filtered_supplier_list(app, client, login_as):
    _risky(app)
    _score(app)
    with app.app_context():
        snap = db.session.scalar(
            select(RiskSnapshot)
            .join(Supplier, Supplier.id == RiskSnapshot.supplier_id)
            .where(RiskSnapshot.latest.is_(True), Supplier.legal_name.startswith("Remote"))
        )
        cell = f"{snap.cell_likelihood}-{snap.cell_impact}"
        band, tier = snap.band, snap.tier
    login_as("analyst")
    body = client.get("/").get_data(as_text=True)
    assert f'href="/suppliers/?cell={cell}"' in body
    for query in (f"cell={cell}", f"band={band}", f"tier={tier}"):
        listed = client.get(f"/suppliers/?{query}").get_data(as_text=True)
        assert "Remote &lt;b&gt;Risk&lt;/b&gt; 0" in listed, query
        assert "Risk filter:" in listed
    other = "1-5" if cell != "1-5" else "5-1"
    assert "Remote &lt;b&gt;Risk" not in client.get(f"/suppliers/?cell={other}").get_data(
        as_text=True
    )


def test_executive_sees_the_portfolio_at_home_and_at_portfolio(app, client, login_as):
    _risky(app, 2)
    _score(app)
    login_as("executive")
    for path in ("/", "/portfolio"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert "Supply-chain risk portfolio" in body
        assert "In high or critical" in body and "Mean control effectiveness" in body
        assert "Trend over the last 12 months" in body
        assert "By connection kind" in body and "Vendor remote access" in body
        assert "Suppliers needing attention" not in body
        assert "Analyst dashboard" not in body


def test_analyst_can_open_the_portfolio(app, client, login_as):
    _risky(app)
    _score(app)
    login_as("analyst")
    body = client.get("/portfolio").get_data(as_text=True)
    assert "Supply-chain risk portfolio" in body and "Analyst dashboard" in body


def test_supplier_contact_is_sent_to_the_portal(app, client, login_as):
    login_as("supplier")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    assert client.get("/portfolio").status_code == 403


@pytest.mark.parametrize("role", ["analyst", "executive"])
def test_unscored_suppliers_show_the_empty_state(app, client, login_as, role):
    login_as(role)  # the standard users' two suppliers exist but nothing is scored
    for path in ("/", "/portfolio"):
        body = client.get(path).get_data(as_text=True)
        assert NO_SCORES in body, path
        assert "flask --app wsgi risk recompute" in body


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
def test_no_suppliers_at_all_is_no_error(app, client, login_as, users, role):
    with app.app_context():
        db.session.execute(
            db.text("UPDATE supplier SET archived_at = CURRENT_TIMESTAMP")
        )  # every supplier archived: an empty portfolio
        db.session.commit()
    login_as(role)
    for path in ("/", "/portfolio"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "No suppliers yet" in response.get_data(as_text=True)


def _grow(app, n):
    today = dt.date.today()
    with app.app_context():
        first = make_supplier(db.session)
        version = make_template_version(db.session)
        for i in range(n):
            s = make_supplier(
                db.session,
                criticality=("low", "medium", "high", "critical")[i % 4],
                country=("DE", "FR", "VN", "CN")[i % 4],
                next_reassessment_on=today + dt.timedelta(days=i % 60 - 10),
            )
            make_connection(
                db.session,
                s,
                kind=("rest_api", "sftp", "vendor_remote_access")[i % 3],
                data_classes=[("orders", "pii", "credentials")[i % 3]],
                credential_expires_on=today + dt.timedelta(days=i % 50 - 10),
            )
            make_assessment(db.session, s, version, due_on=today + dt.timedelta(days=i % 7 - 3))
            if i % 5 == 0:
                make_assessment(
                    db.session, s, version, status="submitted", submitted_at=db.func.now()
                )
            s.sub_suppliers = [first]
        db.session.commit()
    _score(app)


def _count(app, client, path):
    client.get(path)  # warm caches so only the page's own queries count
    with counting(app) as counter:
        assert client.get(path).status_code == 200
    return counter["n"]


@pytest.mark.parametrize("role", ["analyst", "executive"])
def test_query_count_does_not_grow_with_the_portfolio(app, client, login_as, role):
    login_as(role)
    _grow(app, 10)
    small = {p: _count(app, client, p) for p in ("/", "/portfolio")}
    _grow(app, 490)  # 500 suppliers and more
    large = {p: _count(app, client, p) for p in ("/", "/portfolio")}
    assert large == small
