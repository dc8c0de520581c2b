"""Dashboard aggregates over the current risk snapshots of live suppliers."""

import datetime as dt
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import delete, event, insert, select, update

from app.extensions import db
from app.models import CurrentRisk, RiskCoverage, RiskSnapshot, Supplier, supplier_links
from app.models.base import utcnow
from app.services import dashboard
from app.services.risk import recompute
from tests.factories import make_assessment, make_connection, make_supplier

TODAY = dt.date(2026, 3, 15)
NOW = dt.datetime(2026, 3, 15, 9, 0)


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _world(session):
    """Three live suppliers and an archived one, scored at NOW; returns them by name."""
    risky = make_supplier(
        session, legal_name="Risky Remote Ltd", criticality="critical", single_source=True
    )
    make_connection(
        session,
        risky,
        kind="vendor_remote_access",
        authentication="password",
        integration_layer="direct_core",
        access_level="write",
        data_classes=["credentials"],
    )
    calm = make_supplier(session, legal_name="Calm Mail GmbH", criticality="low", country="FR")
    make_connection(session, calm, kind="email", data_classes=["public"])
    quiet = make_supplier(session, legal_name="Quiet Parts SA", category="raw_material")
    gone = make_supplier(session, legal_name="Gone Corp", criticality="critical", archived_at=NOW)
    make_connection(session, gone, kind="vpn_site_to_site", data_classes=["ot_commands"])
    recompute(session, today=TODAY, now=NOW)
    return {"risky": risky, "calm": calm, "quiet": quiet, "gone": gone}


def _latest(session):
    return session.execute(
        select(
            RiskSnapshot.supplier_id,
            RiskSnapshot.cell_likelihood,
            RiskSnapshot.cell_impact,
            RiskSnapshot.band,
            RiskSnapshot.tier,
            RiskSnapshot.residual_score,
        )
        .join(Supplier, Supplier.id == RiskSnapshot.supplier_id)
        .where(RiskSnapshot.latest.is_(True), Supplier.archived_at.is_(None))
    ).all()


def _older_snapshot(session, supplier_id, computed_at, score, band="low"):
    """A non-latest snapshot copied from the current one, with another score and time."""
    cur = session.scalar(
        select(RiskSnapshot).where(
            RiskSnapshot.supplier_id == supplier_id, RiskSnapshot.latest.is_(True)
        )
    )
    session.execute(
        insert(RiskSnapshot),
        [
            {
                "supplier_id": supplier_id,
                "computed_at": computed_at,
                "superseded_at": cur.computed_at,
                "trigger": "recompute",
                "model_version": cur.model_version,
                "inputs_hash": "older",
                "latest": False,
                "impact": cur.impact,
                "likelihood": cur.likelihood,
                "tier": cur.tier,
                "effectiveness": cur.effectiveness,
                "residual_likelihood": 1.0,
                "residual_score": score,
                "cell_likelihood": 1,
                "cell_impact": 1,
                "band": band,
                "critical_connections": 0,
                "result": {},
                "moved": [],
            }
        ],
    )
    session.flush()


def test_empty_database(app):
    with app.app_context():
        a = dashboard.analyst(db.session, TODAY)
        e = dashboard.executive(db.session, TODAY)
    assert a.scores.scored == 0 and a.unscored == 0
    assert all(c.count == 0 for row in a.scores.heat for c in row)
    assert a.attention == [] and a.reviews == [] and a.due == []
    assert e.scores.mean_effectiveness is None and e.severe_share == 0
    assert len(e.trend) == 12 and all(p.mean_score is None for p in e.trend)
    assert e.trend[-1].label == "2026-03" and e.trend[0].label == "2025-04"
    assert e.by_category == [] and e.coverage == [] and e.concentration == []


def test_heatmap_bands_and_tiers_match_the_snapshots(app):
    with app.app_context():
        _world(db.session)
        rows = _latest(db.session)
        a = dashboard.analyst(db.session, TODAY)
    assert len(rows) == 3  # the archived supplier is left out
    assert a.scores.scored == 3 and a.inventory.suppliers == 3 and a.unscored == 0
    cells = Counter((r.cell_likelihood, r.cell_impact) for r in rows)
    for row in a.scores.heat:
        for cell in row:
            assert cell.count == cells.get((cell.likelihood, cell.impact), 0)
    assert {k: v for k, v in a.scores.by_band.items() if v} == dict(Counter(r.band for r in rows))
    assert {k: v for k, v in a.scores.by_tier.items() if v} == dict(Counter(r.tier for r in rows))


