"""Answering an assessment: saving by type, version conflicts, evidence, submission."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Assessment, AuditEvent, Evidence, StoredFile, Supplier, User
from app.services import Actor, ServiceError
from app.services import answering as service
from app.services.files import Upload
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200

DOC = {
    "key": "portal-test",
    "name": "Portal test questionnaire",
    "sections": [
        {
            "key": "gov",
            "title": "Governance",
            "questions": [
                {
                    "key": "policy",
                    "text": "Do you have a supply-chain security policy?",
                    "type": "ynp",
                    "controls": ["GV.SC-01"],
                    "evidence": "when_yes",
                    "help": "A written, approved policy.",
                },
                {
                    "key": "owner",
                    "text": "Who owns the policy?",
                    "type": "text",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "policy", "in": ["yes", "partial"]},
                },
                {
                    "key": "reviewed",
                    "text": "Is it reviewed every year?",
                    "type": "ynp",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "owner", "answered": True},
                },
            ],
        },
        {
            "key": "ops",
            "title": "Operations",
            "questions": [
                {
                    "key": "tier",
                    "text": "Which hosting tier?",
                    "type": "single_choice",
                    "controls": ["SR-6"],
                    "options": [
                        {"value": "a", "label": "Tier A", "score": 1},
                        {"value": "b", "label": "Tier B", "score": 0.25},
                    ],
                },
                {
                    "key": "certs",
                    "text": "Certifications held",
                    "type": "multiple_choice",
                    "required": False,
                    "controls": ["SR-6"],
                    "options": [
                        {"value": "iso27001", "label": "ISO 27001", "score": 0.6},
                        {"value": "iso28000", "label": "ISO 28000", "score": 0.6},
                        {"value": "none", "label": "None", "score": 0},
                    ],
                },
                {
                    "key": "staff",
                    "text": "How many staff work in security?",
                    "type": "number",
                    "min": 0,
                    "max": 100000,
                },
                {
                    "key": "audit_date",
                    "text": "When was your last audit?",
                    "type": "date",
                    "required": False,
                },
                {
                    "key": "pentest",
                    "text": "Upload your latest penetration test summary",
                    "type": "file",
                    "controls": ["SR-6"],
                },
            ],
        },
    ],
}
for _section in DOC["sections"]:
    for _q in _section["questions"]:
        _q.setdefault("controls", ["SR-6"])

COMPLETE = {
    "policy": "yes",
    "owner": "Nguyễn Thị Lan, CISO",
    "reviewed": "no",
    "tier": "a",
    "staff": "12",
}


def make_open_assessment(app, users, status="sent", supplier="supplier_a") -> int:
    """A fresh assessment of DOC for a standard supplier; returns its id."""
    with app.app_context():
        owner = db.session.get(Supplier, users[supplier].id)
        version = factories.make_template_version(db.session, DOC)
        assessment = factories.make_assessment(db.session, owner, version, status=status)
        db.session.commit()
        return assessment.id


def actor_for(users, role="supplier") -> Actor:
    user = db.session.get(User, users[role].id)
    return Actor.for_user(user)


def root(app) -> Path:
    return Path(app.config["CHAINLIGHT_UPLOAD_DIR"])


def save(users, assessment, key, value, version=None, comment="", role="supplier"):
    if version is None:
        answer = db.session.scalar(
            select(Answer).where(Answer.assessment_id == assessment.id, Answer.question_key == key)
        )
        version = answer.lock_version if answer else 0
    return service.save_answer(
        db.session, actor_for(users, role), assessment, key, value, comment, version
    )


def attach(app, users, assessment, key="pentest", data=PDF, name="report.pdf", **dates):
    return service.add_evidence(
        db.session,
        actor_for(users),
        assessment,
        key,
        Upload(name, data),
        dates.get("effective_on"),
        dates.get("expires_on"),
        root=root(app),
        max_bytes=dates.get("max_bytes", 10 * 1024 * 1024),
    )


def status_moves() -> list[str]:
    """The statuses the audit trail recorded for assessments, in order."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "assessment").order_by(AuditEvent.id)
    )
    return [e.after["status"] for e in events if e.after and "status" in e.after]


