"""The portal's findings: a supplier contact sees and works on its own supplier's findings
only — proposes a plan, marks milestones done, attaches evidence, comments, starts work and
marks a finding resolved — and never verifies, nor sees another supplier's findings."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Finding, FindingComment, FindingEvidence, FindingMilestone, StoredFile
from app.services import Actor, findings, remediation
from app.services import files as file_store
from tests import factories

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
GARBAGE = bytes(range(256)) * 4


def analyst(users) -> Actor:
    """The standard analyst as an acting user of the services."""
    u = users["analyst"]
    return Actor(user_id=u.id, email=u.email, role="analyst")


def make_finding(app, users, supplier: str = "supplier_a", **data) -> int:
    """A finding an analyst adds for supplier A (or B); returns its id."""
    with app.app_context():
        values = {
            "supplier": users[supplier].id,
            "title": "Remote access without MFA",
            "description": "Engineers reach the plant network over VPN with a password only.",
            "severity": "high",
            "control": "PR.AA-03",
        }
        values.update(data)
        finding = findings.create(db.session, analyst(users), values)
        db.session.commit()
        return finding.id


def url(finding_id: int, tail: str = "") -> str:
    """A portal finding URL."""
    return f"/portal/findings/{finding_id}{tail}"


def in_future(days: int) -> str:
    """The ISO date `days` from today."""
    return (TODAY + dt.timedelta(days=days)).isoformat()


def get_finding(app, finding_id: int) -> Finding:
    """The finding as stored now (columns only; the app context closes)."""
    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        db.session.expunge(finding)
        return finding


def count(app, model, **where) -> int:
    """How many rows of `model` match the column values."""
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return db.session.scalar(stmt)


def attach(client, finding_id: int, data: bytes = PDF, name: str = "mfa-policy.pdf", note=""):
    """Upload an evidence file to the finding as the logged-in contact."""
    return client.post(
        url(finding_id, "/evidence"),
        data={"file": (io.BytesIO(data), name), "note": note},
        content_type="multipart/form-data",
    )


# --- the list -------------------------------------------------------------------------------


def test_list_shows_own_findings_only_unfinished_first(app, client, users, login_as):
    done = make_finding(app, users, title="Alpha old gap, fixed")
    make_finding(app, users, title="Alpha MFA gap")
    make_finding(app, users, supplier="supplier_b", title="Beta secret finding")
    with app.app_context():
        db.session.get(Finding, done).status = "verified"
        late = Finding(
            supplier_id=users["supplier_a"].id,
            title="Alpha late patching",
            severity="critical",
            opened_on=TODAY - dt.timedelta(days=60),
            due_on=TODAY - dt.timedelta(days=1),
        )
        db.session.add(late)
        db.session.commit()
    login_as("supplier")
    response = client.get("/portal/findings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha MFA gap" in html and "Alpha late patching" in html
    assert "Beta" not in html
    assert html.index("Alpha late patching") < html.index("Alpha old gap, fixed")
    assert html.index("Alpha MFA gap") < html.index("Alpha old gap, fixed")
    assert "Overdue" in html and "PR.AA-03" in html and "No plan yet" in html
    # The nav counts the two findings that wait for the supplier (not the verified one).
    assert '2<span class="visually-hidden"> to fix</span>' in html


def test_empty_list_explains_what_findings_are(app, client, users, login_as):
    make_finding(app, users, supplier="supplier_b", title="Beta secret finding")
    login_as("supplier")
    html = client.get("/portal/findings").get_data(as_text=True)
    assert "There are no findings for your company." in html
    assert "asked to fix by a due date" in html
    assert "Beta" not in html and "to fix</span>" not in html


def test_home_links_to_the_findings(app, client, users, login_as):
    login_as("supplier")
    html = client.get("/portal/").get_data(as_text=True)
    assert 'href="/portal/findings"' in html


# --- who may see what -----------------------------------------------------------------------


def _theirs(app, users) -> dict[str, int]:
    """Supplier B's finding with a milestone and an evidence file, and A's own finding."""
    theirs = make_finding(app, users, supplier="supplier_b", title="Beta secret finding")
    mine = make_finding(app, users, title="Alpha MFA gap")
    with app.app_context():
        finding = db.session.get(Finding, theirs)
        milestone = FindingMilestone(finding_id=theirs, title="Beta step", due_on=TODAY)
        db.session.add(milestone)
        attachment = remediation.add_evidence(
            db.session, analyst(users), finding, file_store.Upload("beta.pdf", PDF), "",
            root=Path(app.config["CHAINLIGHT_UPLOAD_DIR"]),
        )  # fmt: skip
        db.session.commit()
        return {
            "theirs": theirs,
            "mine": mine,
            "milestone": milestone.id,
            "attachment": attachment.id,
        }


def test_another_suppliers_finding_is_not_found_on_every_route(app, client, users, login_as):
    ids = _theirs(app, users)
    theirs = ids["theirs"]
    login_as("supplier")
    calls = [
        ("GET", url(theirs), {}),
        ("GET", url(theirs, f"/evidence/{ids['attachment']}"), {}),
        ("POST", url(theirs, "/plan"), {"plan": "x", "plan_due_on": in_future(10)}),
        ("POST", url(theirs, "/status"), {"to": "in_progress"}),
        ("POST", url(theirs, "/comments"), {"body": "hello Beta"}),
        ("POST", url(theirs, "/evidence"), {"file": (io.BytesIO(PDF), "x.pdf")}),
        ("POST", url(theirs, f"/milestones/{ids['milestone']}/done"), {}),
        ("GET", url(424242), {}),
        ("POST", url(424242, "/comments"), {"body": "hello"}),
    ]
    for method, path, data in calls:
        response = client.open(path, method=method, data=data)
        assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
        assert "Beta" not in response.get_data(as_text=True)
    finding = get_finding(app, theirs)
    assert (finding.status, finding.plan_status) == ("open", "none")
    assert count(app, FindingComment, finding_id=theirs, kind="comment") == 0
    assert count(app, FindingEvidence, finding_id=theirs) == 1
    assert count(app, FindingMilestone, finding_id=theirs, done_on=None) == 1


def test_staff_are_refused_the_portal_findings(app, client, users, login_as):
    finding_id = make_finding(app, users)
    for role in ("admin", "analyst", "executive"):
        login_as(role)
        assert client.get("/portal/findings").status_code == 403, role
        assert client.get(url(finding_id)).status_code == 403, role
        assert client.post(url(finding_id, "/comments"), data={"body": "x"}).status_code == 403
    assert count(app, FindingComment, kind="comment") == 0


# --- the finding's page ---------------------------------------------------------------------


def test_finding_page_shows_what_is_wrong_and_the_next_step(app, client, users, login_as):
    with app.app_context():
        link = factories.make_connection(
            db.session, db.session.get(factories.Supplier, users["supplier_a"].id),
            name="Plant VPN",
        )  # fmt: skip
        db.session.commit()
        link_id = link.id
    finding_id = make_finding(app, users, connection=link_id)
    login_as("supplier")
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "Remote access without MFA" in html
    assert "with a password only" in html and "PR.AA-03" in html and "Plant VPN" in html
    assert "High" in html and in_future(60) in html
    assert "Next step:</span> Propose a remediation plan" in html
    assert "Start work" in html and "Mark resolved" in html
    assert "attach evidence of the fix" in html
    assert 'name="milestones"' in html and "YYYY-MM-DD" in html
    assert "No evidence attached yet." in html and "No messages yet." in html


def test_risk_acceptance_reason_is_never_shown(app, client, users, login_as):
    finding_id = make_finding(app, users)
    with app.app_context():
        u = users["executive"]
        findings.accept(
            db.session, Actor(user_id=u.id, email=u.email, role="executive"),
            db.session.get(Finding, finding_id), "Board tolerates it until the plant move",
            in_future(90),
        )  # fmt: skip
        db.session.commit()
    login_as("supplier")
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "Risk accepted" in html
    assert "Board tolerates" not in html
    # Nothing to do on a set-aside finding: no plan, evidence or status forms.
    for action in ("/plan", "/evidence", "/status"):
        assert f'action="{url(finding_id, action)}"' not in html
    assert "Nothing to do for now" in html


# --- the plan -------------------------------------------------------------------------------


ERROR_IDS = {
    "plan": "plan-text-error",
    "plan_due_on": "plan-due-error",
    "milestones": "plan-milestones-error",
}


def plan_form(**overrides) -> dict[str, str]:
    """A good plan (target in 40 days, two milestones), with some fields changed."""
    values = {
        "plan": "Roll out hardware tokens to every engineer, then turn off password-only VPN.",
        "plan_due_on": in_future(40),
        "milestones": f"{in_future(10)} Order the tokens\n{in_future(30)} - Enforce MFA on VPN",
    }
    values.update(overrides)
    return values


def test_proposing_a_plan_saves_it_with_its_milestones(app, client, users, login_as):
    finding_id = make_finding(app, users)
    login_as("supplier")
    response = client.post(url(finding_id, "/plan"), data=plan_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(finding_id) + "#plan")
    finding = get_finding(app, finding_id)
    assert finding.plan_status == "proposed"
    assert finding.plan_due_on == TODAY + dt.timedelta(days=40)
    with app.app_context():
        steps = db.session.scalars(
            select(FindingMilestone)
            .where(FindingMilestone.finding_id == finding_id)
            .order_by(FindingMilestone.due_on)
        ).all()
        assert [(m.title, m.due_on) for m in steps] == [
            ("Order the tokens", TODAY + dt.timedelta(days=10)),
            ("Enforce MFA on VPN", TODAY + dt.timedelta(days=30)),
        ]
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "Plan proposed: done by" in html  # the event in the thread
    assert "Roll out hardware tokens" in html and "Order the tokens" in html
    assert "Your plan awaits review" in html
    assert "Change the plan" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"plan": "  "}, "plan", "This field is required."),
        ({"plan_due_on": (TODAY - dt.timedelta(days=1)).isoformat()}, "plan_due_on",
         f"Must not be before {TODAY.isoformat()}."),
        ({"milestones": "Order the tokens soon"}, "milestones",
         "Line 1: start with the date as YYYY-MM-DD, then the step."),
        ({"milestones": f"{in_future(10)} Order\n{in_future(50)} Enforce"}, "milestones",
         f"Line 2: {in_future(50)} is after the plan's target date {in_future(40)}."),
    ],
)  # fmt: skip
def test_a_bad_plan_is_shown_again_with_the_reason(
    app, client, users, login_as, overrides, field, message
):
    finding_id = make_finding(app, users)
    login_as("supplier")
    form = plan_form(**overrides)
    response = client.post(url(finding_id, "/plan"), data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    shown = message.replace("'", "&#39;")
    assert f'id="{ERROR_IDS[field]}">{shown}</div>' in html
    assert "The plan was not saved." in html
    # What was typed is kept for correcting.
    if form["plan"].strip():
        assert form["plan"] in html
    assert form["milestones"].splitlines()[0] in html
    finding = get_finding(app, finding_id)
    assert (finding.plan_status, finding.plan_text, finding.plan_due_on) == ("none", "", None)
    assert count(app, FindingMilestone) == 0
    assert count(app, FindingComment, finding_id=finding_id) == 0


def test_an_accepted_plan_has_no_form_and_a_new_proposal_is_refused(app, client, users, login_as):
    finding_id = make_finding(app, users)
    login_as("supplier")
    client.post(url(finding_id, "/plan"), data=plan_form())
    with app.app_context():
        remediation.review_plan(
            db.session, analyst(users), db.session.get(Finding, finding_id), "accept"
        )
        db.session.commit()
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert 'name="plan_due_on"' not in html
    assert "Your plan is accepted: carry it out" in html
    response = client.post(url(finding_id, "/plan"), data=plan_form(plan="Something else"))
    assert response.status_code == 400
    assert "The plan was accepted already" in response.get_data(as_text=True)
    assert get_finding(app, finding_id).plan_text.startswith("Roll out hardware tokens")


def test_a_milestone_is_marked_done_once(app, client, users, login_as):
    finding_id = make_finding(app, users)
    other_id = make_finding(app, users, title="Another own finding")
    login_as("supplier")
    client.post(url(finding_id, "/plan"), data=plan_form())
    client.post(url(other_id, "/plan"), data=plan_form())
    with app.app_context():
        first, second = db.session.scalars(
            select(FindingMilestone.id)
            .where(FindingMilestone.finding_id == finding_id)
            .order_by(FindingMilestone.due_on)
        ).all()
        elsewhere = db.session.scalar(
            select(FindingMilestone.id).where(FindingMilestone.finding_id == other_id).limit(1)
        )
    response = client.post(url(finding_id, f"/milestones/{first}/done"))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(FindingMilestone, first).done_on == TODAY
        assert db.session.get(FindingMilestone, second).done_on is None
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "Milestone marked done." in html and "Milestone done: Order the tokens." in html
    assert html.count("Mark done<span") == 1  # only the open milestone keeps its button
    again = client.post(url(finding_id, f"/milestones/{first}/done"), follow_redirects=True)
    assert "That milestone is done already." in again.get_data(as_text=True)
    # Another finding's milestone id through this finding's URL does nothing.
    wrong = client.post(url(finding_id, f"/milestones/{elsewhere}/done"), follow_redirects=True)
    assert "No such milestone on this finding." in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(FindingMilestone, elsewhere).done_on is None


# --- status -----------------------------------------------------------------------------------


def test_start_work_then_resolve_only_with_evidence(app, client, users, login_as):
    finding_id = make_finding(app, users)
    login_as("supplier")
    response = client.post(url(finding_id, "/status"), data={"to": "in_progress"})
    assert response.status_code == 303
    assert get_finding(app, finding_id).status == "in_progress"
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "Work on this finding has started." in html
    assert "Start work" not in html and "Mark resolved" in html

    refused = client.post(
        url(finding_id, "/status"), data={"to": "resolved"}, follow_redirects=True
    )
    assert "Attach evidence of the fix first" in refused.get_data(as_text=True)
    assert get_finding(app, finding_id).status == "in_progress"

    assert attach(client, finding_id).status_code == 303
    response = client.post(
        url(finding_id, "/status"), data={"to": "resolved", "note": "Tokens rolled out."}
    )
    assert response.status_code == 303
    assert get_finding(app, finding_id).status == "resolved"
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "In progress → Resolved. Tokens rolled out." in html
    assert "the evidence is being verified" in html
    assert 'action="' + url(finding_id, "/status") + '"' not in html


def test_resolving_an_open_finding_without_evidence_is_refused(app, client, users, login_as):
    finding_id = make_finding(app, users)
    login_as("supplier")
    response = client.post(
        url(finding_id, "/status"), data={"to": "resolved"}, follow_redirects=True
    )
    assert "Attach evidence of the fix first" in response.get_data(as_text=True)
    assert get_finding(app, finding_id).status == "open"


@pytest.mark.parametrize("to", ["verified", "open", "accepted", "nonsense"])
def test_a_supplier_cannot_verify_its_own_finding(app, client, users, login_as, to):
    finding_id = make_finding(app, users)
    login_as("supplier")
    attach(client, finding_id)
    client.post(url(finding_id, "/status"), data={"to": "resolved"})
    assert get_finding(app, finding_id).status == "resolved"
    response = client.post(url(finding_id, "/status"), data={"to": to}, follow_redirects=True)
    assert "A supplier can start work on a finding or mark it resolved." in response.get_data(
        as_text=True
    )
    finding = get_finding(app, finding_id)
    assert (finding.status, finding.verified_at) == ("resolved", None)


# --- evidence -----------------------------------------------------------------------------------


def test_upload_evidence_and_download_it(app, client, users, login_as):
    finding_id = make_finding(app, users)
    login_as("supplier")
    response = attach(client, finding_id, note="Signed MFA policy")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#evidence")
    with app.app_context():
        attachment = db.session.scalar(select(FindingEvidence))
        assert (attachment.finding_id, attachment.note) == (finding_id, "Signed MFA policy")
        assert attachment.uploaded_by_role == "supplier"
        attachment_id = attachment.id
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "mfa-policy.pdf" in html and "Signed MFA policy" in html
    assert "Evidence attached: mfa-policy.pdf." in html
    download = client.get(url(finding_id, f"/evidence/{attachment_id}"))
    assert download.status_code == 200
    assert download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"


def test_garbage_or_no_file_is_refused_with_the_reason(app, client, users, login_as):
    finding_id = make_finding(app, users)
    login_as("supplier")
    response = attach(client, finding_id, data=GARBAGE, name="policy.pdf", note="my note")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="evidence-file-error">This kind of file is not accepted' in html
    assert 'value="my note"' in html  # the note is kept
    none = client.post(url(finding_id, "/evidence"), data={"note": "x"})
    assert none.status_code == 400
    assert "Choose a file to upload." in none.get_data(as_text=True)
    assert count(app, FindingEvidence) == 0
    assert count(app, StoredFile) == 0
    assert count(app, FindingComment) == 0


def test_another_findings_attachment_is_not_found(app, client, users, login_as):
    ids = _theirs(app, users)
    other_own = make_finding(app, users, title="Second own finding")
    login_as("supplier")
    attach(client, other_own)
    with app.app_context():
        own_attachment = db.session.scalar(
            select(FindingEvidence.id).where(FindingEvidence.finding_id == other_own)
        )
    mine = ids["mine"]
    assert client.get(url(other_own, f"/evidence/{own_attachment}")).status_code == 200
    assert client.get(url(mine, f"/evidence/{own_attachment}")).status_code == 404
    assert client.get(url(mine, f"/evidence/{ids['attachment']}")).status_code == 404


# --- the thread -----------------------------------------------------------------------------------


def test_comments_are_posted_and_empty_ones_refused(app, client, users, login_as):
    finding_id = make_finding(app, users)
    login_as("supplier")
    empty = client.post(url(finding_id, "/comments"), data={"body": "   "})
    assert empty.status_code == 400
    assert 'id="comment-body-error">This field is required.' in empty.get_data(as_text=True)
    assert count(app, FindingComment) == 0
    response = client.post(
        url(finding_id, "/comments"), data={"body": "Tokens are ordered.\nDelivery next week."}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#thread")
    with app.app_context():
        entry = db.session.scalar(select(FindingComment))
        assert (entry.kind, entry.author_role, entry.author_email) == (
            "comment", "supplier", users["supplier"].email,
        )  # fmt: skip
    html = client.get(url(finding_id)).get_data(as_text=True)
    assert "Tokens are ordered.\nDelivery next week." in html  # shown with its line break
    assert users["supplier"].email in html and "Your company" in html
