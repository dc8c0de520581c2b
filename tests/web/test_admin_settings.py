"""Admin settings: the organisation's name, risk appetite and finding SLA, its preview grid,
who may change it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, OrgSettings, RiskSnapshot, Supplier
from app.services import findings, risk
from tests import factories

SLA_DEFAULT = {"critical": 30, "high": 60, "medium": 90, "low": 180}
GOOD = {
    "organisation_name": "Acme Manufacturing",
    "low_max": "3",
    "medium_max": "8",
    "high_max": "14",
    **{f"sla_{key}_days": str(days) for key, days in SLA_DEFAULT.items()},
}


def _settings(app) -> tuple | None:
    with app.app_context():
        row = db.session.get(OrgSettings, 1)
        if row is None:
            return None
        return (
            row.organisation_name,
            row.appetite_low_max,
            row.appetite_medium_max,
            row.appetite_high_max,
        )


def _events(app, action: str = "settings_update") -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _sla(app) -> dict[str, int]:
    with app.app_context():
        return findings.sla_days(db.session)


def test_admin_sees_the_form_and_the_grid(app, client, login_as, users):
    login_as("admin")
    response = client.get("/admin/settings")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Organisation settings" in page and "Risk appetite" in page
    for name, value in (("low_max", 4), ("medium_max", 9), ("high_max", 15)):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"', page), name
    assert page.count("band-badge band-") == 25
    assert "The grid as the saved thresholds colour it" in page
    assert 'href="/admin/settings"' in page  # the admin menu links to it


def test_admin_saves_and_suppliers_are_rebanded(app, client, login_as, users):
    with app.app_context():
        supplier = db.session.get(Supplier, users["supplier_a"].id)
        factories.make_connection(db.session, supplier, data_classes=["pricing"])
        risk.recompute(db.session)
        db.session.commit()
    login_as("admin")
    response = client.post("/admin/settings", data={**GOOD, "action": "save"})
    assert response.status_code == 302
    assert _settings(app) == ("Acme Manufacturing", 3, 8, 14)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Settings saved." in page and "1 supplier changed band" in page
    (event,) = _events(app)
    assert event.before["low_max"] == 4 and event.after["low_max"] == 3
    assert event.after["organisation_name"] == "Acme Manufacturing"
    with app.app_context():
        triggers = set(db.session.scalars(select(RiskSnapshot.trigger)))
    assert "appetite_changed" in triggers


def test_preview_shows_the_edited_thresholds_without_saving(app, client, login_as, users):
    login_as("admin")
    response = client.post(
        "/admin/settings",
        data={**GOOD, "low_max": "1", "medium_max": "2", "high_max": "3", "action": "preview"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Preview of the thresholds being edited (not saved)" in page
    assert page.count("band-badge band-critical") > 15
    assert _settings(app) in (None, ("Our organisation", 4, 9, 15))
    assert _events(app) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"low_max": "abc"}, "Not a valid integer value"),
        ({"medium_max": ""}, "Type a whole number from 1 to 24."),
        ({"high_max": "30"}, "A whole number from 1 to 24."),
        ({"low_max": "0"}, "A whole number from 1 to 24."),
        ({"low_max": "9", "medium_max": "8"}, "Thresholds must rise"),
        ({"medium_max": "14", "high_max": "14"}, "Thresholds must rise"),
        ({"organisation_name": "   "}, "Type the organisation"),
        ({"low_max": "2.5"}, "Not a valid integer value"),
    ],
)
def test_bad_input_re_renders_and_saves_nothing(app, client, login_as, users, overrides, message):
    login_as("admin")
    response = client.post("/admin/settings", data={**GOOD, **overrides, "action": "save"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Please correct" in page
    assert message.replace("'", "&#39;") in page or message in page, page[:3000]
    assert page.count("band-badge band-") == 25  # the grid still shows (the saved thresholds)
    assert _settings(app) in (None, ("Our organisation", 4, 9, 15))
    assert _events(app) == []
    assert _sla(app) == SLA_DEFAULT


@pytest.mark.parametrize("role", ["analyst", "executive", "supplier"])
def test_other_roles_are_refused(app, client, login_as, users, role):
    login_as(role)
    assert client.get("/admin/settings").status_code == 403
    sla = {**GOOD, "sla_low_days": "365", "action": "save"}
    assert client.post("/admin/settings", data=sla).status_code == 403
    assert _settings(app) in (None, ("Our organisation", 4, 9, 15))
    assert _events(app) == [] and _events(app, "sla_change") == []
    assert _sla(app) == SLA_DEFAULT


def test_the_form_shows_the_saved_sla(app, client, login_as, users):
    with app.app_context():
        row = risk.settings(db.session)
        row.sla_critical_days, row.sla_low_days = 14, 365
        db.session.commit()
    login_as("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Finding SLA" in page and "applies to findings opened from now on" in page
    for name, value in (
        ("sla_critical_days", 14),
        ("sla_high_days", 60),
        ("sla_medium_days", 90),
        ("sla_low_days", 365),
    ):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"', page), name


def test_admin_saves_the_sla_with_the_appetite(app, client, login_as, users):
    login_as("admin")
    sla = {"sla_critical_days": "14", "sla_high_days": "45", "sla_medium_days": "90"}
    response = client.post("/admin/settings", data={**GOOD, **sla, "action": "save"})
    assert response.status_code == 302
    assert _sla(app) == {"critical": 14, "high": 45, "medium": 90, "low": 180}
    assert _settings(app) == ("Acme Manufacturing", 3, 8, 14)  # the same POST, both saved
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Settings saved." in page and "The new finding SLA applies to findings opened" in page
    assert re.search(r'<input[^>]*name="sla_critical_days"[^>]*value="14"', page)
    assert re.search(r'<input[^>]*name="sla_high_days"[^>]*value="45"', page)
    (event,) = _events(app, "sla_change")
    assert event.before["critical"] == 30 and event.after == {
        "critical": 14,
        "high": 45,
        "medium": 90,
        "low": 180,
    }
    # Saving the same SLA again records nothing new and says nothing about it.
    again = client.post("/admin/settings", data={**GOOD, **sla, "action": "save"})
    assert again.status_code == 302 and len(_events(app, "sla_change")) == 1
    assert "The new finding SLA" not in client.get("/admin/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sla_critical_days": "0"}, "sla_critical_days", "Whole days from 1 to 730."),
        ({"sla_high_days": "1000"}, "sla_high_days", "Whole days from 1 to 730."),
        ({"sla_medium_days": "ninety"}, "sla_medium_days", "Not a valid integer value"),
        ({"sla_low_days": ""}, "sla_low_days", "Type the days to fix a low finding."),
        (
            {"sla_medium_days": "120", "sla_low_days": "100"},
            "sla_low_days",
            "Low findings cannot get less time than medium ones (120 days).",
        ),
        (
            {"sla_critical_days": "61"},
            "sla_high_days",
            "High findings cannot get less time than critical ones (61 days).",
        ),
    ],
)
def test_bad_sla_re_renders_and_saves_nothing(
    app, client, login_as, users, overrides, field, message
):
    login_as("admin")
    response = client.post("/admin/settings", data={**GOOD, **overrides, "action": "save"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Please correct" in page
    # The message sits next to its own field: the input marked invalid, then the message.
    pattern = rf'name="{field}"[^>]*>\s*<div class="invalid-feedback d-block">{re.escape(message)}'
    assert re.search(pattern, page), page[:4000]
    assert re.search(rf'<input class="form-control is-invalid"[^>]*name="{field}"', page)
    assert page.count("is-invalid") == 1
    # Nothing saved: neither the SLA nor the appetite and name of the same POST.
    assert _sla(app) == SLA_DEFAULT
    assert _settings(app) in (None, ("Our organisation", 4, 9, 15))
    assert _events(app) == [] and _events(app, "sla_change") == []


def test_anonymous_is_sent_to_log_in(client, users):
    response = client.get("/admin/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_saved_organisation_name_shows_on_pages(app, client, login_as):
    login_as("admin")
    page = client.get("/admin/settings")
    assert page.status_code == 200
    response = client.post(
        "/admin/settings",
        data={
            "organisation_name": "Nhà máy Hải Phòng & Co",
            "low_max": "4",
            "medium_max": "9",
            "high_max": "15",
            **{f"sla_{key}_days": str(days) for key, days in SLA_DEFAULT.items()},
            "action": "save",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Nhà máy Hải Phòng &amp; Co · Chainlight" in response.get_data(as_text=True)