def test_needs_attention_reasons(app):
    with app.app_context():
        w = _world(db.session)
        risky, calm, quiet = w["risky"], w["calm"], w["quiet"]
        current = {r.supplier_id: r.residual_score for r in _latest(db.session)}
        # risky was better before: worsening. quiet was worse before: not worsening.
        for sid, before in ((risky.id, 1.0), (quiet.id, 25.0)):
            db.session.execute(
                update(CurrentRisk)
                .where(CurrentRisk.supplier_id == sid)
                .values(previous_score=before)
            )
        make_assessment(db.session, calm, due_on=day(-5), status="sent")
        make_assessment(db.session, calm, due_on=day(-2), status="in_progress")
        make_assessment(db.session, quiet, due_on=day(-5), status="submitted")  # not overdue
        make_assessment(db.session, quiet, due_on=day(-5), status="cancelled")
        make_connection(db.session, calm, credential_expires_on=day(10))
        make_connection(db.session, calm, credential_expires_on=day(-3))
        make_connection(db.session, quiet, credential_expires_on=day(31))  # not yet
        make_connection(db.session, quiet, credential_expires_on=day(1), status="retired")
        make_assessment(db.session, w["gone"], due_on=day(-5))  # archived: ignored
        items, total = dashboard.attention(db.session, TODAY)
    assert total == 2
    by_id = {i.supplier_id: i for i in items}
    assert set(by_id) == {risky.id, calm.id}
    assert items[0].supplier_id == calm.id  # two reasons before one
    assert by_id[calm.id].reasons == [
        "2 overdue assessments (the first was due 2026-03-10)",
        "2 connection credentials expired or expiring (the first on 2026-03-12)",
    ]
    assert by_id[risky.id].reasons == [f"Residual score rose from 1.0 to {current[risky.id]:.1f}"]
    assert by_id[risky.id].name == "Risky Remote Ltd" and by_id[risky.id].band


def test_attention_list_is_capped(app):
    with app.app_context():
        for _ in range(dashboard.LIST_LIMIT + 3):
            s = make_supplier(db.session)
            make_assessment(db.session, s, due_on=day(-1))
        items, total = dashboard.attention(db.session, TODAY)
    assert total == dashboard.LIST_LIMIT + 3
    assert len(items) == dashboard.LIST_LIMIT
    assert all(i.reasons == ["Overdue assessment (due 2026-03-14)"] for i in items)


def test_worklist_reviews_oldest_first_and_due_reassessments(app):
    with app.app_context():
        w = _world(db.session)
        newer = make_assessment(
            db.session, w["quiet"], status="submitted", submitted_at=NOW - dt.timedelta(days=1)
        )
        older = make_assessment(
            db.session, w["calm"], status="under_review", submitted_at=NOW - dt.timedelta(days=9)
        )
        make_assessment(db.session, w["calm"], status="approved")
        make_assessment(db.session, w["gone"], status="submitted", submitted_at=NOW)
        db.session.get(Supplier, w["quiet"].id).next_reassessment_on = day(10)
        db.session.get(Supplier, w["calm"].id).next_reassessment_on = day(-4)
        make_supplier(db.session, next_reassessment_on=day(31))  # not due yet
        db.session.flush()
        reviews, reviews_total = dashboard.reviews(db.session)
        due, due_total = dashboard.due_reassessments(db.session, TODAY)
        tier = {r.supplier_id: r.tier for r in _latest(db.session)}
    assert [r.assessment_id for r in reviews] == [older.id, newer.id] and reviews_total == 2
    expected = [
        (w["calm"].id, "Reassessment overdue since 2026-03-11"),
        (w["quiet"].id, "Reassessment due 2026-03-25"),
    ]
    assert tier[w["risky"].id] <= 2  # tier 1-2 and never assessed
    expected.append((w["risky"].id, f"Tier {tier[w['risky'].id]} ("))
    got = [(d.supplier_id, d.reason[: len(r)]) for d, (_, r) in zip(due, expected, strict=True)]
    assert got == expected
    assert due[-1].reason.endswith("), never assessed")
    assert due_total == len(expected)


def test_executive_kpis_trend_breakdowns(app):
    with app.app_context():
        w = _world(db.session)
        rows = _latest(db.session)
        _older_snapshot(db.session, w["risky"].id, dt.datetime(2026, 1, 10), 2.0)
        make_assessment(
            db.session, w["calm"], status="approved", approved_at=NOW - dt.timedelta(days=10)
        )
        make_assessment(
            db.session, w["calm"], status="approved", approved_at=NOW - dt.timedelta(days=200)
        )
        make_assessment(db.session, w["quiet"], due_on=day(-1))
        e = dashboard.executive(db.session, TODAY)
    assert e.scores.scored == 3 and e.approved_recent == 1 and e.overdue_now == 1
    severe = sum(1 for r in rows if r.band in ("high", "critical"))
    assert e.scores.severe == severe
    assert e.severe_share == round(100 * severe / 3)
    points = {p.label: p for p in e.trend}
    assert points["2025-12"].mean_score is None and points["2025-12"].scored == 0
    assert points["2026-01"].scored == 1 and points["2026-01"].mean_score == 2.0
    assert points["2026-02"].scored == 1 and points["2026-02"].severe == 0
    now = points["2026-03"]
    assert now.scored == 3 and now.severe == severe
    assert abs(now.mean_score - sum(r.residual_score for r in rows) / 3) < 1e-9
    cats = {r.key: r.total for r in e.by_category}
    assert cats == {"component": 2, "raw_material": 1}
    assert {r.label for r in e.by_category} == {"Component", "Raw material"}
    assert {r.key: r.total for r in e.by_country} == {"DE": 2, "FR": 1}
    assert {r.key: r.total for r in e.by_kind} == {"vendor_remote_access": 1, "email": 1}
    assert {r.label for r in e.by_system} == {"ERP"}


