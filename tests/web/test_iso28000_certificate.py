"""A valid ISO 28000 certificate stands in for the clause checklist: the send page's note,
the certificate on record next to the first question on the review page, the portal's hint,
and a certified supplier submitting one answer and its certificate."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, Certification, Supplier
from tests import factories
from tests.services.test_answering import PDF, make_open_assessment
from tests.services.test_certifications_iso28000 import ISO_DOC
from tests.services.test_review import answer

TODAY = dt.date.today()


def _certify(app, supplier_id: int, days: int, **values) -> int:
    """Record an ISO 28000 certificate valid until today + `days`."""
    with app.app_context():
        cert = Certification(
            supplier_id=supplier_id,
            standard=values.pop("standard", "iso28000"),
            certification_body=values.pop("certification_body", "TÜV SÜD"),
            certificate_number=values.pop("certificate_number", "ISO28-0042"),
            valid_from=values.pop("valid_from", TODAY - dt.timedelta(days=300)),
            valid_until=TODAY + dt.timedelta(days=days),
            **values,
        )
        db.session.add(cert)
        db.session.commit()
        return cert.id


def _iso_assessment(app, supplier_id: int, status="submitted", due_in=30, **answers) -> int:
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        version = factories.make_template_version(db.session, ISO_DOC)
        assessment = factories.make_assessment(
            db.session,
            supplier,
            version,
            status=status,
            due_on=TODAY + dt.timedelta(days=due_in),
        )
        for key, value in answers.items():
            answer(assessment, key, value, files=1 if value == "yes" else 0)
        db.session.commit()
        return assessment.id


@pytest.fixture
def iso(app, users):
    """The ISO 28000 questionnaire published, and supplier A's contact address."""
    with app.app_context():
        version = factories.make_template_version(db.session, ISO_DOC)
        db.session.get(Supplier, users["supplier_a"].id).contact_email = "sec@alpha.example"
        db.session.commit()
        return SimpleNamespace(version=version.id, a=users["supplier_a"].id)


def _note(html: str) -> str:
    match = re.search(
        r'<div class="alert [^"]*" role="note" id="iso28000-note">(.*?)</div>', html, re.S
    )
    return " ".join(match.group(1).split()) if match else ""


def _article(html: str, key: str) -> str:
    match = re.search(rf'<article class="card mb-3" id="q-{key}".*?</article>', html, re.S)
    assert match, key
    return " ".join(match.group(0).split())


# --- the send page --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_send_page_notes_a_valid_certificate(app, client, login_as, iso, role):
    _certify(app, iso.a, days=400)
    login_as(role)
    html = client.get(f"/assessments/new?supplier_id={iso.a}").get_data(as_text=True)
    until = (TODAY + dt.timedelta(days=400)).isoformat()
    note = _note(html)
    assert f"ISO 28000 certificate on record, valid until {until}" in note
    assert "the supplier can answer the certificate question and skip the checklist" in note
    assert "“ISO 28000 Supply Chain Security”" in note and "TÜV SÜD" in note
    assert "alert-info" in html.split('id="iso28000-note"')[0].rsplit("<div", 1)[1]
    assert "Expires" not in note


def test_send_page_flags_a_certificate_ending_before_the_due_date(app, client, login_as, iso):
    _certify(app, iso.a, days=20)
    login_as("analyst")
    html = client.get(f"/assessments/new?supplier_id={iso.a}").get_data(as_text=True)
    note = _note(html)
    assert "Expires before the assessment is due" in note  # the default due date is +30 days
    assert "Expires within 60 days (in 20 days)." in note
    assert 'class="alert alert-warning" role="note" id="iso28000-note"' in html
    # A refused form keeps the note, checked against the due date that was typed.
    response = client.post(
        "/assessments/new",
        data={
            "supplier_id": str(iso.a),
            "template_version_id": str(iso.version),
            "due_on": (TODAY + dt.timedelta(days=10)).isoformat(),
            "email": "not an address",
        },
    )
    assert response.status_code == 200
    note = _note(response.get_data(as_text=True))
    assert "valid until" in note and "before the assessment is due" not in note


@pytest.mark.parametrize(
    "record",
    [
        None,  # nothing on record
        {"days": -1},  # expired yesterday
        {"days": 400, "standard": "iso27001"},  # another standard
        {"days": 400, "valid_from": TODAY + dt.timedelta(days=5)},  # not yet valid
        {"days": 400, "archived_at": dt.datetime(2025, 1, 1)},  # archived
    ],
)
def test_send_page_has_no_note_without_a_valid_iso_certificate(app, client, login_as, iso, record):
    if record is not None:
        _certify(app, iso.a, **record)
    login_as("analyst")
    html = client.get(f"/assessments/new?supplier_id={iso.a}").get_data(as_text=True)
    assert "Send an assessment" in html
    assert 'id="iso28000-note"' not in html