def fill_complete(app, users, assessment):
    for key, value in COMPLETE.items():
        save(users, assessment, key, value)
    attach(app, users, assessment, "policy")
    attach(app, users, assessment, "pentest")


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("policy", "partial", "partial"),
        ("owner", "  Công ty TNHH Thép Việt  ", "Công ty TNHH Thép Việt"),
        ("tier", "b", "b"),
        ("certs", ["iso28000", "iso27001", "iso28000"], ["iso27001", "iso28000"]),
        ("staff", "1,5", 1.5),
        ("staff", 42, 42),
        ("audit_date", "2024-02-29", "2024-02-29"),
        ("owner", "", None),
    ],
)
def test_each_type_is_cleaned_and_stored(app, users, key, raw, stored):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        result = save(users, assessment, key, raw, version=0, comment="ok")
        db.session.commit()
        answer = db.session.scalar(select(Answer).where(Answer.question_key == key))
        assert answer.value == stored == result.value
        assert answer.comment == "ok" and answer.lock_version == result.version == 1


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("policy", "maybe", "Choose yes, partially, no or not applicable."),
        ("policy", ["yes"], "Choose yes, partially, no or not applicable."),
        ("tier", "z", "Choose one of the listed options."),
        ("certs", ["iso27001", "gold"], "Choose only among the listed options."),
        ("staff", "twelve", "Enter a number."),
        ("staff", True, "Enter a number."),
        ("staff", "-1", "Enter at least 0."),
        ("audit_date", "2024-02-30", "Enter a date as YYYY-MM-DD."),
        ("owner", {"a": 1}, "Enter text."),
        ("owner", "x" * 5001, "Keep it under 5000 characters."),
        ("owner", "bell\x07", "Remove the invisible control characters from this answer."),
        ("pentest", "a file name", "Upload a file for this question."),
    ],
)
def test_wrong_values_are_refused_and_nothing_is_saved(app, users, key, raw, message):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        with pytest.raises(ServiceError) as caught:
            save(users, assessment, key, raw, version=0)
        assert caught.value.errors[key] == message
        db.session.rollback()
        assert db.session.scalar(select(func.count(Answer.id))) == 0
        assert db.session.get(Assessment, assessment_id).status == "sent"


def test_bad_comment_version_and_question_are_refused(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        with pytest.raises(ServiceError, match="At most 5000"):
            save(users, assessment, "policy", "yes", version=0, comment="x" * 5001)
        with pytest.raises(ServiceError, match="must be text"):
            save(users, assessment, "policy", "yes", version=0, comment=["no"])
        with pytest.raises(ServiceError, match="version is not a number"):
            save(users, assessment, "policy", "yes", version="abc")
        with pytest.raises(ServiceError, match="version is not a number"):
            save(users, assessment, "policy", "yes", version=-1)
        with pytest.raises(ServiceError, match="no such question"):
            save(users, assessment, "nope", "yes", version=0)
        assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_first_save_starts_the_assessment_and_is_audited(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "policy", "yes", version=0)
        db.session.commit()
        assert assessment.status == "in_progress"
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert "answer_save" in actions and status_moves() == ["in_progress"]
        save(users, assessment, "tier", "a", version=0)
        db.session.commit()
        assert assessment.status == "in_progress"


def test_editing_after_a_change_request_puts_it_back_in_progress(app, users):
    assessment_id = make_open_assessment(app, users, status="changes_requested")
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "tier", "b", version=0)
        db.session.commit()
        assert assessment.status == "in_progress"


