"""Findings: from approved assessments and by hand, the workflow, acceptance that expires,
and verified mitigations lowering residual risk."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Control, Finding, RiskAcceptance
from app.services import Actor, ServiceError, findings, risk
from tests import factories
from tests.services.test_risk_service import approved

TODAY = dt.date.today()
UPLOADS = Path(tempfile.mkdtemp(prefix="chainlight-findings-"))
ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")
ADMIN = Actor(user_id=None, email="admin@example.com", role="admin")
EXECUTIVE = Actor(user_id=None, email="exec@example.com", role="executive")


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach_pdf(finding, actor, name: str = "fix.pdf"):
    """Attach a small PDF as evidence of the fix."""
    from app.services import files as file_store
    from app.services import remediation

    return remediation.add_evidence(
        db.session, actor, finding, file_store.Upload(name, PDF), "", root=UPLOADS
    )


def contact(supplier_id: int) -> Actor:
    return Actor(user_id=None, email="c@example.com", role="supplier", supplier_id=supplier_id)


def critical_supplier():
    s = factories.make_supplier(db.session, criticality="critical", single_source=True)
    factories.make_connection(db.session, s, kind="vpn_site_to_site", data_classes=["credentials"])
    return s


def test_approval_opens_a_finding_per_control_below_the_threshold(app):
    with app.app_context():
        s = critical_supplier()
        assessment = approved(s, policy="yes", owner="Ana", mfa="no")
        rows = db.session.scalars(select(Finding).where(Finding.supplier_id == s.id)).all()
        assert [(f.control, f.source, f.status) for f in rows] == [("SR-6", "assessment", "open")]
        (finding,) = rows
        assert finding.severity == "high"  # light control (weight 1), tier 1, scored 0
        assert finding.due_on == TODAY + dt.timedelta(days=60)
        assert finding.title == "SR-6 scored 0% in Mini check v1, round 1"  # not in a catalog
        assert findings.from_assessment(db.session, ANALYST, assessment) == []  # idempotent


def test_a_finding_from_an_assessment_names_its_control_from_the_catalog(app):
    with app.app_context():
        db.session.add(
            Control(
                framework="sp800-53r5", identifier="SR-6", title="Supplier Assessments and Reviews"
            )
        )
        s = critical_supplier()
        approved(s, policy="yes", owner="Ana", mfa="no")
        title = db.session.scalar(select(Finding.title).where(Finding.supplier_id == s.id))
        assert title == "SR-6 Supplier Assessments and Reviews: scored 0% in Mini check v1, round 1"


def test_manual_findings_refuse_bad_input(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        other = factories.make_supplier(db.session)
        theirs = factories.make_connection(db.session, other)
        good = {"supplier": s.id, "title": "Shared admin password seen", "severity": "high"}
        with pytest.raises(ServiceError) as bad:
            findings.create(
                db.session,
                ANALYST,
                {"supplier": s.id, "title": "", "severity": "huge", "connection": theirs.id,
                 "due_on": (TODAY - dt.timedelta(days=1)).isoformat()},
            )  # fmt: skip
        assert set(bad.value.errors) == {"title", "severity", "connection", "due_on"}
        with pytest.raises(ServiceError, match="analysts"):
            findings.create(db.session, EXECUTIVE, good)
        finding = findings.create(db.session, ANALYST, good)
        assert (finding.source, finding.due_on) == ("manual", TODAY + dt.timedelta(days=60))
        assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


def test_workflow_roles_and_a_verified_mitigation_lowers_residual_risk(app):
    with app.app_context():
        s = critical_supplier()
        risk.recompute(db.session)
        before = risk.current(db.session, s.id).residual_score
        f = findings.create(
            db.session,
            ANALYST,
            {"supplier": s.id, "title": "VPN without MFA", "severity": "critical"},
        )
        with pytest.raises(ServiceError, match="cannot become verified"):
            findings.move(db.session, ANALYST, f, "verified")
        with pytest.raises(ServiceError, match="another supplier"):
            findings.move(db.session, contact(s.id + 1000), f, "resolved")
        findings.move(db.session, contact(s.id), f, "in_progress")
        with pytest.raises(ServiceError, match="Attach evidence"):
            findings.move(db.session, contact(s.id), f, "resolved")
        attach_pdf(f, contact(s.id))
        findings.move(db.session, contact(s.id), f, "resolved")
        with pytest.raises(ServiceError, match="start work"):
            findings.move(db.session, contact(s.id), f, "verified")
        with pytest.raises(ServiceError, match="Executives"):
            findings.move(db.session, EXECUTIVE, f, "verified", "scan report")
        with pytest.raises(ServiceError, match="what shows the fix"):
            findings.move(db.session, ANALYST, f, "verified")
        findings.move(db.session, ANALYST, f, "verified", "MFA enforced; scan report attached")
        after = risk.current(db.session, s.id)
        assert after.residual_score < before
        assert after.trigger == "mitigation_changed"
        assert any("Verified mitigation: VPN without MFA" in line for line in after.moved)
        with pytest.raises(ServiceError, match="why the finding is reopened"):
            findings.move(db.session, ANALYST, f, "open")
        findings.move(db.session, ANALYST, f, "open", "MFA bypass found in the pen test")
        assert (f.reopened_on, f.verified_at) == (TODAY, None)
        assert risk.current(db.session, s.id).residual_score == before  # the credit goes


def test_acceptance_needs_an_approver_a_reason_and_an_expiry_and_lapses(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        f = findings.create(
            db.session, ANALYST, {"supplier": s.id, "title": "Legacy FTP", "severity": "medium"}
        )
        soon = (TODAY + dt.timedelta(days=10)).isoformat()
        with pytest.raises(ServiceError, match="executive or an administrator"):
            findings.accept(db.session, ANALYST, f, "Business needs it", soon)
        with pytest.raises(ServiceError) as bad:
            findings.accept(db.session, EXECUTIVE, f, "  ", "")
        assert set(bad.value.errors) == {"reason", "expires_on"}
        with pytest.raises(ServiceError) as bad:
            findings.accept(db.session, EXECUTIVE, f, "ok", TODAY.isoformat())
        assert "after today" in bad.value.errors["expires_on"]
        findings.accept(
            db.session, EXECUTIVE, f, "Replaced in Q1; compensating IP allow-list", soon
        )
        assert f.status == "accepted"
        assert findings.expire_acceptances(db.session, Actor.system(), TODAY) == 0
        later = TODAY + dt.timedelta(days=11)
        assert findings.expire_acceptances(db.session, Actor.system(), later) == 1
        assert f.status == "open"
        assert db.session.scalar(select(RiskAcceptance.lapsed_on)) == later
        assert findings.expire_acceptances(db.session, Actor.system(), later) == 0  # idempotent
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"finding_create", "finding_accept", "finding_reopen"} <= actions


def test_mark_overdue_is_idempotent(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        f = findings.create(
            db.session, ANALYST, {"supplier": s.id, "title": "Patch late", "severity": "low"}
        )
        assert findings.mark_overdue(db.session, f.due_on) == 0
        day_after = f.due_on + dt.timedelta(days=1)
        assert findings.mark_overdue(db.session, day_after) == 1
        assert findings.mark_overdue(db.session, day_after + dt.timedelta(days=1)) == 0
        db.session.refresh(f)
        assert f.overdue_since == day_after


def test_jobs_cli_lists_runs_and_refuses_unknown_names(app, runner):
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0
    assert "expire-acceptances" in result.output and "mark-overdue-findings" in result.output
    result = runner.invoke(args=["jobs", "run-once", "nope"])
    assert result.exit_code != 0 and "Unknown job 'nope'" in result.output
    first = runner.invoke(args=["jobs", "run-once", "mark-overdue-findings"])
    assert first.exit_code == 0 and "0 finding(s) newly overdue" in first.output


def test_set_sla_validates_saves_audits_and_dates_new_findings_only(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        old = findings.create(
            db.session, ANALYST, {"supplier": s.id, "title": "Before", "severity": "high"}
        )
        assert old.due_on == TODAY + dt.timedelta(days=60)
        with pytest.raises(ServiceError, match="Only an administrator"):
            findings.set_sla(db.session, ANALYST, {"critical": 10})
        bad = {"critical": 0, "high": True, "medium": "ninety", "low": 731}
        with pytest.raises(ServiceError) as refused:
            findings.set_sla(db.session, ADMIN, bad)
        assert set(refused.value.errors) == {"critical", "high", "medium", "low"}
        with pytest.raises(ServiceError) as refused:
            findings.set_sla(
                db.session, ADMIN, {"critical": 30, "high": 20, "medium": 90, "low": 60}
            )
        assert set(refused.value.errors) == {"high", "low"}
        assert findings.sla_days(db.session) == {
            "critical": 30,
            "high": 60,
            "medium": 90,
            "low": 180,
        }
        saved = findings.set_sla(
            db.session, ADMIN, {"critical": "14", "high": 45, "medium": 45, "low": 730}
        )
        assert saved == findings.sla_days(db.session) == {
            "critical": 14, "high": 45, "medium": 45, "low": 730,
        }  # fmt: skip
        findings.set_sla(db.session, ADMIN, dict(saved))  # unchanged: no second event
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sla_change"))
        [event] = list(events)
        assert event.before["high"] == 60 and event.after["high"] == 45
        new = findings.create(
            db.session, ANALYST, {"supplier": s.id, "title": "After", "severity": "high"}
        )
        assert new.due_on == TODAY + dt.timedelta(days=45)
        assert old.due_on == TODAY + dt.timedelta(days=60)  # open findings keep their dates
