"""The supplier page's risk card and the supplier risk page: who sees them and what they say."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape

from app.extensions import db
from app.models import Control, RiskSnapshot, Supplier
from app.services import risk
from tests import factories

MONTHS_AGO = dt.datetime(2025, 1, 15, 9, 30)


def _score_with_history(app, users) -> int:
    """Supplier A scored twice: a plain API link months ago, then vendor remote access added."""
    with app.app_context():
        supplier = db.session.get(Supplier, users["supplier_a"].id)
        db.session.add(
            Control(framework="csf2", identifier="GV.SC-01", title="C-SCRM programme established")
        )
        factories.make_connection(db.session, supplier, name="Order API")
        risk.recompute(db.session, "recompute", [supplier.id], now=MONTHS_AGO)
        factories.make_connection(
            db.session,
            supplier,
            name="Remote maintenance",
            kind="vendor_remote_access",
            authentication="password",
            access_level="admin",
            data_classes=["credentials", "ot_commands"],
        )
        risk.recompute(db.session, "connection_changed", [supplier.id])
        db.session.commit()
        return supplier.id


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
def test_staff_see_the_card_and_the_page(app, client, login_as, users, role):
    sid = _score_with_history(app, users)
    login_as(role)
    detail = client.get(f"/suppliers/{sid}").get_data(as_text=True)
    assert 'id="h-risk"' in detail
    assert "/25" in detail and "Control effectiveness" in detail
    assert "Connection changed" in detail
    assert f"/suppliers/{sid}/risk" in detail
    response = client.get(f"/suppliers/{sid}/risk")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "How the score was reached",
        "Impact ",
        "Inherent likelihood",
        "Control effectiveness",
        "Residual likelihood",
        "1 + (inherent likelihood − 1) × (1 − effectiveness)",
        "Position on the 5 × 5 grid",
        "Coverage per framework",
        "Control scores",
        "History: how the score moved",
        "<svg",
    ):
        assert text in page, text


def test_history_shows_why_it_moved(app, client, login_as, users):
    sid = _score_with_history(app, users)
    with app.app_context():
        snaps = db.session.query(RiskSnapshot).filter_by(supplier_id=sid).all()
        assert len(snaps) == 2
        moved = next(s.moved for s in snaps if s.latest)
        assert moved
    login_as("analyst")
    page = client.get(f"/suppliers/{sid}/risk").get_data(as_text=True)
    assert "First score." in page
    for line in moved:
        assert str(escape(line)) in page, line
    assert "2025-01-15" in page  # the backdated first snapshot
    assert "current" in page


def test_explanation_factors_are_listed(app, client, login_as, users):
    sid = _score_with_history(app, users)
    with app.app_context():
        snap = risk.current(db.session, sid)
        labels = [f["label"] for f in snap.result["impact_factors"]]
        labels += [f["label"] for f in snap.result["likelihood_factors"]]
    login_as("executive")
    page = client.get(f"/suppliers/{sid}/risk").get_data(as_text=True)
    for label in labels:
        assert str(escape(label)) in page, label


def test_empty_state_before_the_first_score(app, client, login_as, users):
    sid = users["supplier_b"].id
    login_as("analyst")
    detail = client.get(f"/suppliers/{sid}").get_data(as_text=True)
    assert "Not scored yet" in detail
    page = client.get(f"/suppliers/{sid}/risk")
    assert page.status_code == 200
    assert "Not scored yet" in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["supplier_a", "supplier_b"])
def test_supplier_contacts_never_see_risk(app, client, login_as, users, target):
    _score_with_history(app, users)
    login_as("supplier")  # bound to supplier A
    sid = users[target].id
    assert client.get(f"/suppliers/{sid}/risk").status_code in (403, 404)
    detail = client.get(f"/suppliers/{sid}")
    body = detail.get_data(as_text=True)
    assert 'id="h-risk"' not in body and "/25" not in body and "/risk" not in body


def test_unknown_supplier_is_not_found(app, client, login_as, users):
    login_as("admin")
    assert client.get("/suppliers/424242/risk").status_code == 404
    assert client.get("/suppliers/99999999999999999999/risk").status_code == 404


def test_control_titles_and_certificate_marker(app, client, login_as, users):
    sid = users["supplier_a"].id
    with app.app_context():
        supplier = db.session.get(Supplier, sid)
        factories.make_connection(db.session, supplier, name="Order API")
        risk.recompute(db.session, "recompute", [sid])
        snap = risk.current(db.session, sid)
        result = dict(snap.result)
        result["controls"] = [["GV.SC-01", 0.8, 1.0, False], ["ISO28000-8.2", 1.0, 1.0, True]]
        result["coverage"] = [
            {"framework": "csf2", "total": 6, "assessed": 1, "met": 1, "score": 0.8}
        ]
        snap.result = result
        db.session.add(
            Control(framework="csf2", identifier="GV.SC-01", title="C-SCRM programme established")
        )
        db.session.commit()
    login_as("analyst")
    page = client.get(f"/suppliers/{sid}/risk").get_data(as_text=True)
    assert "C-SCRM programme established" in page
    assert "by certificate" in page
    assert "80%" in page
    assert "NIST CSF 2.0 (GV.SC)" in page
    assert "1 / 6" in page
