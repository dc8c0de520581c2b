"""Certification pages: add/edit/archive with a file, bad input, download access, flags, cards."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Certification, StoredFile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
TODAY = dt.date.today()


def _form(**overrides) -> dict:
    data = {
        "standard": "iso28000",
        "scope": "Lagerlogistik, Werk Müller Präzisionsteile GmbH",
        "certification_body": "TÜV SÜD Industrie Service GmbH",
        "certificate_number": "12 100 54321 TMS",
        "valid_from": (TODAY - dt.timedelta(days=365)).isoformat(),
        "valid_until": (TODAY + dt.timedelta(days=700)).isoformat(),
    }
    data.update(overrides)
    return data


def _with_file(data: dict, content: bytes = PDF, name: str = "certificate.pdf") -> dict:
    return {**data, "file": (io.BytesIO(content), name)}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _base(users, who="supplier_a") -> str:
    return f"/suppliers/{users[who].id}/certifications"


def _add(client, users, who="supplier_a", content=PDF, **overrides):
    return client.post(
        f"{_base(users, who)}/new",
        data=_with_file(_form(**overrides), content),
        content_type="multipart/form-data",
    )


def _only_cert(app) -> Certification:
    with app.app_context():
        return db.session.scalars(select(Certification)).one()


@pytest.fixture
def cert_a(app, client, users, login_as):
    """An ISO 28000 certificate with a PDF on supplier A, added by the analyst."""
    login_as("analyst")
    response = _add(client, users)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    cert = _only_cert(app)
    client.post("/logout")
    return cert


def test_analyst_adds_a_certificate_with_its_file(app, client, users, login_as):
    login_as("analyst")
    assert client.get(f"{_base(users)}/new").status_code == 200
    response = _add(client, users)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_base(users))
    cert = _only_cert(app)
    assert cert.standard == "iso28000" and cert.file_id is not None
    html = client.get(_base(users)).get_data(as_text=True)
    assert "TÜV SÜD Industrie Service GmbH" in html and "Lagerlogistik" in html
    assert "A valid ISO 28000 certificate is on record" in html
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.entity_type == "certification")
        )
        assert event.actor_email == "analyst@example.com" and event.action == "create"


@pytest.mark.parametrize(
    ("overrides", "content", "message"),
    [
        ({"standard": ""}, PDF, "This field is required."),
        ({"standard": "iso9001"}, PDF, "Unknown value &#39;iso9001&#39;"),
        ({"valid_from": "2026-05-01", "valid_until": "2026-04-30"}, PDF, "Must be after"),
        ({"valid_until": ""}, PDF, "This field is required."),
        ({"valid_until": "not a date"}, PDF, "Not a date"),
        ({"certification_body": "x" * 300}, PDF, "At most 255 characters"),
        ({}, EXE, "This kind of file is not accepted"),
    ],
)
def test_bad_input_re_renders_with_the_message_and_saves_nothing(
    app, client, users, login_as, overrides, content, message
):
    login_as("admin")
    response = _add(client, users, content=content, **overrides)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "Please correct the" in html
    assert _count(app, Certification) == 0
    assert _count(app, StoredFile) == 0


def test_oversize_file_is_refused(app, client, users, login_as):
    app.config["CHAINLIGHT_MAX_FILE_BYTES"] = 1000
    login_as("analyst")
    response = _add(client, users, content=PDF + b"0" * 2000)
    assert response.status_code == 200
    assert "At most" in response.get_data(as_text=True)
    assert _count(app, Certification) == 0


def test_duplicate_certificate_number_is_refused(app, client, users, login_as, cert_a):
    login_as("analyst")
    response = _add(client, users)
    assert "already has this certificate on record" in response.get_data(as_text=True)
    assert _count(app, Certification) == 1


def test_download_access(app, client, users, login_as, cert_a):
    url = f"{_base(users)}/{cert_a.id}/certificate"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("admin", "analyst", "executive", "supplier"):
        login_as(role)
        response = client.get(url)
        assert response.status_code == 200, role
        assert response.data == PDF
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response.headers["Cache-Control"]
    login_as("other_supplier")
    assert client.get(url).status_code == 404
    # Through its own supplier id the other contact still cannot reach A's certificate.
    assert client.get(f"{_base(users, 'supplier_b')}/{cert_a.id}/certificate").status_code == 404
    assert client.get(_base(users)).status_code == 404


def test_certificate_is_only_reachable_under_its_own_supplier(app, client, users, login_as, cert_a):
    login_as("admin")
    wrong = f"{_base(users, 'supplier_b')}/{cert_a.id}"
    assert client.get(f"{wrong}/certificate").status_code == 404
    assert client.get(f"{wrong}/edit").status_code == 404
    assert client.post(f"{wrong}/archive").status_code == 404
    assert client.get(f"{_base(users)}/424242/certificate").status_code == 404


def test_roles_that_may_not_change_certifications(app, client, users, login_as, cert_a):
    edit = f"{_base(users)}/{cert_a.id}/edit"
    for role in ("executive", "supplier"):
        login_as(role)
        assert client.get(f"{_base(users)}/new").status_code == 403, role
        assert _add(client, users).status_code == 403, role
        assert client.get(edit).status_code == 403, role
        assert client.post(edit, data=_form()).status_code == 403, role
        assert client.post(f"{_base(users)}/{cert_a.id}/archive").status_code == 403, role
        assert client.post(f"{_base(users)}/{cert_a.id}/restore").status_code == 403, role
    # Read-only pages: the executive and the own contact see the list, without edit links.
    for role in ("executive", "supplier"):
        login_as(role)
        html = client.get(_base(users)).get_data(as_text=True)
        assert "TÜV SÜD" in html and "/edit" not in html and "Add certification" not in html
    assert _count(app, Certification) == 1


def test_edit_replace_and_remove_the_file(app, client, users, login_as, cert_a):
    login_as("analyst")
    edit = f"{_base(users)}/{cert_a.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="12 100 54321 TMS"' in page and "Remove the current certificate file" in page
    renewed = PDF + b"%renewed\n"
    response = client.post(
        edit,
        data=_with_file(_form(certificate_number="12 100 99999 TMS"), renewed, "neu.pdf"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert client.get(f"{_base(users)}/{cert_a.id}/certificate").data == renewed
    cert = _only_cert(app)
    assert cert.certificate_number == "12 100 99999 TMS"

    response = client.post(edit, data={**_form(), "remove_file": "y"})
    assert response.status_code == 302
    assert _only_cert(app).file_id is None
    assert client.get(f"{_base(users)}/{cert_a.id}/certificate").status_code == 404

    response = client.post(edit, data=_form(valid_until="1999-01-01", valid_from="2000-01-01"))
    assert response.status_code == 200 and "Must be after" in response.get_data(as_text=True)
    assert _only_cert(app).valid_until == TODAY + dt.timedelta(days=700)


def test_archive_and_restore(app, client, users, login_as, cert_a):
    login_as("analyst")
    response = client.post(f"{_base(users)}/{cert_a.id}/archive", follow_redirects=True)
    assert "The certification was archived." in response.get_data(as_text=True)
    html = client.get(f"/suppliers/{users['supplier_a'].id}").get_data(as_text=True)
    assert "No certifications recorded." in html
    edit = client.get(f"{_base(users)}/{cert_a.id}/edit", follow_redirects=True)
    assert "restore it before editing" in edit.get_data(as_text=True)
    again = client.post(f"{_base(users)}/{cert_a.id}/archive", follow_redirects=True)
    assert "already archived" in again.get_data(as_text=True)
    # The contact no longer sees it nor downloads it; staff still can.
    login_as("supplier")
    assert "TÜV SÜD" not in client.get(_base(users)).get_data(as_text=True)
    assert client.get(f"{_base(users)}/{cert_a.id}/certificate").status_code == 404
    login_as("analyst")
    assert client.get(f"{_base(users)}/{cert_a.id}/certificate").status_code == 200
    response = client.post(f"{_base(users)}/{cert_a.id}/restore", follow_redirects=True)
    assert "The certification was restored." in response.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "certification")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["create", "archive", "restore"]


def test_flags_for_expired_and_expiring_and_a_past_date_is_history(app, client, users, login_as):
    login_as("analyst")
    expiring = _add(
        client,
        users,
        valid_until=(TODAY + dt.timedelta(days=10)).isoformat(),
        certificate_number="1",
    )
    expired = _add(
        client,
        users,
        standard="iso27001",
        valid_from="2019-01-01",
        valid_until="2022-01-01",
        certificate_number="2",
    )
    assert expiring.status_code == 302 and expired.status_code == 302
    html = client.get(_base(users)).get_data(as_text=True)
    assert "Expires in 10 days" in html and "Expired" in html
    assert "2 certificates need attention" in html
    assert "A valid ISO 28000 certificate is on record" in html  # expiring is still valid
    detail = client.get(f"/suppliers/{users['supplier_a'].id}").get_data(as_text=True)
    assert "Expires in 10 days" in detail and "ISO/IEC 27001" in detail


def test_supplier_page_card_and_portal_card(app, client, users, login_as, cert_a):
    login_as("admin")
    html = client.get(f"/suppliers/{users['supplier_a'].id}").get_data(as_text=True)
    assert 'id="h-certifications"' in html and "Add certification" in html
    assert "ISO 28000" in html and "Download certificate" in html
    html = client.get(f"/suppliers/{users['supplier_b'].id}").get_data(as_text=True)
    assert "No certifications recorded." in html

    login_as("supplier")
    html = client.get("/portal/").get_data(as_text=True)
    assert "Your certifications on record" in html
    assert "TÜV SÜD Industrie Service GmbH" in html
    assert f"{_base(users)}/{cert_a.id}/certificate" in html
    assert "Add certification" not in html and "/edit" not in html
    assert client.get(f"{_base(users)}/{cert_a.id}/certificate").status_code == 200

    login_as("other_supplier")
    html = client.get("/portal/").get_data(as_text=True)
    assert "TÜV SÜD" not in html
    assert "No certifications of your company are recorded." in html


def test_archived_supplier_cannot_get_new_certificates(app, client, users, login_as):
    login_as("analyst")
    client.post(f"/suppliers/{users['supplier_a'].id}/archive")
    response = _add(client, users)
    assert response.status_code == 200
    assert "restore it before adding certificates" in response.get_data(as_text=True)
    assert _count(app, Certification) == 0


def test_unknown_supplier_is_404(app, client, users, login_as):
    login_as("admin")
    assert client.get("/suppliers/424242/certifications").status_code == 404
    assert client.get("/suppliers/424242/certifications/new").status_code == 404