def test_send_page_has_no_note_without_an_iso_questionnaire(app, client, login_as, users):
    _certify(app, users["supplier_a"].id, days=400)
    with app.app_context():
        factories.make_template_version(db.session)  # another questionnaire only
        db.session.commit()
    login_as("analyst")
    html = client.get(f"/assessments/new?supplier_id={users['supplier_a'].id}").get_data(
        as_text=True
    )
    assert 'id="iso28000-note"' not in html


def test_send_still_works_and_roles_are_unchanged(app, client, login_as, iso):
    _certify(app, iso.a, days=400)
    for role in ("executive", "supplier", "other_supplier"):
        login_as(role)
        assert client.get(f"/assessments/new?supplier_id={iso.a}").status_code == 403
    login_as("analyst")
    response = client.post(
        "/assessments/new",
        data={
            "supplier_id": str(iso.a),
            "template_version_id": str(iso.version),
            "due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
            "email": "sec@alpha.example",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        sent = db.session.scalar(select(Assessment).where(Assessment.supplier_id == iso.a))
        assert sent.template_version_id == iso.version


# --- the review page ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
def test_review_shows_the_certificate_next_to_the_first_question(
    app, client, login_as, users, role
):
    a = users["supplier_a"].id
    cert_id = _certify(app, a, days=400, scope="Warehouse Hải Phòng, trucking to Hanoi")
    assessment_id = _iso_assessment(app, a, iso_certified="yes")
    login_as(role)
    html = client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True)
    first = _article(html, "iso_certified")
    assert 'id="iso28000-on-record"' in first and "Certification on record" in first
    until = (TODAY + dt.timedelta(days=400)).isoformat()
    assert f"until {until}" in first and "TÜV SÜD" in first and "ISO28-0042" in first
    assert "Valid" in first and "Warehouse Hải Phòng" in first
    assert "stands in for the clause checklist" in first
    assert "Expires" not in first and "alert-light" in first
    assert html.count('id="iso28000-on-record"') == 1
    assert f"/certifications/{cert_id}/certificate" not in first  # no file recorded
    # The clause questions were skipped: none is listed as missing.
    assert "required item(s) are missing" not in html


@pytest.mark.parametrize(
    ("days", "due_in", "expected"),
    [
        (20, 30, ["Expires before the assessment is due", "Expires within 60 days (in 20 days)."]),
        (45, 30, ["Expires within 60 days (in 45 days)."]),
        (90, 120, ["Expires before the assessment is due"]),
        (-3, 30, ["Expired on"]),
    ],
)
def test_review_flags_a_certificate_ending_soon_or_before_the_due_date(
    app, client, login_as, users, days, due_in, expected
):
    a = users["supplier_a"].id
    _certify(app, a, days=days)
    assessment_id = _iso_assessment(app, a, due_in=due_in, iso_certified="yes")
    login_as("analyst")
    first = _article(
        client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True), "iso_certified"
    )
    assert "alert-warning" in first
    for text in expected:
        assert text in first
    if days > 60:
        assert "Expires within" not in first


def test_review_says_when_no_certificate_is_on_record(app, client, login_as, users):
    a = users["supplier_a"].id
    _certify(app, users["supplier_b"].id, days=400)  # another supplier's
    assessment_id = _iso_assessment(app, a, iso_certified="no")
    login_as("analyst")
    html = client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True)
    first = _article(html, "iso_certified")
    assert "No ISO 28000 certificate is on record for this supplier." in first
    assert f'href="/suppliers/{a}/certifications"' in first
    # Without a certificate the checklist is required.
    assert "required item(s) are missing" in html


def test_review_of_another_questionnaire_shows_no_certificate(app, client, login_as, users):
    a = users["supplier_a"].id
    _certify(app, a, days=400)
    with app.app_context():
        assessment = factories.make_assessment(
            db.session, db.session.get(Supplier, a), status="submitted"
        )
        db.session.commit()
        assessment_id = assessment.id
    login_as("analyst")
    html = client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True)
    assert "Review:" in html and 'id="iso28000-on-record"' not in html


def test_review_roles_are_unchanged(app, client, login_as, users):
    assessment_id = _iso_assessment(app, users["supplier_a"].id, iso_certified="yes")
    for role in ("supplier", "other_supplier"):
        login_as(role)
        assert client.get(f"/assessments/{assessment_id}/review").status_code == 403


# --- the portal -----------------------------------------------------------------------