def test_coverage_and_concentration(app):
    with app.app_context():
        w = _world(db.session)
        party = make_supplier(db.session, legal_name="Shared Chip Fab")
        for customer in (w["risky"], w["calm"], w["gone"]):
            db.session.execute(
                insert(supplier_links).values(supplier_id=customer.id, sub_supplier_id=party.id)
            )
        lonely = make_supplier(db.session, legal_name="Lonely Sub")
        db.session.execute(
            insert(supplier_links).values(supplier_id=w["quiet"].id, sub_supplier_id=lonely.id)
        )
        db.session.execute(
            update(CurrentRisk)
            .where(CurrentRisk.supplier_id == w["quiet"].id)
            .values(critical_connections=4)
        )
        cov = [
            {"framework": "csf2", "total": 10, "assessed": 5, "met": 2, "score": 0.5},
            {"framework": "iso28000", "total": 4, "assessed": 0, "met": 0, "score": None},
        ]
        cov2 = [{"framework": "csf2", "total": 10, "assessed": 10, "met": 6, "score": 0.7}]
        for sid, c in ((w["risky"].id, cov), (w["calm"].id, cov2)):
            db.session.execute(delete(RiskCoverage).where(RiskCoverage.supplier_id == sid))
            db.session.execute(insert(RiskCoverage), [{"supplier_id": sid, **x} for x in c])
        db.session.flush()
        found = dashboard.concentrations(db.session)
        coverage = dashboard.coverage(db.session)
    kinds = {(c.kind, c.party, c.count) for c in found}
    assert (
        "shared_fourth_party",
        "Shared Chip Fab",
        2,
    ) in kinds  # the archived customer is left out
    assert ("critical_links", "Quiet Parts SA", 4) in kinds
    assert not any(c.party == "Lonely Sub" for c in found)
    by_fw = {c.framework: c for c in coverage}
    csf = by_fw["csf2"]
    assert csf.suppliers == 2 and csf.assessed_percent == 75 and csf.met_percent == 40
    assert abs(csf.mean_score - 0.6) < 1e-9
    iso = by_fw["iso28000"]
    assert iso.suppliers == 1 and iso.assessed_percent == 0 and iso.mean_score is None


@contextmanager
def counting():
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _grow(session, n):
    for i in range(n):
        s = make_supplier(session, next_reassessment_on=day(i % 40))
        make_connection(session, s, credential_expires_on=day(i % 50 - 10))
        make_assessment(session, s, due_on=day(i % 7 - 3))
    recompute(session, today=TODAY, now=utcnow())
    session.commit()


def test_query_count_is_fixed(app):
    counts = []
    with app.app_context():
        for n in (5, 40):
            _grow(db.session, n)
            db.session.expire_all()
            with counting() as c:
                dashboard.analyst(db.session, TODAY)
            with counting() as c2:
                dashboard.executive(db.session, TODAY)
            counts.append((c["n"], c2["n"]))
    assert counts[0] == counts[1]


def test_reasons_read_as_phrases():
    t, soon = TODAY, TODAY + dt.timedelta(days=dashboard.DUE_WITHIN_DAYS)
    later, earlier = t + dt.timedelta(days=6), t - dt.timedelta(days=4)
    text = dashboard._reason_text
    assert text("credentials", later, 1, None, t) == "Connection credential expiring on 2026-03-21"
    assert text("credentials", earlier, 1, None, t) == "Connection credential expired on 2026-03-11"
    assert text("credentials", later, 3, None, t) == (
        "3 connection credentials expiring (the first on 2026-03-21)"
    )
    assert text("overdue", earlier, 1, None, t) == "Overdue assessment (due 2026-03-11)"
    due = dashboard._due_reason
    assert due(1, None, True, t, soon) == "Tier 1 (critical), never assessed"
    assert due(2, later, True, t, soon) == "Tier 2 (high), never assessed; planned for 2026-03-21"
    assert due(2, earlier, True, t, soon) == (
        "Tier 2 (high), never assessed; was planned for 2026-03-11"
    )
    assert due(3, later, False, t, soon) == "Reassessment due 2026-03-21"
    assert due(None, earlier, False, t, soon) == "Reassessment overdue since 2026-03-11"
