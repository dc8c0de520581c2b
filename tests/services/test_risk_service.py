"""Scoring suppliers from the database: inputs, snapshots, hooks, appetite."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import (
    Answer,
    AssessmentScore,
    AuditEvent,
    Certification,
    CurrentRisk,
    RiskCoverage,
    RiskSnapshot,
    Supplier,
)
from app.services import Actor, ServiceError, connections, review, risk, suppliers
from app.services.risk_inputs import gather, with_answers
from risk_models.types import Appetite
from tests import factories

ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")
ADMIN = Actor(user_id=None, email="admin@example.com", role="admin")
TODAY = dt.date.today()


def snapshots(supplier_id):
    return db.session.scalars(
        select(RiskSnapshot)
        .where(RiskSnapshot.supplier_id == supplier_id)
        .order_by(RiskSnapshot.id)
    ).all()


RISK_MINI = copy.deepcopy(factories.MINI_TEMPLATE)
RISK_MINI["key"] = "risk-mini"
RISK_MINI["sections"][0]["questions"][0]["evidence"] = "none"


def approved(supplier, **answers):
    """An approved assessment (Mini check without evidence) with these answers, all accepted."""
    version = factories.make_template_version(db.session, RISK_MINI)
    assessment = factories.make_assessment(db.session, supplier, version, status="submitted")
    for key, value in answers.items():
        comment = "We have no remote access." if value == "na" else ""
        db.session.add(
            Answer(assessment=assessment, question_key=key, value=value, comment=comment)
        )
    db.session.flush()
    review.approve(db.session, ANALYST, assessment)
    return assessment


def test_recompute_stores_one_current_snapshot_per_supplier_and_is_idempotent(app):
    with app.app_context():
        a = factories.make_supplier(db.session)
        b = factories.make_supplier(db.session, criticality="critical", single_source=True)
        factories.make_connection(
            db.session, b, kind="vpn_site_to_site", data_classes=["credentials"]
        )
        first = risk.recompute(db.session)
        assert (first.checked, first.changed) == (2, 2)
        second = risk.recompute(db.session)
        assert (second.checked, second.changed) == (2, 0)
        assert db.session.scalar(select(func.count()).select_from(RiskSnapshot)) == 2
        snap_b = risk.current(db.session, b.id)
        assert (snap_b.impact, snap_b.likelihood, snap_b.tier) == (5, 4, 1)
        assert snap_b.moved == ["First score."]
        assert snap_b.result["impact_factors"][0]["label"].startswith(
            "Most sensitive data crossing"
        )
        assert risk.current(db.session, a.id).tier == 4


def test_a_connection_change_rescoring_keeps_history_and_says_why(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        risk.recompute(db.session)
        connections.create_connection(
            db.session,
            ANALYST,
            {
                "supplier": s.id, "name": "Vendor access", "kind": "vendor_remote_access",
                "direction": "inbound", "internal_system": "mes", "authentication": "password",
                "encryption": "ssh", "integration_layer": "direct_core", "access_level": "admin",
                "data_classes": ["ot_commands"], "status": "active",
            },
        )  # fmt: skip
        rows = snapshots(s.id)
        assert len(rows) == 2
        assert [r.latest for r in rows] == [False, True]
        assert rows[1].trigger == "connection_changed"
        assert rows[1].tier < rows[0].tier
        assert any("Vendor remote access" in line for line in rows[1].moved)
        assert rows[0].inputs_hash != rows[1].inputs_hash


def test_approval_gives_control_credit_from_accepted_answers(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        factories.make_connection(db.session, s)
        risk.recompute(db.session)
        before = risk.current(db.session, s.id)
        assert before.effectiveness == 0
        approved(s, policy="yes", owner="Ana", mfa="partial")
        after = risk.current(db.session, s.id)
        assert after.trigger == "assessment_approved"
        assert after.effectiveness == pytest.approx(
            0.75
        )  # (1 + 0.5) / 2; the text answer is evidence
        assert after.residual_score < before.residual_score
        assert "Control effectiveness 0% → 75%." in after.moved
        controls = {c[0]: c[1] for c in after.result["controls"]}
        assert controls == {"GV.SC-01": 1.0, "SR-6": 0.5}
        coverage = db.session.scalars(
            select(RiskCoverage).where(RiskCoverage.supplier_id == s.id)
        ).all()
        assert {c.framework for c in coverage} == {c["framework"] for c in after.result["coverage"]}


def test_hidden_questions_and_na_follow_the_engine(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        approved(s, policy="no", mfa="na")
        (summary,) = with_answers(db.session, gather(db.session, [s.id]), [s.id])[s.id].answers
        # "owner" is hidden when policy is "no" (and is a text question anyway); the
        # accepted N/A is left out; "no" counts 0.
        assert (summary.earned, summary.possible, summary.excluded) == (0.0, 1.0, 1)
        assert [(g.key, g.reason) for g in summary.gaps] == [("policy", "scored 0%")]
        assert summary.controls == (("GV.SC-01", 0.0, 1.0),)
        stored = db.session.get(
            AssessmentScore, db.session.scalar(select(AssessmentScore.assessment_id))
        )
        assert stored.digest == summary.digest
        snap = risk.current(db.session, s.id)
        assert snap.effectiveness == 0.0  # accepted N/A left out; "no" counts 0


def test_only_the_latest_approved_round_counts(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        approved(s, policy="no", mfa="no")
        approved(s, policy="yes", owner="Ana", mfa="yes")
        gathered = gather(db.session, [s.id])
        assert len(gathered.assessments[s.id]) == 1
        assert risk.current(db.session, s.id).effectiveness == 1.0


def test_retired_and_archived_connections_do_not_count(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        factories.make_connection(db.session, s, status="retired", kind="vendor_remote_access")
        gone = factories.make_connection(db.session, s, kind="vpn_site_to_site")
        connections.archive_connection(db.session, ANALYST, gone)
        assert gather(db.session, [s.id]).inputs[s.id].connections == ()


def test_a_valid_iso28000_certificate_covers_the_clauses(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        db.session.add(
            Certification(
                supplier_id=s.id, standard="iso28000", certificate_number="ISO-1",
                certification_body="Cert body", valid_from=TODAY - dt.timedelta(days=10),
                valid_until=TODAY + dt.timedelta(days=300),
            )
        )  # fmt: skip
        db.session.flush()
        assert gather(db.session, [s.id]).inputs[s.id].iso28000_certified
        assert (
            not gather(db.session, [s.id], today=TODAY + dt.timedelta(days=400))
            .inputs[s.id]
            .iso28000_certified
        )


def test_supplier_changes_rescore(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        risk.recompute(db.session)
        suppliers.update_supplier(
            db.session,
            ANALYST,
            s,
            {"code": s.code, "legal_name": s.legal_name, "country": "DE", "category": "component",
             "criticality": "critical", "single_source": "yes", "status": "active"},
        )  # fmt: skip
        assert risk.current(db.session, s.id).impact == 4
        assert risk.current(db.session, s.id).trigger == "supplier_changed"


def test_batch_scores_once_at_the_end(app):
    with app.app_context():
        s = factories.make_supplier(db.session)
        with risk.batch(db.session):
            for _ in range(3):
                factories.make_connection(db.session, s)
                risk.refresh(db.session, "connection_changed", s.id)
            assert snapshots(s.id) == []
        assert len(snapshots(s.id)) == 1


def test_gathering_inputs_takes_the_same_queries_for_few_or_many_suppliers(app):
    with app.app_context():
        version = factories.make_template_version(db.session)

        def add(n):
            for _ in range(n):
                s = factories.make_supplier(db.session)
                factories.make_connection(db.session, s, data_classes=["orders", "pii"])
                a = factories.make_assessment(
                    db.session, s, version, status="approved", approved_at=factories.utcnow()
                )
                db.session.add(
                    Answer(assessment=a, question_key="policy", value="yes", verdict="accepted")
                )
            db.session.flush()

        def count():
            n = {"q": 0}

            def on(*_a, **_k):
                n["q"] += 1

            event.listen(db.engine, "before_cursor_execute", on)
            try:
                risk.recompute(db.session)
            finally:
                event.remove(db.engine, "before_cursor_execute", on)
            return n["q"]

        add(3)
        few = count()
        add(30)
        assert count() == few


def test_set_appetite_rebands_audits_and_refuses_bad_input(app):
    with app.app_context():
        s = factories.make_supplier(db.session, criticality="high")
        factories.make_connection(db.session, s, data_classes=["pricing"])  # impact 3, likelihood 3
        risk.recompute(db.session)
        assert risk.current(db.session, s.id).band == "medium"  # 9
        with pytest.raises(ServiceError, match="administrator"):
            risk.set_appetite(db.session, ANALYST, Appetite(2, 4, 8))
        with pytest.raises(ServiceError, match="rise"):
            risk.set_appetite(db.session, ADMIN, Appetite(9, 4, 15))
        result = risk.set_appetite(db.session, ADMIN, Appetite(2, 4, 8), "Acme Werke")
        assert (result.changed, result.rebanded) == (1, 1)
        snap = risk.current(db.session, s.id)
        assert (snap.band, snap.trigger) == ("critical", "appetite_changed")
        assert risk.settings(db.session).organisation_name == "Acme Werke"
        event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings_update"))
        assert event_.after["high_max"] == 8
        assert risk.set_appetite(db.session, ADMIN, Appetite(2, 4, 8)).changed == 0


def test_the_risk_page_names_the_questions_behind_each_control(app):
    from app.services import risk_views

    with app.app_context():
        s = factories.make_supplier(db.session)
        approved(s, policy="yes", owner="Ana", mfa="no")
        page = risk_views.page(db.session, s.id)
        rows = {r.control: r for r in page.controls}
        assert rows["GV.SC-01"].questions == ("policy",) and rows["GV.SC-01"].score == 100
        assert rows["SR-6"].questions == ("mfa",) and rows["SR-6"].score == 0


def test_concurrent_scorers_keep_one_current_snapshot_on_postgresql(app):
    """Several workers re-scoring the same supplier at once: the advisory lock serialises
    them, so the supplier never ends up with two current snapshots."""
    import threading

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite is the single-process default; concurrency is PostgreSQL's job")
        s = factories.make_supplier(db.session)
        db.session.commit()
        sid = s.id
    errors = []
    start = threading.Barrier(4)

    def scorer(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(5):
                    supplier = db.session.get(Supplier, sid)
                    supplier.criticality = ("low", "medium", "high", "critical")[(n + i) % 4]
                    db.session.flush()
                    risk.recompute(db.session, "supplier_changed", [sid])
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=scorer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        current = db.session.scalar(
            select(func.count())
            .select_from(RiskSnapshot)
            .where(RiskSnapshot.supplier_id == sid, RiskSnapshot.latest.is_(True))
        )
    assert current == 1


def test_a_new_snapshot_remembers_the_score_before_it(app):
    from app.models import Control

    with app.app_context():
        db.session.add(Control(framework="csf2", identifier="GV.SC-01", title="Program"))
        s = factories.make_supplier(db.session)
        risk.recompute(db.session)
        first = risk.current(db.session, s.id)
        assert first.previous_score is None
        factories.make_connection(db.session, s, kind="vendor_remote_access")
        risk.recompute(db.session)
        second = risk.current(db.session, s.id)
        assert second.previous_score == first.residual_score < second.residual_score
        db.session.refresh(first)
        assert (first.latest, first.superseded_at) == (False, second.computed_at)
        mirror = db.session.get(CurrentRisk, s.id)
        assert (mirror.snapshot_id, mirror.band, mirror.residual_score, mirror.previous_score) == (
            second.id,
            second.band,
            second.residual_score,
            first.residual_score,
        )
        rows = db.session.scalars(select(RiskCoverage).where(RiskCoverage.supplier_id == s.id))
        assert [r.framework for r in rows] == ["csf2"]  # replaced, not added
