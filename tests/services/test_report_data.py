"""Gathering the reports' contexts from the database: figures that match the data, the
changes since the previous run's facts, one supplier's report, and unknown suppliers."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pypdf
import pytest
from sqlalchemy import event, insert, select

from app.extensions import db
from app.models import CurrentRisk, FindingMilestone, Supplier, supplier_links
from app.models.base import utcnow
from app.services import Actor, ServiceError, findings, report_data, report_facts, risk
from app.services.validation import country_name
from reports.supplier import build_supplier
from tests import factories
from tests.services.test_risk_service import approved

TODAY = dt.date.today()
LATER = TODAY + dt.timedelta(days=40)
ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")
EXECUTIVE = Actor(user_id=None, email="exec@example.com", role="executive")


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _world() -> dict:
    """Three live suppliers (one risky), an archived one, findings, an acceptance and
    assessments; returns the records by name."""
    s = db.session
    risky = factories.make_supplier(
        s,
        code="VN-1",
        legal_name="Công ty TNHH Thép Việt",
        country="VN",
        criticality="critical",
        single_source=True,
    )
    link = factories.make_connection(
        s,
        risky,
        name="Mill remote support",
        kind="vendor_remote_access",
        authentication="password",
        integration_layer="direct_core",
        access_level="write",
        data_classes=["credentials"],
    )
    calm = factories.make_supplier(s, code="CN-1", legal_name="深圳精密电子有限公司", country="CN")
    factories.make_connection(s, calm, kind="email", data_classes=["public"])
    quiet = factories.make_supplier(s, code="FR-1", legal_name="Quiet Parts SA", country="FR")
    gone = factories.make_supplier(s, code="XX-1", legal_name="Gone Corp", archived_at=utcnow())
    factories.make_connection(s, gone, kind="vpn_site_to_site", data_classes=["ot_commands"])
    risk.recompute(s)

    def finding(supplier, title, severity, opened):
        return findings.create(
            s,
            ANALYST,
            {"supplier": supplier.id, "title": title, "severity": severity},
            today=opened,
        )

    overdue = finding(risky, "MFA missing on remote support", "critical", days(-100))
    soon = finding(calm, "Patch SLA not met", "critical", days(-10))  # due in 20 days
    accepted = finding(quiet, "Old VPN concentrator", "low", TODAY)
    acceptance = findings.accept(s, EXECUTIVE, accepted, "Monitored", days(25), today=TODAY)
    s.add(FindingMilestone(finding_id=overdue.id, title="MFA on the gateway", due_on=days(5)))
    noon = dt.time(12)
    factories.make_assessment(
        s, risky, status="approved", approved_at=dt.datetime.combine(days(-5), noon)
    )
    factories.make_assessment(
        s, calm, status="approved", approved_at=dt.datetime.combine(days(-60), noon)
    )
    factories.make_assessment(s, quiet, status="sent", due_on=days(-3))
    s.commit()
    return {
        "risky": risky,
        "calm": calm,
        "quiet": quiet,
        "gone": gone,
        "link": link,
        "overdue": overdue,
        "soon": soon,
        "accepted": accepted,
        "acceptance": acceptance,
    }


def _portfolio(today=TODAY, previous=None):
    return report_data.portfolio_context(
        db.session,
        org_name="Hanseatic Motors AG",
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        today=today,
        previous_facts=previous,
    )


def test_portfolio_figures_match_the_data(app):
    with app.app_context():
        w = _world()
        ctx, facts = _portfolio()
        f = ctx.figures
        tiers = Counter(
            db.session.scalars(
                select(CurrentRisk.tier)
                .join(Supplier, Supplier.id == CurrentRisk.supplier_id)
                .where(Supplier.archived_at.is_(None))
            )
        )
        assert (f.suppliers, f.scored) == (3, 3)  # the archived supplier is left out
        assert {t: n for t, n in f.by_tier.items() if n} == dict(tiers)
        assert sum(f.by_band.values()) == 3
        assert (f.findings_open, f.findings_overdue) == (2, 1)
        assert f.findings_by_severity == {"critical": 2, "high": 0, "medium": 0, "low": 0}
        assert (f.acceptances_in_force, f.acceptances_expiring) == (1, 1)
        assert (f.assessments_approved, f.assessments_overdue) == (1, 1)
        assert sum(c.count for row in ctx.heatmap for c in row) == 3
        assert ctx.trend[-1].scored == 3
        assert [r.code for r in ctx.appendix][0] == "VN-1"  # highest residual score first
        assert {r.code: r.open_findings for r in ctx.appendix} == {"VN-1": 1, "CN-1": 1, "FR-1": 0}
        scores = [r.residual_score for r in ctx.appendix]
        assert scores == sorted(scores, reverse=True)
        assert ctx.appendix[0].country == country_name("VN")
        top = ctx.top_risks[0]
        assert (top.code, top.name) == ("VN-1", "Công ty TNHH Thép Việt")
        assert top.reasons[0].startswith("Most sensitive data crossing: Credentials")
        assert ctx.first_report and ctx.changes == ()
        assert facts["critical_connections"] == [w["link"].id]
        assert facts["overdue_findings"] == [w["overdue"].id]
        assert facts["lapsed_acceptances"] == []
        assert sorted(i for ids in facts["tiers"].values() for i in ids) == sorted(
            w[k].id for k in ("risky", "calm", "quiet")
        )
        assert json.loads(json.dumps(facts)) == facts


def test_changes_since_the_previous_facts_are_listed(app):
    with app.app_context():
        w = _world()
        _ctx, first = _portfolio()
        previous = json.loads(json.dumps(first))  # as a run stores it
        s = db.session
        factories.make_connection(
            s,
            w["quiet"],
            name="Line PLC VPN",
            kind="vpn_site_to_site",
            data_classes=["ot_commands"],
        )
        s.execute(
            insert(supplier_links).values(supplier_id=w["calm"].id, sub_supplier_id=w["risky"].id)
        )
        risk.recompute(s)
        s.commit()
        ctx, facts = _portfolio(LATER, previous)
        assert not ctx.first_report and ctx.previous_as_of == TODAY
        by_kind: dict[str, list[str]] = {}
        for change in ctx.changes:
            by_kind.setdefault(change.kind, []).append(change.text)
        assert by_kind["tier_change"] == ["Quiet Parts SA (FR-1): tier 4 → tier 1 (more critical)"]
        (critical,) = by_kind["new_critical_connection"]
        assert critical.startswith("Quiet Parts SA · Line PLC VPN (VPN site-to-site)")
        assert by_kind["new_fourth_party"] == [
            "深圳精密电子有限公司 (CN-1) now depends on Công ty TNHH Thép Việt (VN-1) (4th party)"
        ]
        (overdue,) = by_kind["newly_overdue_finding"]  # the long-overdue one is not new
        assert overdue.startswith("深圳精密电子有限公司: Patch SLA not met (critical, due ")
        (lapsed,) = by_kind["lapsed_acceptance"]  # expired; the expiry job has not run yet
        assert "Quiet Parts SA: acceptance of “Old VPN concentrator”" in lapsed
        assert list(by_kind) == [
            "tier_change",
            "new_critical_connection",
            "new_fourth_party",
            "newly_overdue_finding",
            "lapsed_acceptance",
        ]
        again, _facts = _portfolio(LATER, json.loads(json.dumps(facts)))
        assert again.changes == ()  # nothing changed since that run


def test_an_acceptance_the_expiry_job_reopened_counts_as_lapsed(app):
    with app.app_context():
        w = _world()
        assert report_facts.lapsed_acceptance_ids(db.session, TODAY) == []
        assert findings.expire_acceptances(db.session, Actor.system(), LATER) == 1
        assert report_facts.lapsed_acceptance_ids(db.session, LATER + dt.timedelta(days=90)) == [
            w["acceptance"].id
        ]


def test_the_portfolio_gathers_in_a_fixed_number_of_queries(app):
    with app.app_context():
        _world()
        engine = db.engine
        seen = {"n": 0}

        def count(*_args, **_kwargs):
            seen["n"] += 1

        event.listen(engine, "before_cursor_execute", count)
        try:
            _portfolio()
            small = seen["n"]
            for i in range(12):
                sup = factories.make_supplier(db.session, code=f"MORE-{i}")
                factories.make_connection(db.session, sup, kind="sftp")
            risk.recompute(db.session)
            db.session.commit()
            seen["n"] = 0
            ctx, _facts = _portfolio()
            assert len(ctx.appendix) == 15
            assert seen["n"] == small
        finally:
            event.remove(engine, "before_cursor_execute", count)


def test_supplier_context_holds_profile_score_answers_and_findings(app):
    with app.app_context():
        w = _world()
        approved(w["risky"], policy="yes", owner="Ana", mfa="no")
        db.session.commit()
        ctx = report_data.supplier_context(
            db.session, w["risky"].id, org_name="Hanseatic Motors AG", today=TODAY
        )
        p = ctx.profile
        assert (p.code, p.name, p.criticality, p.single_source) == (
            "VN-1",
            "Công ty TNHH Thép Việt",
            "Critical",
            True,
        )
        assert p.country == country_name("VN")
        (conn,) = ctx.connections
        assert (conn.name, conn.kind, conn.critical) == (
            "Mill remote support",
            "Vendor remote access",
            True,
        )
        assert ctx.score.tier == risk.current(db.session, w["risky"].id).tier
        assert [s.title.split(" ")[0] for s in ctx.score.steps] == [
            "1.",
            "2.",
            "3.",
            "4.",
            "5.",
            "6.",
        ]
        marked = [(c.likelihood, c.impact) for row in ctx.score.grid for c in row if c.count]
        assert marked == [ctx.score.cell]
        assert len(ctx.assessments) == 2  # the newest approved round of each questionnaire
        (assessment,) = [a for a in ctx.assessments if a.sections]  # the other has no answers
        assert [s.title for s in assessment.sections] == ["Governance", "Operations"]
        policy = assessment.sections[0].answers[0]
        assert (policy.answer, policy.verdict) == ("Yes", "Accepted")
        titles = {f.title: f for f in ctx.findings}
        late = titles["MFA missing on remote support"]
        assert late.overdue and late.severity == "critical" and late.status == "Open"
        assert [m.title for m in late.milestones] == ["MFA on the gateway"]
        assert any(t.startswith("SR-6") for t in titles)  # opened by the approval
        pdf = build_supplier(ctx)
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert "Công ty TNHH Thép Việt" in text and "MFA on the gateway" in text
        accepted = report_data.supplier_context(
            db.session, w["quiet"].id, org_name="X", today=TODAY
        ).findings[0]
        assert (accepted.status, accepted.accepted_until) == ("Risk accepted", days(25))


@pytest.mark.parametrize("key", [999_999, "abc", None, 0])
def test_an_unknown_supplier_is_refused(app, key):
    with app.app_context():
        with pytest.raises(ServiceError, match="Unknown supplier"):
            report_data.supplier_context(db.session, key, org_name="X", today=TODAY)


def test_render_builds_both_kinds_from_the_database(app):
    with app.app_context():
        w = _world()
        portfolio = report_data.render(db.session, "portfolio", org_name="Org", today=TODAY)
        assert portfolio.pages >= 5 and portfolio.facts["version"] == 1
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(portfolio.pdf)).pages)
        assert "Công ty TNHH Thép Việt" in text and "深圳精密电子有限公司" in text
        supplier = report_data.render(
            db.session, "supplier", org_name="Org", today=TODAY, supplier_id=w["calm"].id
        )
        assert supplier.pages >= 3 and supplier.facts is None
        with pytest.raises(ServiceError):
            report_data.render(db.session, "supplier", org_name="Org", today=TODAY)
        with pytest.raises(ServiceError):
            report_data.render(db.session, "weekly", org_name="Org", today=TODAY)


def test_an_empty_database_gives_an_empty_portfolio(app):
    with app.app_context():
        ctx, facts = _portfolio()
        assert (ctx.figures.suppliers, ctx.figures.scored, ctx.appendix) == (0, 0, ())
        assert facts["tiers"] == {} and ctx.first_report
        assert b"%PDF" in report_data.render(db.session, "portfolio", org_name="O", today=TODAY).pdf