def test_two_tabs_on_the_same_version_conflict_and_nothing_is_overwritten(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        first = save(users, assessment, "owner", "Tab one", version=0)
        db.session.commit()
        assert first.version == 1
        with pytest.raises(service.ConflictError) as caught:
            save(users, assessment, "owner", "Tab two", version=0)
        assert caught.value.value == "Tab one" and caught.value.version == 1
        assert caught.value.display == "Tab one"
        db.session.rollback()
        again = save(users, assessment, "owner", "Tab two", version=1)
        db.session.commit()
        assert again.version == 2
        with pytest.raises(service.ConflictError) as caught:
            save(users, assessment, "owner", "Tab one again", version=1)
        assert caught.value.value == "Tab two" and caught.value.version == 2
        db.session.rollback()
        answer = db.session.scalar(select(Answer).where(Answer.question_key == "owner"))
        assert answer.value == "Tab two"


def test_conflict_on_a_choice_shows_the_option_label(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "policy", "na", version=0, comment="We have no suppliers")
        db.session.commit()
        with pytest.raises(service.ConflictError) as caught:
            save(users, assessment, "policy", "yes", version=0)
        assert caught.value.display == "Not applicable"
        assert caught.value.comment == "We have no suppliers"


def test_saving_the_same_answer_again_keeps_its_version(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "tier", "a", version=0)
        db.session.commit()
        result = save(users, assessment, "tier", "a", version=1)
        assert result.changed is False and result.version == 1
        # A stale tab sending what is saved already: nothing to overwrite, so no conflict.
        stale = save(users, assessment, "tier", "a", version=0)
        assert stale.changed is False and stale.version == 1
        blank = save(users, assessment, "owner", "", version=0)
        assert blank.changed is False and blank.version == 0
        assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_hidden_questions_are_not_required(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "policy", "no", version=0)
        view = service.overview(assessment)
        assert "owner" not in view.visible and "reviewed" not in view.visible
        missing = {m.question for m in service.missing(assessment)}
        assert "owner" not in missing and "reviewed" not in missing
        result = save(users, assessment, "policy", "yes", version=1)
        assert "owner" in result.overview.visible
        assert "owner" in {m.question for m in service.missing(assessment)}
        assert result.overview.progress.required == view.progress.required + 1


def test_na_needs_a_comment_before_submit(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "policy", "na", version=0)
        reasons = {m.question: m.reason for m in service.missing(assessment)}
        assert reasons["policy"] == "justify_na"


def test_a_contact_of_another_supplier_cannot_save(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        with pytest.raises(ServiceError, match="another company"):
            save(users, assessment, "tier", "a", version=0, role="other_supplier")


@pytest.mark.parametrize("status", ["submitted", "under_review", "approved", "cancelled"])
def test_closed_assessments_refuse_changes(app, users, status):
    assessment_id = make_open_assessment(app, users, status=status)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        with pytest.raises(service.ClosedError, match="can no longer be changed"):
            save(users, assessment, "tier", "a", version=0)
        with pytest.raises(service.ClosedError):
            attach(app, users, assessment)
        with pytest.raises(service.ClosedError):
            service.submit(db.session, actor_for(users), assessment)
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_good_evidence_is_stored_with_dates_and_audited(app, users):
    assessment_id = make_open_assessment(app, users)
    today = dt.date.today()
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        evidence = attach(
            app,
            users,
            assessment,
            effective_on=(today - dt.timedelta(days=3)).isoformat(),
            expires_on=(today + dt.timedelta(days=365)).isoformat(),
            name="Bericht Müller.pdf",
        )
        db.session.commit()
        assert evidence.file.content_type == "application/pdf"
        assert evidence.file.original_name == "Bericht Müller.pdf"
        assert evidence.effective_on == today - dt.timedelta(days=3)
        assert evidence.expires_on == today + dt.timedelta(days=365)
        assert evidence.file.supplier_id == assessment.supplier_id
        assert assessment.status == "in_progress"
        path = root(app) / evidence.file.storage_key[:2]
        assert path.exists() and "static" not in str(path)
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "evidence_add" in actions
        default = attach(app, users, assessment, "policy")
        assert default.effective_on == today and default.expires_on is None


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"data": EXE, "name": "invoice.pdf"}, "file", "not accepted"),
        ({"data": b""}, "file", "empty"),
        ({"max_bytes": 10}, "file", "At most"),
        ({"effective_on": "2999-01-01"}, "effective_on", "cannot be in the future"),
        ({"effective_on": "yesterday"}, "effective_on", "Not a date"),
        (
            {"effective_on": "2024-06-01", "expires_on": "2024-05-01"},
            "expires_on",
            "after the effective date",
        ),
        (
            {"effective_on": "2024-06-01", "expires_on": "2024-06-01"},
            "expires_on",
            "after the effective date",
        ),
        ({"effective_on": "2020-01-01", "expires_on": "2021-01-01"}, "expires_on", "expired"),
        ({"key": "tier"}, "file", "No files here"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_kept(app, users, kwargs, field, message):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        kwargs = dict(kwargs)
        key = kwargs.pop("key", "pentest")
        with pytest.raises(ServiceError) as caught:
            attach(app, users, assessment, key, **kwargs)
        assert message in caught.value.errors[field]
        db.session.rollback()
        assert db.session.scalar(select(func.count(Evidence.id))) == 0
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0
        assert db.session.get(Assessment, assessment_id).status == "sent"


def test_unknown_question_for_evidence_is_refused(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        with pytest.raises(ServiceError, match="no such question"):
            attach(app, users, assessment, "nope")


def test_expiring_and_expired_evidence_is_flagged_and_expired_does_not_count(app, users):
    assessment_id = make_open_assessment(app, users)
    today = dt.date.today()
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        soon = attach(app, users, assessment, expires_on=(today + dt.timedelta(days=10)))
        later = attach(app, users, assessment, "policy", expires_on=today + dt.timedelta(days=90))
        db.session.commit()
        assert service.evidence_flag(soon, today) == "expiring"
        assert service.evidence_flag(later, today) is None
        assert service.evidence_flag(soon, today + dt.timedelta(days=11)) == "expired"
        flagged = service.expiring_evidence(assessment, today)
        assert [(key, flag) for key, _e, flag in flagged] == [("pentest", "expiring")]
        assert "pentest" not in {m.question for m in service.missing(assessment, today)}
        later_day = today + dt.timedelta(days=11)
        assert "pentest" in {m.question for m in service.missing(assessment, later_day)}


def test_evidence_is_removed_only_while_open(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        evidence = attach(app, users, assessment)
        db.session.commit()
        with pytest.raises(ServiceError, match="not attached"):
            service.remove_evidence(db.session, actor_for(users), assessment, 999999)
        with pytest.raises(ServiceError, match="not attached"):
            service.remove_evidence(db.session, actor_for(users), assessment, "x")
        kept = attach(app, users, assessment)
        db.session.commit()
        service.remove_evidence(db.session, actor_for(users), assessment, evidence.id)
        db.session.commit()
        assert [e.id for e in db.session.scalars(select(Evidence))] == [kept.id]
        assert db.session.scalar(select(func.count(StoredFile.id))) == 2  # the file stays
        assessment.status = "submitted"
        db.session.commit()
        with pytest.raises(service.ClosedError):
            service.remove_evidence(db.session, actor_for(users), assessment, kept.id)


def test_submit_lists_what_is_missing_and_changes_nothing(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "policy", "yes", version=0)
        db.session.commit()
        with pytest.raises(service.IncompleteError) as caught:
            service.submit(db.session, actor_for(users), assessment)
        missing = {m.question: m.reason for m in caught.value.missing}
        assert missing == {
            "policy": "evidence",
            "owner": "unanswered",
            "tier": "unanswered",
            "staff": "unanswered",
            "pentest": "evidence",
        }
        assert "5 items are still missing" in caught.value.message
        db.session.rollback()
        assert assessment.status == "in_progress" and assessment.submitted_at is None


def test_submit_when_complete_then_answers_are_frozen(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        fill_complete(app, users, assessment)
        db.session.commit()
        assert service.missing(assessment) == []
        service.submit(db.session, actor_for(users), assessment)
        db.session.commit()
        assert assessment.status == "submitted" and assessment.submitted_at is not None
        assert status_moves() == ["in_progress", "submitted"]
        with pytest.raises(service.ClosedError):
            save(users, assessment, "tier", "b")
        with pytest.raises(service.ClosedError):
            service.submit(db.session, actor_for(users), assessment)


def test_list_for_supplier_puts_open_ones_first_and_hides_others(app, users):
    done = make_open_assessment(app, users, status="approved")
    first = make_open_assessment(app, users)
    make_open_assessment(app, users, supplier="supplier_b")
    with app.app_context():
        rows = service.for_supplier(db.session, users["supplier_a"].id)
        assert [a.id for a in rows] == [first, done]
        assert service.get_for_supplier(db.session, first, users["supplier_b"].id) is None


def test_current_answer_reports_what_is_saved(app, users):
    assessment_id = make_open_assessment(app, users)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        save(users, assessment, "tier", "b", version=0)
        db.session.commit()
        state = service.current_answer(db.session, assessment, "tier")
        assert (state.value, state.version, state.display) == ("b", 1, "Tier B")
        empty = service.current_answer(db.session, assessment, "owner")
        assert (empty.value, empty.version) == (None, 0)
