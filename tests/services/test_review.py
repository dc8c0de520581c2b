"""Review use cases: verdicts, threads, change requests, approval, reassessment and its diff."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, AnswerComment, Assessment, AuditEvent, Evidence, Invitation
from app.services import Actor, ServiceError, answering
from app.services import files as file_store
from app.services import review as svc
from tests import factories

TODAY = dt.date.today()
ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")
ADMIN = Actor(user_id=None, email="admin@example.com", role="admin")
EXECUTIVE = Actor(user_id=None, email="exec@example.com", role="executive")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def contact(supplier) -> Actor:
    return Actor(
        user_id=None, email="contact@example.com", role="supplier", supplier_id=supplier.id
    )


def stored_file(supplier, name="policy.pdf", data=PDF):
    from flask import current_app

    return file_store.store(
        db.session,
        ANALYST,
        file_store.Upload(name, data),
        root=Path(current_app.config["CHAINLIGHT_UPLOAD_DIR"]),
        supplier_id=supplier.id,
    )


def answer(assessment, key, value, comment="", files=0, expires_on=None) -> Answer:
    stored = [
        stored_file(assessment.supplier, f"file{n}.pdf", PDF + bytes([65 + n]))
        for n in range(files)
    ]
    row = Answer(assessment=assessment, question_key=key, value=value, comment=comment)
    for file in stored:
        row.evidence.append(
            Evidence(file=file, effective_on=TODAY - dt.timedelta(days=10), expires_on=expires_on)
        )
    db.session.add(row)
    db.session.flush()
    return row


def submitted(supplier=None, status="submitted", version=None, **answers) -> Assessment:
    """An assessment of the mini template with a complete set of answers."""
    supplier = supplier or factories.make_supplier(db.session, legal_name="Công ty TNHH Thép Việt")
    assessment = factories.make_assessment(db.session, supplier, version, status=status)
    values = {"policy": "yes", "owner": "Ngô Thị Hằng", "mfa": "partial", **answers}
    for key, value in values.items():
        if value is not None:
            answer(assessment, key, value, files=1 if key == "policy" and value == "yes" else 0)
    db.session.refresh(assessment)
    return assessment


def by_key(assessment) -> dict[str, Answer]:
    return {a.question_key: a for a in assessment.answers}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- verdicts ---------------------------------------------------------------------------


def test_a_verdict_starts_the_review_and_is_audited(app):
    with app.app_context():
        assessment = submitted()
        policy = by_key(assessment)["policy"]
        svc.set_verdict(db.session, ANALYST, policy, "accepted", "")
        assert assessment.status == "under_review"
        assert policy.verdict == "accepted" and policy.reviewed_at is not None
        assert svc.review_state(policy) == "accepted" and not svc.verdict_outdated(policy)
        (event,) = events("answer_verdict")
        assert event.entity_id == str(policy.id) and event.after["verdict"] == "accepted"
        assert [e.after["status"] for e in events("status")] == ["under_review"]


@pytest.mark.parametrize("status", ["sent", "in_progress", "changes_requested", "approved"])
def test_no_verdict_before_submission_or_after_the_review(app, status):
    with app.app_context():
        assessment = submitted(status=status)
        with pytest.raises(ServiceError, match="only a submitted assessment can be reviewed"):
            svc.set_verdict(db.session, ANALYST, by_key(assessment)["mfa"], "accepted", "")
        assert by_key(assessment)["mfa"].verdict is None and assessment.status == status


@pytest.mark.parametrize(
    ("verdict", "note", "field", "message"),
    [
        ("clarify", "", "note", "Say what the supplier should clarify"),
        ("clarify", "   ", "note", "Say what the supplier should clarify"),
        ("clarify", "x" * 2001, "note", "At most 2000"),
        ("clarify", "bell\x07", "note", "control characters"),
        ("maybe", "", "verdict", "Choose accept"),
        ("", "", "verdict", "Choose accept"),
        (None, "", "verdict", "Choose accept"),
    ],
)
def test_bad_verdicts_are_refused_and_change_nothing(app, verdict, note, field, message):
    with app.app_context():
        assessment = submitted()
        mfa = by_key(assessment)["mfa"]
        with pytest.raises(ServiceError, match=message) as caught:
            svc.set_verdict(db.session, ANALYST, mfa, verdict, note)
        assert field in caught.value.errors
        assert mfa.verdict is None and assessment.status == "submitted"
        assert events("answer_verdict") == []


def test_a_hidden_answer_gets_no_verdict(app):
    with app.app_context():
        # "owner" shows only when the policy is yes/partial: with "no" its old answer is hidden.
        assessment = submitted(policy="no")
        with pytest.raises(ServiceError, match="hidden"):
            svc.set_verdict(db.session, ANALYST, by_key(assessment)["owner"], "accepted", "")


@pytest.mark.parametrize("actor", [EXECUTIVE, "contact"])
def test_only_analysts_and_admins_give_verdicts(app, actor):
    with app.app_context():
        assessment = submitted()
        who = contact(assessment.supplier) if actor == "contact" else actor
        with pytest.raises(ServiceError, match="Only an analyst"):
            svc.set_verdict(db.session, who, by_key(assessment)["mfa"], "accepted", "")
        with pytest.raises(ServiceError, match="Only an analyst"):
            svc.approve(db.session, who, assessment)
        with pytest.raises(ServiceError, match="Only an analyst"):
            svc.request_changes(db.session, who, assessment)
        assert assessment.status == "submitted"


def test_a_changed_answer_makes_its_verdict_out_of_date(app):
    with app.app_context():
        assessment = submitted()
        answers = by_key(assessment)
        svc.set_verdict(db.session, ANALYST, answers["mfa"], "accepted", "")
        svc.set_verdict(
            db.session, ANALYST, answers["owner"], "clarify", "Name a role, not a person"
        )
        answers["mfa"].value = "yes"
        answers["owner"].value = "CISO"
        db.session.flush()
        assert svc.verdict_outdated(answers["mfa"]) and svc.review_state(answers["mfa"]) == "none"
        # A clarification stays open until the reviewer looks again.
        assert svc.verdict_outdated(answers["owner"])
        assert svc.review_state(answers["owner"]) == "clarify"
        # A new file also counts as a change.
        policy = answers["policy"]
        svc.set_verdict(db.session, ANALYST, policy, "accepted", "")
        policy.evidence.append(
            Evidence(
                file=stored_file(assessment.supplier, "v2.pdf", PDF + b"v2"), effective_on=TODAY
            )
        )
        db.session.flush()
        assert svc.review_state(policy) == "none"


# --- start review, request changes, approve ---------------------------------------------


def test_start_review_moves_submitted_only(app):
    with app.app_context():
        assessment = submitted()
        svc.start_review(db.session, ANALYST, assessment)
        assert assessment.status == "under_review"
        with pytest.raises(ServiceError, match="already started"):
            svc.start_review(db.session, ANALYST, assessment)
        sent = submitted(status="sent")
        with pytest.raises(ServiceError, match="only a submitted"):
            svc.start_review(db.session, ANALYST, sent)


def test_request_changes_needs_an_answer_to_clarify(app):
    with app.app_context():
        assessment = submitted(status="under_review")
        svc.set_verdict(db.session, ANALYST, by_key(assessment)["mfa"], "accepted", "")
        with pytest.raises(ServiceError, match="at least one answer"):
            svc.request_changes(db.session, ANALYST, assessment)
        assert assessment.status == "under_review"
        assert events("review_request_changes") == []


def test_request_changes_sends_back_which_answers_and_why(app):
    with app.app_context():
        assessment = submitted()
        answers = by_key(assessment)
        svc.set_verdict(db.session, ANALYST, answers["mfa"], "clarify", "Which systems lack MFA?")
        svc.set_verdict(db.session, ANALYST, answers["policy"], "accepted", "")
        asked = svc.request_changes(db.session, ANALYST, assessment)
        assert asked == [{"question": "mfa", "note": "Which systems lack MFA?"}]
        assert assessment.status == "changes_requested"
        (event,) = events("review_request_changes")
        assert event.after == {"clarify": asked}
        assert [i.question.key for i in svc.clarifications(assessment)] == ["mfa"]
        # Nothing more can be decided until the supplier resubmits.
        with pytest.raises(ServiceError, match="changes requested"):
            svc.approve(db.session, ANALYST, assessment)
        with pytest.raises(ServiceError, match="changes requested"):
            svc.request_changes(db.session, ANALYST, assessment)


def test_approve_is_refused_while_an_answer_needs_clarification(app):
    with app.app_context():
        assessment = submitted()
        svc.set_verdict(db.session, ANALYST, by_key(assessment)["mfa"], "clarify", "Which?")
        with pytest.raises(ServiceError, match="1 answer\\(s\\) still need clarification"):
            svc.approve(db.session, ANALYST, assessment)
        assert assessment.status == "under_review" and assessment.approved_at is None


def test_approve_is_refused_when_something_required_is_missing(app):
    with app.app_context():
        assessment = submitted(mfa=None)
        with pytest.raises(ServiceError, match="1 required answer"):
            svc.approve(db.session, ANALYST, assessment)
        assert assessment.status == "submitted"


def test_expired_evidence_counts_as_missing_for_approval(app):
    with app.app_context():
        assessment = submitted(policy=None)
        answer(assessment, "policy", "yes", files=1, expires_on=TODAY - dt.timedelta(days=1))
        db.session.refresh(assessment)
        _template, _items, summary = svc.review_items(assessment)
        assert [m.question for m in summary.missing] == ["policy"]
        with pytest.raises(ServiceError, match="missing"):
            svc.approve(db.session, ANALYST, assessment)


@pytest.mark.parametrize("status", ["sent", "in_progress", "changes_requested", "cancelled"])
def test_approve_only_a_submitted_assessment(app, status):
    with app.app_context():
        assessment = submitted(status=status)
        with pytest.raises(ServiceError):
            svc.approve(db.session, ANALYST, assessment)
        assert assessment.status == status


def test_approve_accepts_what_was_not_reviewed(app, users):
    with app.app_context():
        reviewer = Actor(user_id=users["analyst"].id, email="analyst@example.com", role="analyst")
        assessment = submitted()
        answers = by_key(assessment)
        svc.set_verdict(db.session, reviewer, answers["mfa"], "accepted", "Fine")
        accepted = svc.approve(db.session, reviewer, assessment)
        assert accepted == 2  # policy and owner
        assert assessment.status == "approved" and assessment.approved_at is not None
        assert assessment.reviewed_by_id == users["analyst"].id
        assert {a.question_key: a.verdict for a in assessment.answers} == {
            "policy": "accepted",
            "owner": "accepted",
            "mfa": "accepted",
        }
        assert answers["mfa"].verdict_note == "Fine"
        (event,) = events("review_approve")
        assert event.after == {"accepted_with_approval": 2}
        assert events("status")[-1].after == {"status": "approved"}
        with pytest.raises(ServiceError):
            svc.approve(db.session, reviewer, assessment)


def test_summary_counts(app):
    with app.app_context():
        assessment = submitted()
        answers = by_key(assessment)
        svc.set_verdict(db.session, ANALYST, answers["mfa"], "clarify", "Why partial?")
        svc.set_verdict(db.session, ANALYST, answers["policy"], "accepted", "")
        _template, items, summary = svc.review_items(assessment)
        assert (summary.accepted, summary.clarify, summary.not_reviewed) == (1, 1, 1)
        assert summary.missing == []
        assert [i.question.key for i in items] == ["policy", "owner", "mfa"]
        assert items[0].words == "Yes (score 1)" and items[2].words == "Partially (score 0.5)"


# --- comments ---------------------------------------------------------------------------


def test_staff_and_the_suppliers_contact_write_in_a_thread(app, users):
    with app.app_context():
        supplier = db.session.get(factories.Supplier, users["supplier_a"].id)
        assessment = submitted(supplier)
        mfa = by_key(assessment)["mfa"]
        analyst = Actor(users["analyst"].id, users["analyst"].email, "analyst")
        own = Actor(users["supplier"].id, users["supplier"].email, "supplier", supplier.id)
        svc.add_comment(db.session, analyst, mfa, "  Which systems?  ")
        svc.add_comment(db.session, own, mfa, "Trả lời: the legacy VPN.\nFixed next week.")
        svc.add_comment(db.session, ADMIN, mfa, "Thanks")
        db.session.refresh(mfa)
        assert [(c.author_email, c.body) for c in mfa.comments] == [
            ("analyst@example.com", "Which systems?"),
            ("contact@alpha.example", "Trả lời: the legacy VPN.\nFixed next week."),
            ("admin@example.com", "Thanks"),
        ]
        assert len(events("answer_comment")) == 3
        roles = svc.author_roles(db.session, svc.review_items(assessment)[1])
        assert roles == {users["analyst"].id: "analyst", users["supplier"].id: "supplier"}


@pytest.mark.parametrize("who", ["other_supplier", "executive", "no_supplier"])
def test_others_cannot_comment(app, users, who):
    with app.app_context():
        supplier = db.session.get(factories.Supplier, users["supplier_a"].id)
        mfa = by_key(submitted(supplier))["mfa"]
        actor = {
            "other_supplier": Actor(
                users["other_supplier"].id,
                "contact@beta.example",
                "supplier",
                users["supplier_b"].id,
            ),
            "executive": EXECUTIVE,
            "no_supplier": Actor(None, "x@example.com", "supplier", None),
        }[who]
        with pytest.raises(ServiceError, match="cannot comment"):
            svc.add_comment(db.session, actor, mfa, "Let me in")
        assert db.session.scalar(select(func.count()).select_from(AnswerComment)) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a comment"),
        ("   \n ", "Write a comment"),
        ("x" * 5001, "At most 5000"),
        (None, "Write"),
    ],
)
def test_bad_comments_are_refused(app, body, message):
    with app.app_context():
        mfa = by_key(submitted())["mfa"]
        with pytest.raises(ServiceError, match=message) as caught:
            svc.add_comment(db.session, ANALYST, mfa, body)
        assert "body" in caught.value.errors
        assert events("answer_comment") == []


@pytest.mark.parametrize("status", ["approved", "cancelled"])
def test_closed_assessments_take_no_comments(app, status):
    with app.app_context():
        mfa = by_key(submitted(status=status))["mfa"]
        with pytest.raises(ServiceError, match="comments are closed"):
            svc.add_comment(db.session, ANALYST, mfa, "Late")


# --- the round trip with the supplier's own services --------------------------------------


def test_change_request_round_trip(app, users):
    with app.app_context():
        supplier = db.session.get(factories.Supplier, users["supplier_a"].id)
        own = Actor(users["supplier"].id, users["supplier"].email, "supplier", supplier.id)
        assessment = submitted(supplier)
        mfa = by_key(assessment)["mfa"]
        svc.set_verdict(db.session, ANALYST, mfa, "clarify", "Partially? Where is MFA missing?")
        svc.request_changes(db.session, ANALYST, assessment)
        answering.save_answer(
            db.session,
            own,
            assessment,
            "mfa",
            "yes",
            "Now on every remote access",
            mfa.lock_version,
        )
        assert assessment.status == "in_progress"
        answering.submit(db.session, own, assessment)
        assert assessment.status == "submitted"
        item = svc.clarifications(assessment)[0]
        assert item.outdated and item.words == "Yes (score 1)"
        with pytest.raises(ServiceError, match="clarification"):
            svc.approve(db.session, ANALYST, assessment)
        svc.set_verdict(db.session, ANALYST, mfa, "accepted", "")
        svc.approve(db.session, ANALYST, assessment)
        assert assessment.status == "approved"


# --- reassessment -----------------------------------------------------------------------


def approved_round(**answers) -> Assessment:
    assessment = submitted(**answers)
    svc.approve(db.session, ANALYST, assessment)
    return assessment


def test_reassessment_carries_answers_and_evidence_over(app):
    with app.app_context():
        first = submitted()
        by_key(first)["mfa"].comment = "VPN only"
        svc.approve(db.session, ANALYST, first)
        due = TODAY + dt.timedelta(days=45)
        second = svc.start_reassessment(db.session, ANALYST, first, due.isoformat())
        assert (second.round, second.previous_id, second.status) == (2, first.id, "sent")
        assert second.supplier_id == first.supplier_id and second.due_on == due
        assert second.template_version_id == first.template_version_id
        old, new = by_key(first), by_key(second)
        assert {k: a.value for k, a in new.items()} == {k: a.value for k, a in old.items()}
        assert new["mfa"].comment == "VPN only"
        assert all(a.verdict is None and a.reviewed_at is None for a in new.values())
        assert [e.file_id for e in new["policy"].evidence] == [
            e.file_id for e in old["policy"].evidence
        ]
        assert new["policy"].evidence[0].id != old["policy"].evidence[0].id
        assert old["policy"].verdict == "accepted"  # the approved round is untouched
        (event,) = events("assessment_reassess")
        assert event.after["answers_copied"] == 3 and event.after["round"] == 2
        assert svc.changes_since_previous(second) == []


def test_reassessment_uses_the_latest_published_version(app):
    with app.app_context():
        first = approved_round()
        document = copy.deepcopy(factories.MINI_TEMPLATE)
        gov, ops = document["sections"]
        gov["questions"][1] = {  # "owner" becomes a choice: the old text no longer fits
            "key": "owner",
            "text": "Who owns it?",
            "type": "single_choice",
            "controls": ["GV.SC-02"],
            "options": [
                {"value": "ciso", "label": "CISO", "score": 1},
                {"value": "none", "label": "Nobody", "score": 0},
            ],
            "show_when": {"question": "policy", "in": ["yes", "partial"]},
        }
        ops["questions"].append(
            {"key": "logs", "text": "Logs kept a year?", "type": "ynp", "controls": ["SR-6"]}
        )
        newer = factories.make_template_version(db.session, document)
        factories.make_template_version(db.session, document, status="draft")  # not used
        second = svc.start_reassessment(db.session, ANALYST, first, TODAY + dt.timedelta(days=10))
        assert second.template_version_id == newer.id
        assert set(by_key(second)) == {"policy", "mfa"}  # "owner" asked again
        assert events("assessment_reassess")[0].after["answers_dropped"] == 1


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("", "required"),
        ("yesterday", "Not a date"),
        ((TODAY - dt.timedelta(days=1)).isoformat(), "Must not be before"),
        ((TODAY + dt.timedelta(days=800)).isoformat(), "Must not be after"),
        (None, "required"),
    ],
)
def test_reassessment_due_date_is_checked(app, due, message):
    with app.app_context():
        first = approved_round()
        with pytest.raises(ServiceError) as caught:
            svc.start_reassessment(db.session, ANALYST, first, due)
        assert message in caught.value.errors["due_on"]
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1


def test_reassessment_only_from_the_latest_approved_round(app):
    with app.app_context():
        under_review = submitted(status="under_review")
        with pytest.raises(ServiceError, match="Only an approved"):
            svc.start_reassessment(db.session, ANALYST, under_review, TODAY)
        first = approved_round()
        second = svc.start_reassessment(db.session, ANALYST, first, TODAY)
        with pytest.raises(ServiceError, match="later round"):
            svc.start_reassessment(db.session, ANALYST, first, TODAY)
        second.status = "cancelled"  # a cancelled round does not block a new one
        db.session.flush()
        third = svc.start_reassessment(db.session, ANALYST, first, TODAY)
        assert third.round == 2
        with pytest.raises(ServiceError, match="Only an analyst"):
            svc.start_reassessment(db.session, EXECUTIVE, first, TODAY)


def test_reassess_invites_the_contact(app):
    with app.app_context():
        first = approved_round()
        with pytest.raises(ServiceError) as caught:
            svc.reassess(db.session, ANALYST, first, due_on=TODAY, email="not an address")
        assert "email" in caught.value.errors
        db.session.rollback()
        first = approved_round()
        new_round = svc.reassess(
            db.session, ANALYST, first, due_on=TODAY, email="Kontakt@Müller-Präzision.de"
        )
        assert new_round.invitation.invitation.assessment_id == new_round.assessment.id
        assert new_round.invitation.link.startswith("http")
        assert svc.last_invited_email(db.session, new_round.assessment) == (
            new_round.invitation.invitation.email
        )


def test_reassess_with_a_bad_address_writes_nothing(app):
    with app.app_context():
        first_id = approved_round().id
        db.session.commit()
        first = db.session.get(Assessment, first_id)
        with pytest.raises(ServiceError):
            svc.reassess(db.session, ANALYST, first, due_on=TODAY, email="nope")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_diff_shows_exactly_the_changed_answers(app):
    with app.app_context():
        first = approved_round()
        second = svc.start_reassessment(db.session, ANALYST, first, TODAY)
        answers = by_key(second)
        answers["mfa"].value = "yes"  # changed
        answers["owner"].comment = "Since the audit"  # only the comment
        policy = answers["policy"]
        policy.evidence.append(  # one more file, same answer
            Evidence(file=stored_file(second.supplier, "cert.pdf", PDF + b"c"), effective_on=TODAY)
        )
        db.session.flush()
        db.session.refresh(second)
        changes = svc.changes_since_previous(second)
        assert [(c.question.key, c.kind) for c in changes] == [
            ("policy", "evidence"),
            ("owner", "comment"),
            ("mfa", "changed"),
        ]
        mfa = changes[2]
        assert (mfa.before, mfa.after) == ("Partially (score 0.5)", "Yes (score 1)")
        assert changes[0].before == "1 file: file0.pdf"
        assert changes[0].after == "2 files: file0.pdf, cert.pdf"
        assert (changes[1].before, changes[1].after) == ("No comment", "Since the audit")


def test_the_diff_sees_a_replaced_file_and_a_removed_answer(app):
    with app.app_context():
        first = approved_round()
        second = svc.start_reassessment(db.session, ANALYST, first, TODAY)
        answers = by_key(second)
        policy = answers["policy"]
        policy.evidence.clear()
        policy.evidence.append(
            Evidence(file=stored_file(second.supplier, "new.pdf", PDF + b"n"), effective_on=TODAY)
        )
        answers["policy"].value = "partial"
        db.session.delete(answers["mfa"])
        db.session.flush()
        db.session.refresh(second)
        kinds = {
            c.question.key: (c.kind, c.before, c.after) for c in svc.changes_since_previous(second)
        }
        assert kinds == {
            "policy": ("changed", "Yes (score 1)", "Partially (score 0.5)"),
            "mfa": ("removed", "Partially (score 0.5)", "Not answered"),
        }
        answers["policy"].value = "yes"
        db.session.flush()
        db.session.refresh(second)
        (change,) = [c for c in svc.changes_since_previous(second) if c.question.key == "policy"]
        assert change.kind == "evidence" and change.after == "1 file: new.pdf"


def test_a_first_round_has_no_diff(app):
    with app.app_context():
        assert svc.changes_since_previous(submitted()) == []
