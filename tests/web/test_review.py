"""Review pages: the analyst's review, verdicts, threads, approval, reassessment, the diff,
and the supplier's page of clarification requests; roles and suppliers on every route."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AnswerComment, Assessment, AuditEvent, Invitation, Supplier
from app.services import Actor
from app.services import review as svc
from tests import factories
from tests.services.test_review import answer

TODAY = dt.date.today()
ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")


def _make(app, supplier_id: int, status="submitted", **values) -> SimpleNamespace:
    """An assessment of the mini template with answers; ids of it and its answers."""
    with app.app_context():
        supplier = db.session.get(Supplier, supplier_id)
        assessment = factories.make_assessment(db.session, supplier, status=status)
        answers = {"policy": "yes", "owner": "Müller, Leiter IT-Sicherheit", "mfa": "partial"}
        answers.update(values)
        ids = {}
        for key, value in answers.items():
            if value is not None:
                ids[key] = answer(assessment, key, value, files=1 if key == "policy" else 0).id
        db.session.commit()
        return SimpleNamespace(id=assessment.id, answers=ids)


@pytest.fixture
def mine(app, users):
    """A submitted assessment of supplier A (the `supplier` contact's company)."""
    return _make(app, users["supplier_a"].id)


@pytest.fixture
def theirs(app, users):
    """A submitted assessment of supplier B."""
    return _make(app, users["supplier_b"].id)


def load(app, assessment_id: int) -> SimpleNamespace:
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        return SimpleNamespace(
            status=a.status,
            approved_at=a.approved_at,
            verdicts={x.question_key: (x.verdict, x.verdict_note) for x in a.answers},
            comments={x.question_key: [c.body for c in x.comments] for x in a.answers},
        )


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def review_url(assessment_id: int, *rest: str) -> str:
    return "/".join([f"/assessments/{assessment_id}", *rest])


def set_verdict(app, assessment_id: int, key: str, verdict: str, note: str = "") -> None:
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        row = next(x for x in a.answers if x.question_key == key)
        svc.set_verdict(db.session, ANALYST, row, verdict, note)
        db.session.commit()


# --- the review page --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_reviewers_see_answers_with_evidence_and_can_act(client, login_as, mine, role):
    login_as(role)
    response = client.get(review_url(mine.id, "review"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Do you have a supply-chain security policy?" in page
    assert "Yes (score 1)" in page and "Partially (score 0.5)" in page
    assert "Müller, Leiter IT-Sicherheit" in page
    assert "file0.pdf" in page and f"/portal/assessments/{mine.id}/evidence/" in page
    assert "Needs clarification</button>" in page and ">Approve</button>" in page
    assert ">Request changes</button>" in page
    assert 'id="count-none">3<' in page


def test_the_executive_reads_but_cannot_act(client, login_as, mine):
    login_as("executive")
    response = client.get(review_url(mine.id, "review"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Yes (score 1)" in page
    assert "<form" not in page.split('id="main"')[1].split("</main>")[0]
    for path in ("review/start", "request-changes", "approve", "reassess"):
        assert client.post(review_url(mine.id, path)).status_code == 403
    for path in ("verdict", "comments"):
        url = review_url(mine.id, "answers", str(mine.answers["mfa"]), path)
        assert client.post(url, data={"verdict": "accepted", "body": "x"}).status_code == 403
    assert load(client.application, mine.id).status == "submitted"


def test_supplier_contacts_are_refused_every_staff_review_route(client, login_as, mine):
    login_as("supplier")
    answer_id = mine.answers["mfa"]
    assert client.get(review_url(mine.id, "review")).status_code == 403
    assert client.get(review_url(mine.id, "diff")).status_code == 403
    for path in ("review/start", "request-changes", "approve", "reassess"):
        assert client.post(review_url(mine.id, path)).status_code == 403
    for path in ("verdict", "comments"):
        url = review_url(mine.id, "answers", str(answer_id), path)
        assert client.post(url, data={"verdict": "accepted", "body": "x"}).status_code == 403


def test_unknown_assessments_and_foreign_answers_are_not_found(client, login_as, mine, theirs):
    login_as("analyst")
    assert client.get(review_url(424242, "review")).status_code == 404
    assert client.get(review_url(424242, "diff")).status_code == 404
    assert client.post(review_url(424242, "approve")).status_code == 404
    foreign = theirs.answers["mfa"]  # an answer of another assessment
    for path in ("verdict", "comments"):
        url = review_url(mine.id, "answers", str(foreign), path)
        assert client.post(url, data={"verdict": "accepted", "body": "x"}).status_code == 404
    assert load(client.application, theirs.id).verdicts["mfa"] == (None, "")


def test_an_unsubmitted_assessment_is_shown_without_review_buttons(client, login_as, users, app):
    sent = _make(app, users["supplier_a"].id, status="in_progress")
    login_as("analyst")
    page = client.get(review_url(sent.id, "review")).get_data(as_text=True)
    assert "has not submitted" in page and ">Approve</button>" not in page
    url = review_url(sent.id, "answers", str(sent.answers["mfa"]), "verdict")
    response = client.post(url, data={"verdict": "accepted"}, follow_redirects=True)
    assert "only a submitted assessment can be reviewed" in response.get_data(as_text=True)
    assert load(app, sent.id).verdicts["mfa"] == (None, "")


# --- verdicts and comments --------------------------------------------------------------


def test_accept_and_clarify_from_the_page(client, login_as, mine, app):
    login_as("analyst")
    url = review_url(mine.id, "answers", str(mine.answers["policy"]), "verdict")
    response = client.post(url, data={"verdict": "accepted", "note": ""})
    assert response.status_code == 302 and response.location.endswith("#q-policy")
    url = review_url(mine.id, "answers", str(mine.answers["mfa"]), "verdict")
    client.post(url, data={"verdict": "clarify", "note": "Which systems lack MFA?"})
    state = load(app, mine.id)
    assert state.status == "under_review"
    assert state.verdicts["policy"] == ("accepted", "")
    assert state.verdicts["mfa"] == ("clarify", "Which systems lack MFA?")
    page = client.get(review_url(mine.id, "review")).get_data(as_text=True)
    assert 'id="count-accepted">1<' in page and 'id="count-clarify">1<' in page
    assert actions(app).count("answer_verdict") == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict": "clarify", "note": ""}, "Say what the supplier should clarify"),
        ({"verdict": "clarify", "note": "x" * 2001}, "At most 2000"),
        ({"verdict": "approve-all", "note": ""}, "Unknown verdict"),
        ({}, "Unknown verdict"),
    ],
)
def test_a_bad_verdict_is_shown_next_to_its_answer(client, login_as, mine, app, data, message):
    login_as("analyst")
    url = review_url(mine.id, "answers", str(mine.answers["mfa"]), "verdict")
    response = client.post(url, data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert load(app, mine.id).verdicts["mfa"] == (None, "")
    assert load(app, mine.id).status == "submitted"


def test_comments_from_the_reviewer(client, login_as, mine, app):
    login_as("analyst")
    url = review_url(mine.id, "answers", str(mine.answers["mfa"]), "comments")
    response = client.post(url, data={"body": "Is the VPN covered? 谢谢"})
    assert response.status_code == 302
    assert load(app, mine.id).comments["mfa"] == ["Is the VPN covered? 谢谢"]
    page = client.get(review_url(mine.id, "review")).get_data(as_text=True)
    assert "Is the VPN covered? 谢谢" in page and "Reviewer</span>" in page
    response = client.post(url, data={"body": "   "})
    assert response.status_code == 200
    assert "Write a comment first." in response.get_data(as_text=True)
    assert load(app, mine.id).comments["mfa"] == ["Is the VPN covered? 谢谢"]


# --- request changes and approve --------------------------------------------------------


def test_request_changes_needs_a_clarification(client, login_as, mine, app):
    login_as("analyst")
    response = client.post(review_url(mine.id, "request-changes"), follow_redirects=True)
    assert "Mark at least one answer as needing clarification" in response.get_data(as_text=True)
    assert load(app, mine.id).status == "submitted"
    set_verdict(app, mine.id, "mfa", "clarify", "Where is MFA missing?")
    response = client.post(review_url(mine.id, "request-changes"), follow_redirects=True)
    assert "Changes requested" in response.get_data(as_text=True)
    assert load(app, mine.id).status == "changes_requested"
    assert "review_request_changes" in actions(app)


def test_approve_refused_with_a_clarification_left_then_approved(client, login_as, mine, app):
    login_as("analyst")
    set_verdict(app, mine.id, "mfa", "clarify", "Where is MFA missing?")
    response = client.post(review_url(mine.id, "approve"), follow_redirects=True)
    assert "still need clarification" in response.get_data(as_text=True)
    assert load(app, mine.id).status == "under_review"
    set_verdict(app, mine.id, "mfa", "accepted")
    response = client.post(review_url(mine.id, "approve"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Assessment approved." in page and "Reassess this supplier" in page
    state = load(app, mine.id)
    assert state.status == "approved" and state.approved_at is not None
    assert set(state.verdicts.values()) == {("accepted", "")}
    assert "review_approve" in actions(app)


def test_start_review_button(client, login_as, mine, app):
    login_as("analyst")
    assert ">Start review</button>" in client.get(review_url(mine.id, "review")).get_data(
        as_text=True
    )
    client.post(review_url(mine.id, "review/start"))
    assert load(app, mine.id).status == "under_review"
    response = client.post(review_url(mine.id, "review/start"), follow_redirects=True)
    assert "already started" in response.get_data(as_text=True)


# --- reassessment and the diff ----------------------------------------------------------


def approved(app, assessment_id: int) -> None:
    with app.app_context():
        svc.approve(db.session, ANALYST, db.session.get(Assessment, assessment_id))
        db.session.commit()


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("", "This field is required."),
        ("31/12/2027", "Not a date"),
        ((TODAY - dt.timedelta(days=1)).isoformat(), "Must not be before"),
    ],
)
def test_reassess_refuses_a_bad_due_date(client, login_as, mine, app, due, message):
    approved(app, mine.id)
    login_as("analyst")
    response = client.post(review_url(mine.id, "reassess"), data={"due_on": due, "email": ""})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1


def test_reassess_refuses_a_bad_address_and_writes_nothing(client, login_as, mine, app):
    approved(app, mine.id)
    login_as("analyst")
    due = (TODAY + dt.timedelta(days=20)).isoformat()
    response = client.post(review_url(mine.id, "reassess"), data={"due_on": due, "email": "x@"})
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1


def test_reassess_starts_round_two_and_invites(client, login_as, mine, app):
    approved(app, mine.id)
    login_as("analyst")
    page = client.get(review_url(mine.id, "review")).get_data(as_text=True)
    assert "Start round 2" in page
    due = (TODAY + dt.timedelta(days=20)).isoformat()
    response = client.post(
        review_url(mine.id, "reassess"),
        data={"due_on": due, "email": "kontakt@alpha.example", "message": "Jährliche Prüfung"},
    )
    assert response.status_code == 302
    with app.app_context():
        second = db.session.scalar(select(Assessment).where(Assessment.previous_id == mine.id))
        assert (second.round, second.status, second.message) == (2, "sent", "Jährliche Prüfung")
        assert {a.question_key for a in second.answers} == {"policy", "owner", "mfa"}
        invitation = db.session.scalar(select(Invitation))
        assert invitation.assessment_id == second.id
        second_id = second.id
    assert response.location.endswith(f"/assessments/{second_id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "/portal/invite/" in page  # the link, shown once
    page = client.get(review_url(mine.id, "review")).get_data(as_text=True)
    assert "Round 2 was started" in page and "Start round 2" not in page
    response = client.post(review_url(mine.id, "reassess"), data={"due_on": due})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2


def test_the_diff_page_and_the_changed_badges(client, login_as, mine, app):
    approved(app, mine.id)
    with app.app_context():
        second = svc.start_reassessment(
            db.session, ANALYST, db.session.get(Assessment, mine.id), TODAY
        )
        row = next(a for a in second.answers if a.question_key == "mfa")
        row.value = "yes"
        second.status = "submitted"
        db.session.commit()
        second_id = second.id
    login_as("executive")
    page = client.get(review_url(second_id, "diff")).get_data(as_text=True)
    assert "What changed since round 1" in page
    assert "1 answer changed." in page
    assert "Partially (score 0.5)" in page and "Yes (score 1)" in page
    assert "Is MFA enforced for remote access?" in page
    assert "Do you have a supply-chain security policy?" not in page
    page = client.get(review_url(second_id, "review")).get_data(as_text=True)
    assert page.count("Changed since round 1</span>") == 1
    mfa_card = page.split('id="q-mfa"')[1]
    assert "Changed since round 1" in mfa_card.split("</article>")[0]
    response = client.get(review_url(mine.id, "diff"))
    assert response.status_code == 302  # a first round has nothing to compare


# --- the supplier's page ----------------------------------------------------------------


def test_the_contact_sees_what_to_clarify_and_replies(client, login_as, mine, app, users):
    set_verdict(app, mine.id, "mfa", "clarify", "Which systems lack MFA?")
    set_verdict(app, mine.id, "policy", "accepted")
    with app.app_context():
        svc.request_changes(db.session, ANALYST, db.session.get(Assessment, mine.id))
        db.session.commit()
    login_as("supplier")
    url = f"/portal/assessments/{mine.id}/clarifications"
    page = client.get(url).get_data(as_text=True)
    assert "Which systems lack MFA?" in page and "Is MFA enforced for remote access?" in page
    assert "Do you have a supply-chain security policy?" not in page  # accepted: not asked
    assert "Partially (score 0.5)" in page
    reply = f"/portal/assessments/{mine.id}/answers/{mine.answers['mfa']}/reply"
    response = client.post(reply, data={"body": "Only the legacy VPN; replaced in May."})
    assert response.status_code == 302 and response.location.endswith("#q-mfa")
    assert load(app, mine.id).comments["mfa"] == ["Only the legacy VPN; replaced in May."]
    with app.app_context():
        comment = db.session.scalar(select(AnswerComment))
        assert comment.author_id == users["supplier"].id
    response = client.post(reply, data={"body": ""})
    assert response.status_code == 200
    assert "Write a comment first." in response.get_data(as_text=True)
    # The analyst sees the reply in the thread, marked as the supplier's.
    login_as("analyst")
    page = client.get(review_url(mine.id, "review")).get_data(as_text=True)
    assert "Only the legacy VPN; replaced in May." in page and "Supplier</span>" in page


def test_the_contact_page_without_requests(client, login_as, mine):
    login_as("supplier")
    page = client.get(f"/portal/assessments/{mine.id}/clarifications").get_data(as_text=True)
    assert "has not asked you to clarify anything" in page


def test_another_suppliers_contact_gets_not_found(client, login_as, mine, app):
    set_verdict(app, mine.id, "mfa", "clarify", "Secret note about Alpha")
    login_as("other_supplier")
    assert client.get(f"/portal/assessments/{mine.id}/clarifications").status_code == 404
    reply = f"/portal/assessments/{mine.id}/answers/{mine.answers['mfa']}/reply"
    assert client.post(reply, data={"body": "hi"}).status_code == 404
    assert load(app, mine.id).comments["mfa"] == []


def test_the_contact_cannot_reply_under_another_assessments_answer(
    client, login_as, mine, theirs, app
):
    login_as("supplier")
    reply = f"/portal/assessments/{mine.id}/answers/{theirs.answers['mfa']}/reply"
    assert client.post(reply, data={"body": "hi"}).status_code == 404
    assert load(app, theirs.id).comments["mfa"] == []


@pytest.mark.parametrize("role", ["analyst", "executive", "admin"])
def test_staff_do_not_use_the_portal_page(client, login_as, mine, role):
    login_as(role)
    assert client.get(f"/portal/assessments/{mine.id}/clarifications").status_code == 403
    reply = f"/portal/assessments/{mine.id}/answers/{mine.answers['mfa']}/reply"
    assert client.post(reply, data={"body": "hi"}).status_code == 403


def test_no_replies_once_approved(client, login_as, mine, app):
    approved(app, mine.id)
    login_as("supplier")
    reply = f"/portal/assessments/{mine.id}/answers/{mine.answers['mfa']}/reply"
    response = client.post(reply, data={"body": "late"}, follow_redirects=True)
    assert "comments are closed" in response.get_data(as_text=True)
    assert load(app, mine.id).comments["mfa"] == []


def test_the_page_filters_by_review_state(client, login_as, mine, app):
    set_verdict(app, mine.id, "mfa", "clarify", "Which systems?")
    set_verdict(app, mine.id, "policy", "accepted")
    login_as("analyst")

    def shown(show: str) -> list[str]:
        page = client.get(review_url(mine.id, "review"), query_string={"show": show})
        body = page.get_data(as_text=True)
        return [key for key in ("policy", "owner", "mfa") if f'id="q-{key}"' in body]

    assert shown("clarify") == ["mfa"]
    assert shown("accepted") == ["policy"]
    assert shown("none") == ["owner"]
    assert shown("all") == shown("nonsense") == ["policy", "owner", "mfa"]
    assert shown("changed") == []  # a first round: nothing to compare


def test_a_concurrent_change_is_reported_not_a_server_error(client, login_as, mine, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    def stale(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'answer' expected to update 1 row")

    monkeypatch.setattr(svc, "set_verdict", stale)
    monkeypatch.setattr(svc, "approve", stale)
    login_as("analyst")
    url = review_url(mine.id, "answers", str(mine.answers["mfa"]), "verdict")
    for target, data in ((url, {"verdict": "accepted"}), (review_url(mine.id, "approve"), {})):
        response = client.post(target, data=data, follow_redirects=True)
        assert response.status_code == 200
        assert "changed by someone else at the same moment" in response.get_data(as_text=True)
    assert load(client.application, mine.id).status == "submitted"
