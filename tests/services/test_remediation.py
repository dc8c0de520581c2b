"""Remediation: the supplier's plan and milestones, the thread, evidence, staff edits,
bulk reassignment, and the owners' reminders and lapse notices through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.definitions import BY_NAME
from app.models import Finding, FindingComment, FindingEvidence, FindingMilestone
from app.services import Actor, ServiceError, findings, remediation
from app.services import files as file_store
from tests import factories
from tests.services.test_findings import PDF, TODAY, UPLOADS, attach_pdf

D = dt.timedelta


def actor_for(user) -> Actor:
    return Actor.for_user(user)


@pytest.fixture
def world(app):
    """A supplier with its contact, another supplier's contact, an analyst owner, an
    executive, and one finding owned by the analyst."""
    with app.app_context():
        s = factories.make_supplier(db.session, legal_name="Công ty Thép Việt")
        other = factories.make_supplier(db.session)
        analyst = factories.make_user(db.session, "analyst", "ana@example.com")
        second = factories.make_user(db.session, "analyst", "bo@example.com")
        contact = factories.make_user(db.session, "supplier", "c@thep.example", s)
        stranger = factories.make_user(db.session, "supplier", "x@other.example", other)
        executive = factories.make_user(db.session, "executive", "ceo@example.com")
        f = findings.create(
            db.session,
            actor_for(analyst),
            {"supplier": s.id, "title": "No MFA on vendor remote access", "severity": "high"},
        )
        db.session.commit()
        return {
            "supplier": s.id,
            "finding": f.id,
            "analyst": analyst.id,
            "second": second.id,
            "contact": contact.id,
            "stranger": stranger.id,
            "executive": executive.id,
        }


def get(world, key):
    from app.models import User

    return db.session.get(User, world[key])


def finding_of(world) -> Finding:
    return db.session.get(Finding, world["finding"])


def plan(target: dt.date, milestones: str = "") -> dict:
    return {"plan": "Enforce MFA on the VPN", "plan_due_on": target.isoformat(),
            "milestones": milestones}  # fmt: skip


def test_supplier_proposes_a_plan_and_bad_plans_save_nothing(app, world):
    with app.app_context():
        f = finding_of(world)
        me = actor_for(get(world, "contact"))
        with pytest.raises(ServiceError) as bad:
            remediation.propose_plan(
                db.session,
                me,
                f,
                {"plan": "", "plan_due_on": (TODAY - D(1)).isoformat(),
                 "milestones": "soon: pick a product"},
            )  # fmt: skip
        assert set(bad.value.errors) == {"plan", "plan_due_on", "milestones"}
        assert "Must not be before" in bad.value.errors["plan_due_on"]
        with pytest.raises(ServiceError) as bad:
            remediation.propose_plan(
                db.session, me, f, plan(TODAY + D(30), f"{TODAY + D(40)} after the target")
            )
        assert "after the plan's target date" in bad.value.errors["milestones"]
        assert (f.plan_status, f.milestones) == ("none", [])
        with pytest.raises(ServiceError, match="another supplier"):
            remediation.propose_plan(
                db.session, actor_for(get(world, "stranger")), f, plan(TODAY + D(30))
            )
        with pytest.raises(ServiceError, match="supplier or an analyst"):
            remediation.propose_plan(
                db.session, actor_for(get(world, "executive")), f, plan(TODAY + D(30))
            )
        steps = f"{TODAY + D(20)} Roll out\n{TODAY + D(5)} Choose the product"
        remediation.propose_plan(db.session, me, f, plan(TODAY + D(30), steps))
        assert f.plan_status == "proposed"
        assert [m.title for m in f.milestones] == ["Choose the product", "Roll out"]
        remediation.propose_plan(
            db.session, me, f, {**plan(TODAY + D(30), steps), "plan": "1. Buy\r\n2. Roll out  "}
        )
        assert f.plan_text == "1. Buy\n2. Roll out"  # line breaks kept, ends trimmed
        assert f.comments[-1].body.startswith("Plan proposed: done by")


def test_a_new_proposal_keeps_done_milestones_and_an_accepted_plan_is_final(app, world):
    with app.app_context():
        f = finding_of(world)
        me = actor_for(get(world, "contact"))
        analyst = actor_for(get(world, "analyst"))
        remediation.propose_plan(
            db.session, me, f, plan(TODAY + D(30), f"{TODAY + D(5)} A\n{TODAY + D(9)} B")
        )
        remediation.complete_milestone(db.session, me, f, f.milestones[0].id, TODAY)
        with pytest.raises(ServiceError, match="done already"):
            remediation.complete_milestone(db.session, me, f, f.milestones[0].id, TODAY)
        with pytest.raises(ServiceError, match="No such milestone"):
            remediation.complete_milestone(db.session, me, f, 424242, TODAY)
        remediation.propose_plan(db.session, me, f, plan(TODAY + D(45), f"{TODAY + D(40)} C"))
        assert sorted((m.title, m.done_on) for m in f.milestones) == [("A", TODAY), ("C", None)]
        with pytest.raises(ServiceError, match="Say why"):
            remediation.review_plan(db.session, analyst, f, "reject", " ")
        with pytest.raises(ServiceError, match="Only analysts"):
            remediation.review_plan(db.session, me, f, "accept")
        remediation.review_plan(db.session, analyst, f, "accept", "Fine", TODAY)
        assert (f.plan_status, f.status, f.due_on) == ("accepted", "in_progress", TODAY + D(45))
        with pytest.raises(ServiceError, match="accepted already"):
            remediation.propose_plan(db.session, me, f, plan(TODAY + D(50)))
        with pytest.raises(ServiceError, match="no proposed plan"):
            remediation.review_plan(db.session, analyst, f, "accept")


def test_rejected_plan_can_be_proposed_again(app, world):
    with app.app_context():
        f = finding_of(world)
        me = actor_for(get(world, "contact"))
        remediation.propose_plan(db.session, me, f, plan(TODAY + D(300)))
        remediation.review_plan(
            db.session, actor_for(get(world, "analyst")), f, "reject", "Too late for a VPN"
        )
        assert (f.plan_status, f.status, f.plan_review_note) == (
            "rejected", "open", "Too late for a VPN"
        )  # fmt: skip
        assert "Plan rejected. Too late for a VPN" in [c.body for c in f.comments]
        remediation.propose_plan(db.session, me, f, plan(TODAY + D(60)))
        assert f.plan_status == "proposed"


def test_evidence_and_comments_refuse_bad_input_and_other_suppliers(app, world):
    with app.app_context():
        f = finding_of(world)
        me = actor_for(get(world, "contact"))
        with pytest.raises(ServiceError, match="not accepted"):
            remediation.add_evidence(
                db.session, me, f, file_store.Upload("x.exe", b"MZ\x90\x00\x03" + bytes(64)),
                "", root=UPLOADS,
            )  # fmt: skip
        with pytest.raises(ServiceError, match="Choose a file"):
            remediation.add_evidence(db.session, me, f, None, "", root=UPLOADS)
        with pytest.raises(ServiceError, match="another supplier"):
            attach_pdf(f, actor_for(get(world, "stranger")))
        attachment = remediation.add_evidence(
            db.session, me, f, file_store.Upload("mfa.pdf", PDF), "Policy", root=UPLOADS
        )
        assert (attachment.file.original_name, attachment.uploaded_by_role) == (
            "mfa.pdf",
            "supplier",
        )
        with pytest.raises(ServiceError) as bad:
            remediation.comment(db.session, me, f, "   ")
        assert "required" in bad.value.errors["body"]
        with pytest.raises(ServiceError, match="Executives read"):
            remediation.comment(db.session, actor_for(get(world, "executive")), f, "Hi")
        remediation.comment(db.session, me, f, "MFA is live since Monday.")
        kinds = [(c.kind, c.author_role) for c in f.comments]
        assert ("comment", "supplier") in kinds and ("event", "supplier") in kinds


def test_evidence_cannot_be_added_to_a_closed_finding(app, world):
    with app.app_context():
        f = finding_of(world)
        analyst = actor_for(get(world, "analyst"))
        attach_pdf(f, analyst)
        findings.move(db.session, analyst, f, "resolved")
        findings.move(db.session, analyst, f, "verified", "Checked the VPN config")
        with pytest.raises(ServiceError, match="verified and closed"):
            attach_pdf(f, analyst)
        assert db.session.scalar(select(func.count()).select_from(FindingEvidence)) == 1


def test_staff_edit_refuses_early_due_dates_and_wrong_people(app, world):
    with app.app_context():
        f = finding_of(world)
        analyst = actor_for(get(world, "analyst"))
        good = {"title": "No MFA", "severity": "critical", "due_on": (TODAY + D(10)).isoformat(),
                "owner": world["second"], "contact": world["contact"]}  # fmt: skip
        with pytest.raises(ServiceError) as bad:
            remediation.update(
                db.session,
                analyst,
                f,
                {**good, "due_on": (f.opened_on - D(1)).isoformat(), "owner": world["contact"],
                 "contact": world["stranger"], "severity": "apocalyptic"},
            )  # fmt: skip
        assert set(bad.value.errors) == {"due_on", "owner", "contact", "severity"}
        assert "before the finding was opened" in bad.value.errors["due_on"]
        with pytest.raises(ServiceError, match="Only analysts"):
            remediation.update(db.session, actor_for(get(world, "contact")), f, good)
        remediation.update(db.session, analyst, f, good)
        assert (f.severity, f.owner_id, f.contact_id) == (
            "critical", world["second"], world["contact"]
        )  # fmt: skip


def test_bulk_reassign(app, world):
    with app.app_context():
        analyst = actor_for(get(world, "analyst"))
        other = findings.create(
            db.session, analyst, {"supplier": world["supplier"], "title": "SBOM missing",
                                  "severity": "low"}
        )  # fmt: skip
        ids = [world["finding"], other.id]
        with pytest.raises(ServiceError, match="analyst or administrator"):
            remediation.reassign(db.session, analyst, ids, world["contact"])
        with pytest.raises(ServiceError, match="Tick"):
            remediation.reassign(db.session, analyst, [], world["second"])
        with pytest.raises(ServiceError, match="no longer exist"):
            remediation.reassign(db.session, analyst, [*ids, 424242], world["second"])
        with pytest.raises(ServiceError, match="Only analysts"):
            remediation.reassign(
                db.session, actor_for(get(world, "executive")), ids, world["second"]
            )
        assert remediation.reassign(db.session, analyst, ids, world["second"]) == 2
        assert remediation.reassign(db.session, analyst, ids, world["second"]) == 0
        owners = set(db.session.scalars(select(Finding.owner_id)))
        assert owners == {world["second"]}


def _mail_to(app, smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    return handler


def _messages(handler):
    return [
        (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default))
        for envelope in handler.messages
    ]


def test_owners_are_reminded_once_a_week_through_a_real_smtp_server(app, world, smtp_server):
    handler = _mail_to(app, smtp_server)
    with app.app_context():
        f = finding_of(world)
        f.due_on = TODAY + D(3)
        far = findings.create(
            db.session, actor_for(get(world, "analyst")),
            {"supplier": world["supplier"], "title": "Far away", "severity": "low"},
        )  # fmt: skip
        job = BY_NAME["remind-finding-owners"]
        assert job.run(db.session, Actor.system("job"), TODAY).startswith("1 finding")
        db.session.commit()
        assert job.run(db.session, Actor.system("job"), TODAY).startswith("0 finding")
        assert (f.reminded_on, far.reminded_on) == (TODAY, None)
        assert remediation.remind_owners(db.session, Actor.system(), TODAY + D(7)) == 1
    (to, message), _second = _messages(handler)
    assert to == ["ana@example.com"]
    body = message.get_content()
    assert "No MFA on vendor remote access" in body and "Công ty Thép Việt" in body
    assert "Far away" not in body
    assert f"/findings/{world['finding']}" in body


def test_without_a_mail_server_no_reminder_is_marked(app, world):
    app.config["MAIL_SERVER"] = ""
    with app.app_context():
        f = finding_of(world)
        f.due_on = TODAY
        assert remediation.remind_owners(db.session, Actor.system(), TODAY) == 0
        assert f.reminded_on is None


def test_a_lapsed_acceptance_reopens_the_finding_and_tells_its_owner(app, world, smtp_server):
    handler = _mail_to(app, smtp_server)
    with app.app_context():
        f = finding_of(world)
        findings.accept(
            db.session, actor_for(get(world, "executive")), f, "Replacing the VPN in Q2",
            (TODAY + D(5)).isoformat(),
        )  # fmt: skip
        db.session.commit()
        later = TODAY + D(6)
        assert BY_NAME["expire-acceptances"].run(db.session, Actor.system(), later).startswith("1")
        assert (f.status, f.reopened_on) == ("open", later)
        assert any("lapsed" in c.body for c in f.comments if c.kind == "event")
        assert BY_NAME["expire-acceptances"].run(db.session, Actor.system(), later).startswith("0")
    ((to, message),) = _messages(handler)
    assert to == ["ana@example.com"]
    assert "Risk acceptance lapsed" in message["Subject"]


def test_jobs_cli_lists_and_runs_the_reminder(app, runner, world):
    app.config["MAIL_SERVER"] = ""
    listed = runner.invoke(args=["jobs", "list"])
    assert "remind-finding-owners" in listed.output
    result = runner.invoke(args=["jobs", "run-once", "remind-finding-owners"])
    assert result.exit_code == 0, result.output
    assert "0 finding(s) in reminders sent" in result.output
    bad = runner.invoke(args=["jobs", "run-once", "nope"])
    assert bad.exit_code != 0 and "Unknown job" in bad.output


def test_thread_and_milestones_go_with_the_finding(app, world):
    with app.app_context():
        f = finding_of(world)
        me = actor_for(get(world, "contact"))
        remediation.propose_plan(db.session, me, f, plan(TODAY + D(30), f"{TODAY + D(5)} A"))
        db.session.delete(f)
        db.session.flush()
        for model in (FindingMilestone, FindingComment):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
