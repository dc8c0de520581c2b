"""Catalog pages: controls by framework with search, control detail, crosswalk, CSV, roles."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Control
from app.services import Actor
from app.services import catalog as svc

PAGES = ["/catalog/", "/catalog/crosswalk", "/catalog/crosswalk.csv"]


@pytest.fixture
def synced(app):
    with app.app_context():
        svc.sync_catalogs(db.session, Actor.system("test"))
        db.session.commit()


def _id(app, identifier: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Control.id).where(Control.identifier == identifier))


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
def test_staff_read_every_page(app, client, login_as, synced, role):
    login_as(role)
    for path in [*PAGES, f"/catalog/controls/{_id(app, 'SR-6')}"]:
        assert client.get(path).status_code == 200, path


def test_supplier_contacts_are_refused_and_anonymous_sent_to_login(app, client, login_as, synced):
    control = f"/catalog/controls/{_id(app, 'SR-6')}"
    for path in [*PAGES, control]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    login_as("supplier")
    for path in [*PAGES, control]:
        assert client.get(path).status_code == 403, path
    assert client.post("/catalog/sync").status_code == 403


def test_index_groups_by_framework_and_family(app, client, login_as, synced):
    login_as("analyst")
    html = client.get("/catalog/").get_data(as_text=True)
    csf = html.index('id="fw-csf2">NIST CSF 2.0 (GV.SC)</h2>')
    sp = html.index('id="fw-sp800-53r5">NIST SP 800-53 Rev. 5')
    iso = html.index('id="fw-iso28000">ISO 28000:2022</h2>')
    assert csf < sp < iso
    assert "SR – Supply Chain Risk Management" in html
    assert "GV.SC-10" in html and "ISO28000-10.2" in html and "SR-11(3)" in html
    assert "SA-12" not in html  # withdrawn: hidden unless asked for
    assert "Reload catalog files" not in html  # admins only


def test_search_and_framework_filter(app, client, login_as, synced):
    login_as("executive")
    html = client.get("/catalog/?q=sr-6").get_data(as_text=True)
    assert "Supplier Assessments and Reviews" in html and "Testing and Analysis" in html
    assert "GV.SC-01" not in html
    assert "2 controls matching “sr-6”" in html
    html = client.get("/catalog/?q=provenance&framework=csf2").get_data(as_text=True)
    assert "No control matches “provenance” in NIST CSF 2.0 (GV.SC)" in html
    html = client.get("/catalog/?framework=iso28000").get_data(as_text=True)
    assert "ISO28000-8.2" in html and "GV.SC-01" not in html
    # An unknown framework is ignored rather than an error; withdrawn controls on request.
    assert "GV.SC-01" in client.get("/catalog/?framework=cobit").get_data(as_text=True)
    html = client.get("/catalog/?q=SA-12&withdrawn=1").get_data(as_text=True)
    assert "SA-12" in html and "Withdrawn" in html


def test_empty_catalog_explains_how_to_load_it_and_admin_can(app, client, login_as):
    login_as("analyst")
    html = client.get("/catalog/").get_data(as_text=True)
    assert "No controls are loaded yet" in html and "catalog sync" in html
    assert client.post("/catalog/sync").status_code == 403
    assert "No crosswalk yet" in client.get("/catalog/crosswalk").get_data(as_text=True)

    login_as("executive")
    assert client.post("/catalog/sync").status_code == 403
    login_as("admin")
    assert "Reload catalog files" in client.get("/catalog/").get_data(as_text=True)
    response = client.post("/catalog/sync", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "171 added, 0 changed" in html
    assert "GV.SC-01" in html
    html = client.post("/catalog/sync", follow_redirects=True).get_data(as_text=True)
    assert "0 added, 0 changed" in html
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "catalog_sync"))
        assert [e.actor_email for e in events] == ["admin@example.com"]


def test_control_page_shows_summary_parent_enhancements_and_links(app, client, login_as, synced):
    login_as("analyst")
    html = client.get(f"/catalog/controls/{_id(app, 'SR-3')}").get_data(as_text=True)
    assert "Supply Chain Controls and Processes" in html
    for enhancement in ("SR-3(1)", "SR-3(2)", "SR-3(3)"):
        assert enhancement in html
    assert "Supports these CSF 2.0 outcomes" in html and "GV.SC-03" in html

    html = client.get(f"/catalog/controls/{_id(app, 'SR-3(1)')}").get_data(as_text=True)
    assert f'href="/catalog/controls/{_id(app, "SR-3")}"' in html  # its parent

    html = client.get(f"/catalog/controls/{_id(app, 'GV.SC-08')}").get_data(as_text=True)
    assert "Relevant suppliers and other third parties are included in incident planning" in html
    assert "Supported by" in html and "SR-8" in html and "ISO28000-8.6.3" in html
    assert "Reference" in html and "Reasoned" in html
    assert "Reference: Notification" not in html  # the basis is a badge, not repeated
    assert 'id="h-structure"' not in html  # an outcome has no parent nor enhancements

    html = client.get(f"/catalog/controls/{_id(app, 'ISO28000-8')}").get_data(as_text=True)
    assert "ISO text is copyrighted" in html and "Sub-clauses" in html
    assert "ISO28000-8.6" in html


def test_unknown_control_is_404(app, client, login_as, synced):
    login_as("admin")
    assert client.get("/catalog/controls/424242").status_code == 404
    assert client.get("/catalog/controls/99999999999999999999").status_code == 404


def test_crosswalk_page_and_csv_export(app, client, login_as, synced):
    login_as("executive")
    html = client.get("/catalog/crosswalk").get_data(as_text=True)
    for n in range(1, 11):
        assert f"GV.SC-{n:02d}" in html
    assert "SR-12" in html and "ISO28000-8.6" in html
    assert "Download CSV" in html
    response = client.get("/catalog/crosswalk.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == svc.CSV_HEADER and len(rows) == 78


def test_csv_export_neutralises_formulas(app, client, login_as, synced):
    with app.app_context():
        control = db.session.get(Control, _id(app, "SR-8"))
        control.title = '=HYPERLINK("http://evil.example","x")'
        db.session.commit()
    login_as("analyst")
    body = client.get("/catalog/crosswalk.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    titles = {row[4] for row in rows if row[3] == "SR-8"}
    assert titles == {'\'=HYPERLINK("http://evil.example","x")'}
