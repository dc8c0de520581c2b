"""The portal's answering pages: sections, autosave JSON, section forms, evidence, submit."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Assessment, Evidence, StoredFile
from tests.services.test_answering import (
    COMPLETE,
    EXE,
    PDF,
    attach,
    fill_complete,
    make_open_assessment,
    save,
)


def url(assessment_id: int, rest: str = "") -> str:
    return f"/portal/assessments/{assessment_id}{rest}"


def autosave(client, assessment_id, key, value, version, comment="", **kwargs):
    return client.post(
        url(assessment_id, f"/answers/{key}"),
        json={"value": value, "comment": comment, "version": version},
        headers={"Accept": "application/json"},
        **kwargs,
    )


def answer_row(app, key):
    with app.app_context():
        answer = db.session.scalar(select(Answer).where(Answer.question_key == key))
        return None if answer is None else (answer.value, answer.comment, answer.lock_version)


def with_evidence(app, users, assessment_id, key="pentest", **dates) -> int:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        evidence = attach(app, users, assessment, key, **dates)
        db.session.commit()
        return evidence.id


# --- the list and the page ------------------------------------------------------------


def test_list_shows_own_assessments_with_progress(app, client, users, login_as):
    own = make_open_assessment(app, users)
    make_open_assessment(app, users, supplier="supplier_b")
    login_as("supplier")
    html = client.get("/portal/assessments").get_data(as_text=True)
    assert "Portal test questionnaire" in html
    assert f'href="/portal/assessments/{own}"' in html
    assert html.count("Portal test questionnaire") == 1  # not supplier B's
    assert 'role="progressbar"' in html and "Answered 0 of 4 required" in html
    home = client.get("/portal/").get_data(as_text=True)
    assert 'href="/portal/assessments"' in home


def test_empty_list_says_what_will_happen(app, client, users, login_as):
    login_as("supplier")
    html = client.get("/portal/assessments").get_data(as_text=True)
    assert "No questionnaires have been sent to your company yet." in html


def test_section_page_draws_each_type_and_hides_conditional_questions(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = client.get(url(assessment_id, "?section=gov"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script" in html and "js/autosave.js" in html
    assert "<script>" not in html and ' style="' not in html  # CSP: no inline code or style
    assert 'role="progressbar"' in html and 'aria-valuenow="0"' in html
    assert "Answered 0 of 4 required" in html
    assert 'type="radio" name="value-policy"' in html and "Not applicable" in html
    assert "A written, approved policy." in html  # help text
    assert "required when you answer Not applicable" in html
    assert 'name="file-policy"' in html and "needed when you answer Yes" in html
    assert re.search(r'id="q-owner"[^>]*hidden disabled', html)  # conditional, not shown yet
    assert 'name="lock_version-policy" value="0"' in html
    assert 'data-autosave-url="/portal/assessments/' in html
    ops = client.get(url(assessment_id, "?section=ops")).get_data(as_text=True)
    assert 'type="radio" name="value-tier"' in ops
    assert 'type="checkbox" name="value-certs"' in ops
    assert 'inputmode="decimal"' in ops and "at least 0, at most 100000" in ops
    assert 'type="date" class="form-control answer-short" id="v-audit_date"' in ops
    assert 'name="file-pentest"' in ops and "Upload the requested file." in ops
    # An unknown section falls back to the first one still to do.
    assert client.get(url(assessment_id, "?section=nope")).status_code == 200


def test_autosave_returns_version_progress_and_visible_questions(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = autosave(client, assessment_id, "policy", "yes", 0)
    assert response.status_code == 200
    data = response.get_json()
    assert data["version"] == 1 and data["value"] == "yes"
    assert "owner" in data["visible"] and "reviewed" not in data["visible"]
    assert data["progress"]["required"] == 5  # owner became required
    assert data["progress"]["done"] == 0  # policy still needs its evidence
    assert data["sections"]["gov"]["required"] == 2
    assert data["status"] == "in_progress"
    data = autosave(client, assessment_id, "owner", "Lan", 0).get_json()
    assert "reviewed" in data["visible"] and data["progress"]["done"] == 1
    data = autosave(client, assessment_id, "tier", "a", 0).get_json()
    assert data["progress"]["done"] == 2
    assert answer_row(app, "owner") == ("Lan", "", 1)
    # The page drawn afterwards shows what was saved (no JavaScript needed).
    html = client.get(url(assessment_id, "?section=gov")).get_data(as_text=True)
    assert re.search(r'value="yes"[^>]*checked', html)
    assert ">Lan</textarea>" in html
    assert not re.search(r'id="q-owner"[^>]*hidden', html)
    assert 'name="lock_version-owner" value="1"' in html


def test_autosave_by_form_post_as_sendbeacon_does(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = client.post(
        url(assessment_id, "/answers/certs"),
        data={"value": ["iso28000", "iso27001"], "comment": "Both", "version": "0"},
    )
    assert response.status_code == 200
    assert answer_row(app, "certs") == (["iso27001", "iso28000"], "Both", 1)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("staff", "twelve", "Enter a number."),
        ("staff", [1], "Enter a number."),
        ("tier", "c", "Choose one of the listed options."),
        ("policy", 1, "Choose yes, partially, no or not applicable."),
        ("audit_date", "31/12/2024", "Enter a date as YYYY-MM-DD."),
        ("nope", "x", "There is no such question in this questionnaire."),
    ],
)
def test_wrong_type_is_a_400_with_a_message_and_nothing_saved(
    app, client, users, login_as, key, value, message
):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = autosave(client, assessment_id, key, value, 0)
    assert response.status_code == 400
    assert response.get_json()["message"] == message
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) == 0
        assert db.session.get(Assessment, assessment_id).status == "sent"


def test_malformed_requests_are_refused(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = client.post(
        url(assessment_id, "/answers/tier"),
        data="[1, 2]",
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    response = autosave(client, assessment_id, "tier", "a", "v1")
    assert response.status_code == 400 and "version" in response.get_json()["message"]


def test_two_tabs_conflict_instead_of_overwriting(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    first = autosave(client, assessment_id, "staff", "12", 0)
    assert first.status_code == 200 and first.get_json()["version"] == 1
    second = autosave(client, assessment_id, "staff", "40", 0, comment="from tab two")
    assert second.status_code == 409
    data = second.get_json()
    assert data["error"] == "conflict"
    assert data["current"] == {"value": 12, "comment": "", "version": 1, "display": "12"}
    assert "changed in another tab or by a colleague" in data["message"]
    assert answer_row(app, "staff") == (12, "", 1)
    # "Use yours": the same answer sent again on their version.
    third = autosave(client, assessment_id, "staff", "40", 1, comment="from tab two")
    assert third.status_code == 200 and third.get_json()["version"] == 2
    assert answer_row(app, "staff") == (40, "from tab two", 2)


# --- the section form without JavaScript ----------------------------------------------


def section_form(section="gov", action="save", **fields):
    data = {"section": section, "action": action}
    data.update(fields)
    return data


def test_section_form_saves_every_answer_and_moves_on(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = client.post(
        url(assessment_id),
        data=section_form(
            "ops",
            "save",
            **{
                "value-tier": "b",
                "comment-tier": "Moving to A next year",
                "lock_version-tier": "0",
                "value-certs": ["iso28000"],
                "lock_version-certs": "0",
                "value-staff": "7",
                "lock_version-staff": "0",
                "value-audit_date": "",
                "lock_version-audit_date": "0",
                "lock_version-pentest": "0",
            },
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("section=ops")
    assert answer_row(app, "tier") == ("b", "Moving to A next year", 1)
    assert answer_row(app, "certs") == (["iso28000"], "", 1)
    assert answer_row(app, "staff") == (7, "", 1)
    assert answer_row(app, "audit_date") is None  # nothing to save, no empty row
    # Unchecking every box clears the answer; "next" goes to the following section.
    response = client.post(
        url(assessment_id),
        data=section_form("gov", "next", **{"value-policy": "no", "lock_version-policy": "0"}),
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("section=ops")
    response = client.post(
        url(assessment_id), data=section_form("ops", "save", **{"lock_version-certs": "1"})
    )
    assert answer_row(app, "certs") == (None, "", 2)
    response = client.post(url(assessment_id), data=section_form("ops", "review"))
    assert response.headers["Location"].endswith(f"/portal/assessments/{assessment_id}/submit")


def test_section_form_shows_errors_and_keeps_what_was_typed(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = client.post(
        url(assessment_id),
        data=section_form(
            "ops",
            **{
                "value-tier": "a",
                "lock_version-tier": "0",
                "value-staff": "a dozen",
                "comment-staff": "roughly",
                "lock_version-staff": "0",
            },
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a number." in html and 'value="a dozen"' in html and ">roughly</textarea>" in html
    assert "1 answer(s) saved" in html
    assert answer_row(app, "tier") == ("a", "", 1)
    assert answer_row(app, "staff") is None


def test_section_form_conflict_is_shown_and_saving_again_uses_yours(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    autosave(client, assessment_id, "owner", "Their owner", 0)  # another tab
    fields = {
        "value-policy": "yes",
        "lock_version-policy": "0",
        "value-owner": "My owner",
        "lock_version-owner": "0",
    }
    response = client.post(url(assessment_id), data=section_form("gov", **fields))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This answer was changed in another tab or by a colleague" in html
    assert '<strong class="text-break" data-conflict-value>Their owner</strong>' in html
    assert ">My owner</textarea>" in html
    assert 'name="lock_version-owner" value="1"' in html  # their version: Save again = yours
    assert answer_row(app, "owner") == ("Their owner", "", 1)
    fields["lock_version-owner"] = "1"
    fields["lock_version-policy"] = "1"
    response = client.post(url(assessment_id), data=section_form("gov", **fields))
    assert response.status_code == 303
    assert answer_row(app, "owner") == ("My owner", "", 2)


def test_unknown_section_is_a_400(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    assert client.post(url(assessment_id), data=section_form("nope")).status_code == 400


# --- evidence -------------------------------------------------------------------------


def upload(client, assessment_id, key="pentest", data=PDF, name="report.pdf", **extra):
    fields = section_form("ops" if key == "pentest" else "gov", f"upload:{key}")
    fields[f"lock_version-{key}"] = "0"
    fields[f"file-{key}"] = (io.BytesIO(data), name)
    for field, value in extra.items():
        fields[f"{field}-{key}"] = value
    return client.post(url(assessment_id), data=fields, content_type="multipart/form-data")


def test_upload_a_good_pdf_then_remove_it(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    expires = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    response = upload(client, assessment_id, expires_on=expires, name="Prüfbericht 2024.pdf")
    assert response.status_code == 303 and response.headers["Location"].endswith("#q-pentest")
    with app.app_context():
        evidence = db.session.scalar(select(Evidence))
        evidence_id = evidence.id
        assert evidence.expires_on.isoformat() == expires
        assert evidence.effective_on == dt.date.today()
    html = client.get(url(assessment_id, "?section=ops")).get_data(as_text=True)
    assert "Prüfbericht 2024.pdf" in html and f"/evidence/{evidence_id}" in html
    assert f'value="remove:{evidence_id}"' in html
    response = client.post(url(assessment_id), data=section_form("ops", f"remove:{evidence_id}"))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": EXE, "name": "invoice.pdf"}, "This kind of file is not accepted"),
        ({"effective_on": "2999-01-01"}, "The effective date cannot be in the future."),
        (
            {"effective_on": "2024-06-01", "expires_on": "2024-01-01"},
            "The expiry date must be after the effective date.",
        ),
    ],
)
def test_bad_uploads_are_refused_with_a_message(app, client, users, login_as, kwargs, message):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = upload(client, assessment_id, **kwargs)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_upload_without_a_file_says_so(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = client.post(
        url(assessment_id),
        data=section_form("ops", "upload:pentest", **{"lock_version-pentest": "0"}),
    )
    assert response.status_code == 400
    assert "Choose a file to upload first." in response.get_data(as_text=True)


def test_oversize_upload_is_refused(app, client, users, login_as):
    app.config["CHAINLIGHT_MAX_FILE_BYTES"] = 20
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    response = upload(client, assessment_id)
    assert response.status_code == 400
    assert re.search(r"At most \d+ MB\.", response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_expiring_evidence_is_flagged_for_re_request(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    soon = (dt.date.today() + dt.timedelta(days=12)).isoformat()
    with_evidence(app, users, assessment_id, expires_on=soon)
    login_as("supplier")
    html = client.get(url(assessment_id, "?section=ops")).get_data(as_text=True)
    assert "Expires within 30 days: please upload a renewed file" in html
    listing = client.get("/portal/assessments").get_data(as_text=True)
    assert "1 evidence file expires soon or expired" in listing


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supplier", 200),
        ("admin", 200),
        ("analyst", 200),
        ("executive", 200),
        ("other_supplier", 404),
    ],
)
def test_evidence_download_access(app, client, users, login_as, role, status):
    assessment_id = make_open_assessment(app, users)
    evidence_id = with_evidence(app, users, assessment_id)
    login_as(role)
    response = client.get(url(assessment_id, f"/evidence/{evidence_id}"))
    assert response.status_code == status
    if status == 200:
        assert response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "report.pdf" in response.headers["Content-Disposition"]
        assert response.headers["Content-Type"] == "application/pdf"
        assert "no-store" in response.headers["Cache-Control"]


def test_evidence_download_needs_the_right_assessment_and_a_login(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    other_id = make_open_assessment(app, users)
    evidence_id = with_evidence(app, users, assessment_id)
    response = client.get(url(assessment_id, f"/evidence/{evidence_id}"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as("admin")
    assert client.get(url(other_id, f"/evidence/{evidence_id}")).status_code == 404
    assert client.get(url(assessment_id, "/evidence/999999")).status_code == 404
    assert client.get(url(999999, f"/evidence/{evidence_id}")).status_code == 404


# --- submitting -----------------------------------------------------------------------


def test_submit_with_missing_answers_lists_them_with_links(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    autosave(client, assessment_id, "policy", "yes", 0)
    check = client.get(url(assessment_id, "/submit")).get_data(as_text=True)
    assert "5 items are still missing" in check and "Submit for review" not in check
    response = client.post(url(assessment_id, "/submit"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Not submitted yet" in html
    assert f'href="/portal/assessments/{assessment_id}?section=gov#q-owner"' in html
    assert f'href="/portal/assessments/{assessment_id}?section=ops#q-pentest"' in html
    assert "Attach evidence for this answer." in html and "Answer this question." in html
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.status == "in_progress" and assessment.submitted_at is None


def test_submit_complete_then_read_only_and_saves_refused(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        fill_complete(app, users, db.session.get(Assessment, assessment_id))
        db.session.commit()
    login_as("supplier")
    check = client.get(url(assessment_id, "/submit")).get_data(as_text=True)
    assert "Everything required is answered" in check and "Submit for review" in check
    response = client.post(url(assessment_id, "/submit"))
    assert response.status_code == 303
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.status == "submitted" and assessment.submitted_at is not None
    html = client.get(url(assessment_id)).get_data(as_text=True)
    assert "read-only" in html
    assert "<textarea" not in html and 'name="value-' not in html and 'type="file"' not in html
    assert "autosave.js" not in html
    assert COMPLETE["owner"] in html and "Tier A" in html and "report.pdf" in html
    refused = autosave(client, assessment_id, "tier", "b", 1)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "closed"
    assert "can no longer be changed" in refused.get_json()["message"]
    response = client.post(
        url(assessment_id),
        data=section_form("ops", **{"value-tier": "b", "lock_version-tier": "1"}),
    )
    assert response.status_code == 303
    assert answer_row(app, "tier")[0] == "a"
    assert client.post(url(assessment_id, "/submit")).status_code == 302
    assert client.get(url(assessment_id, "/submit")).status_code == 302


def test_changes_requested_is_editable_and_shows_the_reviewers_note(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "tier", "b", version=0)
        answer = db.session.scalar(select(Answer).where(Answer.question_key == "tier"))
        answer.verdict = "clarify"
        answer.verdict_note = "Tier B is not enough for order data: explain the plan."
        assessment.status = "changes_requested"
        db.session.commit()
    login_as("supplier")
    html = client.get(url(assessment_id, "?section=ops")).get_data(as_text=True)
    assert "Your reviewer asked for changes" in html
    assert "Tier B is not enough for order data" in html
    version = answer_row(app, "tier")[2]
    response = autosave(client, assessment_id, "tier", "a", version)
    assert response.status_code == 200 and response.get_json()["status"] == "in_progress"


# --- access ---------------------------------------------------------------------------


def _all_routes(assessment_id: int, evidence_id: int):
    return [
        ("GET", url(assessment_id), {}),
        ("GET", url(assessment_id, "?section=ops"), {}),
        ("POST", url(assessment_id), {"data": section_form("gov", **{"value-policy": "no"})}),
        ("POST", url(assessment_id, "/answers/policy"), {"json": {"value": "no", "version": 0}}),
        ("GET", url(assessment_id, "/submit"), {}),
        ("POST", url(assessment_id, "/submit"), {}),
        ("GET", url(assessment_id, f"/evidence/{evidence_id}"), {}),
    ]


def test_another_suppliers_assessment_is_404_everywhere(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    evidence_id = with_evidence(app, users, assessment_id)
    login_as("other_supplier")
    for method, path, kwargs in _all_routes(assessment_id, evidence_id):
        response = client.open(path, method=method, **kwargs)
        assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
        assert "Portal test questionnaire" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) == 1  # only the evidence's own
        assert db.session.get(Assessment, assessment_id).status == "in_progress"
    assert "Portal test" not in client.get("/portal/assessments").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
def test_staff_are_refused_the_portal_answering_pages(app, client, users, login_as, role):
    assessment_id = make_open_assessment(app, users)
    evidence_id = with_evidence(app, users, assessment_id)
    login_as(role)
    assert client.get("/portal/assessments").status_code == 403
    for method, path, kwargs in _all_routes(assessment_id, evidence_id):
        if "/evidence/" in path:
            continue  # staff may download evidence (tested above)
        response = client.open(path, method=method, **kwargs)
        assert response.status_code == 403, f"{role} {method} {path} -> {response.status_code}"


def test_a_contact_without_a_supplier_gets_404(app, client, users, login_as):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        from tests import factories

        factories.make_user(db.session, "supplier", "loose@example.com")
        db.session.commit()
    client.post("/login", data={"email": "loose@example.com", "password": factories.PASSWORD})
    assert client.get("/portal/assessments").status_code == 404
    assert client.get(url(assessment_id)).status_code == 404


def _lose_a_race_once(app, users, monkeypatch, name, key, value):
    """Make the portal's save `name` lose once to a simultaneous save of the same answer."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.services import answering as answering_service

    real = getattr(answering_service, name)
    real_save_answer = answering_service.save_answer
    calls = []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            # The autosave fired by the field's change event commits the same answer first.
            with app.app_context():
                assessment = db.session.get(Assessment, args[2].id)
                real_save_answer(db.session, args[1], assessment, key, value, "", 0)
                db.session.commit()
            raise StaleDataError("lost the race")
        return real(*args, **kwargs)

    monkeypatch.setattr(answering_service, name, racing)
    return calls


def test_section_form_that_loses_a_race_to_its_own_autosave_still_saves(
    app, client, users, login_as, monkeypatch
):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    calls = _lose_a_race_once(app, users, monkeypatch, "save_section", "staff", "7")
    response = client.post(
        url(assessment_id),
        data=section_form("ops", "next", **{"value-staff": "7", "lock_version-staff": "0"}),
    )
    assert len(calls) == 2
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert answer_row(app, "staff") == (7, "", 1)


def test_autosave_that_loses_a_race_to_the_same_answer_is_no_conflict(
    app, client, users, login_as, monkeypatch
):
    assessment_id = make_open_assessment(app, users)
    login_as("supplier")
    calls = _lose_a_race_once(app, users, monkeypatch, "save_answer", "staff", "12")
    response = autosave(client, assessment_id, "staff", "12", 0)
    assert len(calls) == 2
    assert response.status_code == 200 and response.get_json()["version"] == 1
    assert answer_row(app, "staff") == (12, "", 1)
