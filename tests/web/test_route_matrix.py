"""Every route, every role: the wrong role gets 403, the wrong supplier 404, garbage no 500.

This walks the URL map, so a route added later is covered without editing this file.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import url_for

from app.extensions import db
from app.models import (
    Answer,
    Certification,
    Evidence,
    Finding,
    FindingEvidence,
    FindingMilestone,
    ReportRun,
    ReportSchedule,
    StoredFile,
)
from app.services import Actor, invitations
from tests import factories

SKIP = {
    "static",
    "security.static",
    "security.login",
    "security.logout",
    "security.verify",
    "security.change_password",
    "main.healthz",
}
GARBAGE = {
    "q": "\x07' OR 1=1 --",
    "page": "-3",
    "sort": "-nonsense",
    "code": '=HYPERLINK("http://x")',
    "legal_name": "x" * 5000,
    "name": "\x1bescape",
    "email": "not-an-email",
    "country": "Atlantis",
    "category": "weapons",
    "criticality": "9",
    "kind": "carrier-pigeon",
    "data_classes": ["orders", "nuclear"],
    "next_reassessment_on": "31/31/2020",
    "last_reviewed_on": "2999-01-01",
    "credential_expires_on": "yesterday",
    "supplier": "99999999999999999999",
    "supplier_id": "-1",
    "owner": "99999999999999999999",
    "role": "god",
    "password": "x",
    "password_confirm": "y",
    "sub_suppliers": ["abc", "99999999999999999999"],
    "active": "maybe",
}


@pytest.fixture
def world(app, users):
    """Standard users plus one connection per supplier; values to fill route arguments."""
    with app.app_context():
        a = db.session.get(factories.Supplier, users["supplier_a"].id)
        b = db.session.get(factories.Supplier, users["supplier_b"].id)
        factories.make_connection(db.session, a, name="Alpha link")
        conn_b = factories.make_connection(db.session, b, name="Beta secret link")
        assessment_b = factories.make_assessment(db.session, b)
        invitation_b = invitations.create(
            db.session, Actor.system(), assessment_b, "new-contact@beta.example"
        )
        answer_b = Answer(
            assessment=assessment_b, question_key="policy", value="yes", verdict="clarify"
        )
        db.session.add(answer_b)
        file_b = StoredFile(
            storage_key="beta" * 10,
            original_name="beta-secret.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            supplier_id=b.id,
        )
        evidence_b = Evidence(answer=answer_b, file=file_b, effective_on=dt.date(2024, 1, 1))
        db.session.add(evidence_b)
        cert_b = Certification(
            supplier_id=b.id, standard="iso28000", valid_until=dt.date(2099, 1, 1)
        )
        db.session.add(cert_b)
        finding_b = Finding(
            supplier_id=b.id,
            title="Beta secret finding",
            severity="high",
            opened_on=dt.date.today(),
            due_on=dt.date.today() + dt.timedelta(days=30),
        )
        db.session.add(finding_b)
        db.session.flush()
        milestone_b = FindingMilestone(
            finding_id=finding_b.id, title="Beta step", due_on=dt.date.today()
        )
        attachment_b = FindingEvidence(finding_id=finding_b.id, file=file_b)
        schedule_b = ReportSchedule(
            name="Beta secret report", kind="supplier", supplier_id=b.id, cadence="monthly",
            cron="0 7 1 * *", timezone="UTC", recipients="board@example.com",
        )  # fmt: skip
        db.session.add_all([milestone_b, attachment_b, schedule_b])
        db.session.flush()
        run_b = ReportRun(
            schedule_id=schedule_b.id, kind="supplier", supplier_id=b.id, trigger="schedule",
            period_key="2024-02-01T07:00Z", period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 2, 1), status="succeeded", file=file_b, size=10, pages=1,
        )  # fmt: skip
        db.session.add(run_b)
        db.session.commit()
        return {
            "users": users,
            # Arguments point at supplier B's records: supplier A's contact must never see them.
            "values": {
                "supplier_id": b.id,
                "connection_id": conn_b.id,
                "user_id": users["analyst"].id,
                "kind": "suppliers",
                "fmt": "csv",
                "assessment_id": assessment_b.id,
                "invitation_id": invitation_b.invitation.id,
                "token": invitation_b.token,
                "answer_id": answer_b.id,
                "certification_id": cert_b.id,
                "control_id": 1,
                "evidence_id": evidence_b.id,
                "question_key": "policy",
                "template_id": assessment_b.template_version.template_id,
                "version_id": assessment_b.template_version_id,
                "section_key": "gov",
                "finding_id": finding_b.id,
                "milestone_id": milestone_b.id,
                "attachment_id": attachment_b.id,
                "schedule_id": schedule_b.id,
                "run_id": run_b.id,
            },
        }


def _routes(app, values):
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint in SKIP:
                continue
            roles = getattr(app.view_functions[rule.endpoint], "chainlight_roles", ())
            url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url, roles


def test_supplier_contact_never_sees_another_supplier(app, client, login_as, world):
    login_as("supplier")
    checked = 0
    for endpoint, method, url, _roles in _routes(app, world["values"]):
        response = client.open(url, method=method, data={})
        body = response.get_data(as_text=True)
        assert "Beta" not in body, f"{method} {url} shows supplier B's data"
        if endpoint in {"main.index", "portal.home", "portal.assessments", "portal.findings"}:
            continue
        assert response.status_code in (403, 404), f"{method} {url} -> {response.status_code}"
        checked += 1
    assert checked > 20


# The only changes an executive makes: accepting a finding's risk (docs/findings.md).
EXECUTIVE_ACTIONS = {"mitigations.accept"}


def test_executive_cannot_change_anything_but_accept_risk(app, client, login_as, world):
    login_as("executive")
    allowed = set()
    for endpoint, method, url, roles in _routes(app, world["values"]):
        if method != "POST":
            continue
        if endpoint in EXECUTIVE_ACTIONS:
            allowed.add(endpoint)
            assert "executive" in roles
            continue
        response = client.post(url, data={"name": "changed"})
        assert response.status_code == 403, f"POST {url} -> {response.status_code}"
    assert allowed == EXECUTIVE_ACTIONS


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_garbage_never_causes_a_server_error(app, client, login_as, world, role):
    login_as(role)
    for _endpoint, method, url, _roles in _routes(app, world["values"]):
        if method == "GET":
            response = client.get(
                url, query_string={k: v for k, v in GARBAGE.items() if isinstance(v, str)}
            )
        else:
            response = client.post(url, data=GARBAGE)
        assert response.status_code < 500, f"{method} {url} -> {response.status_code}"


def test_huge_and_unknown_ids_are_not_found(app, client, login_as, world):
    login_as("admin")
    for path in (
        "/suppliers/99999999999999999999",
        "/suppliers/424242",
        "/suppliers/424242/risk",
        "/suppliers/99999999999999999999/risk",
        "/connections/99999999999999999999/edit",
        "/admin/users/424242",
    ):
        assert client.get(path).status_code == 404, path


def test_nul_characters_are_refused_with_a_clear_400(app, client, login_as, world):
    login_as("admin")
    response = client.get("/suppliers/", query_string={"q": "a\x00b"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    response = client.post("/suppliers/new", data={"legal_name": "x\x00"})
    assert response.status_code == 400