def test_portal_hints_the_certificate_on_record(app, client, login_as, users):
    a = users["supplier_a"].id
    _certify(app, a, days=400)
    assessment_id = _iso_assessment(app, a, status="sent")
    login_as("supplier")
    html = client.get(f"/portal/assessments/{assessment_id}?section=certification").get_data(
        as_text=True
    )
    until = (TODAY + dt.timedelta(days=400)).isoformat()
    hint = re.search(r'id="certificate-hint">(.*?)</div>', html, re.S)
    assert hint, "no hint"
    text = " ".join(re.sub(r"<[^>]+>", "", hint.group(1)).split())
    assert (
        f"We have your ISO 28000 certificate ISO28-0042 (TÜV SÜD) on record, valid until {until}"
        in text
    )
    assert "upload the current one" in text and "expires soon" not in text
    # The hint sits in the certificate question's card.
    card = html.split('id="q-iso_certified"')[1].split("</fieldset>")[0]
    assert 'id="certificate-hint"' in card


def test_portal_hint_warns_when_it_ends_before_the_due_date(app, client, login_as, users):
    a = users["supplier_a"].id
    _certify(app, a, days=100)
    assessment_id = _iso_assessment(app, a, status="in_progress", due_in=120)
    login_as("supplier")
    html = client.get(f"/portal/assessments/{assessment_id}?section=certification").get_data(
        as_text=True
    )
    assert "It expires soon, before this questionnaire is due" in " ".join(html.split())


@pytest.mark.parametrize("days", [None, -1])
def test_portal_has_no_hint_without_a_valid_certificate(app, client, login_as, users, days):
    a = users["supplier_a"].id
    if days is not None:
        _certify(app, a, days=days)
    _certify(app, users["supplier_b"].id, days=400)  # another supplier's does not count
    assessment_id = _iso_assessment(app, a, status="sent")
    login_as("supplier")
    html = client.get(f"/portal/assessments/{assessment_id}?section=certification").get_data(
        as_text=True
    )
    assert 'id="q-iso_certified"' in html and 'id="certificate-hint"' not in html


def test_portal_other_questionnaires_have_no_hint(app, client, login_as, users):
    _certify(app, users["supplier_a"].id, days=400)
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    html = client.get(f"/portal/assessments/{assessment_id}").get_data(as_text=True)
    assert "Governance" in html and 'id="certificate-hint"' not in html


def test_portal_roles_are_unchanged(app, client, login_as, users):
    assessment_id = _iso_assessment(app, users["supplier_a"].id, status="sent")
    login_as("other_supplier")
    assert client.get(f"/portal/assessments/{assessment_id}").status_code == 404
    login_as("analyst")
    assert client.get(f"/portal/assessments/{assessment_id}").status_code == 403


def test_certified_supplier_answers_one_question_uploads_and_submits(app, client, login_as, users):
    a = users["supplier_a"].id
    _certify(app, a, days=400)
    assessment_id = _iso_assessment(app, a, status="sent")
    login_as("supplier")
    base = f"/portal/assessments/{assessment_id}"
    saved = client.post(
        f"{base}/answers/iso_certified",
        json={"value": "yes", "comment": "", "version": 0},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    assert body["visible"] == ["iso_certified"]
    assert (body["progress"]["done"], body["progress"]["required"]) == (0, 1)  # no file yet
    # A clause section now says nothing applies.
    html = client.get(f"{base}?section=context").get_data(as_text=True)
    assert 'id="section-empty"' in html and "No question of this section applies" in html
    refused = client.post(f"{base}/submit")
    assert refused.status_code == 400
    assert "Attach evidence for this answer." in refused.get_data(as_text=True)
    uploaded = client.post(
        base,
        data={
            "section": "certification",
            "lock_version-iso_certified": str(body["version"]),
            "value-iso_certified": "yes",
            "comment-iso_certified": "",
            "action": "upload:iso_certified",
            "file-iso_certified": (io.BytesIO(PDF), "iso28000-certificate.pdf"),
            "effective_on-iso_certified": TODAY.isoformat(),
            "expires_on-iso_certified": (TODAY + dt.timedelta(days=400)).isoformat(),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)
    done = client.post(f"{base}/submit")
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).status == "submitted"


def test_uncertified_supplier_must_answer_the_checklist(app, client, login_as, users):
    assessment_id = _iso_assessment(app, users["supplier_a"].id, status="sent")
    login_as("supplier")
    base = f"/portal/assessments/{assessment_id}"
    saved = client.post(
        f"{base}/answers/iso_certified",
        json={"value": "no", "comment": "", "version": 0},
        headers={"Accept": "application/json"},
    )
    body = saved.get_json()
    assert "ctx_issues" in body["visible"] and body["progress"]["required"] > 30
    html = client.get(f"{base}?section=context").get_data(as_text=True)
    assert 'id="section-empty"' not in html
    refused = client.post(f"{base}/submit")
    assert refused.status_code == 400
    assert "#q-ctx_issues" in refused.get_data(as_text=True)
