"""flask seed-demo: the logins table, the summary (findings too), idempotency, --if-empty,
--suppliers, bad input."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Answer,
    Assessment,
    AuditEvent,
    Connection,
    Evidence,
    Finding,
    FindingComment,
    RiskSnapshot,
    Supplier,
    User,
)
from app.services.demo_data import APPROVED_HISTORY, FINDINGS


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_creates_the_network_and_prints_logins(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Created 40 suppliers" in out
    assert "Demo logins (password: chainlight-demo):" in out
    for line in (
        "admin      admin@demo.chainlight",
        "analyst    analyst@demo.chainlight",
        "analyst    analyst2@demo.chainlight",
        "executive  exec@demo.chainlight",
    ):
        assert line in out
    thep = next(line for line in out.splitlines() if "contact@thepviet.vn" in line)
    assert thep.split()[0] == "supplier" and thep.endswith("Công ty TNHH Thép Việt")
    invited = next(line for line in out.splitlines() if "rhein-main-logistik.de" in line)
    assert invited.endswith("Rhein-Main Logistik GmbH")
    summary = re.search(
        r"Questionnaires: (\d+) controls synced; 3 questionnaire templates loaded; "
        r"7 certificates added; (\d+) assessments with (\d+) answers and (\d+) evidence files\.",
        out,
    )
    assert summary, out
    assert int(summary[3]) == _count(app, Answer) and int(summary[4]) == _count(app, Evidence)
    # The scenarios in every status, and the approved past rounds of other suppliers.
    assert int(summary[2]) == _count(app, Assessment) == 10 + len(APPROVED_HISTORY)
    assert f"Findings: {len(FINDINGS)} findings worked through remediation" in out
    assert _count(app, Supplier) == 40
    assert _count(app, User) == 8
    assert _count(app, RiskSnapshot) > 40  # scored, with a backdated history
    with app.app_context():
        per_supplier = db.session.execute(
            select(RiskSnapshot.supplier_id, func.count())
            .group_by(RiskSnapshot.supplier_id)
            .having(func.count() >= 2)
        ).all()
        assert per_supplier
        moved = db.session.scalars(
            select(RiskSnapshot.moved).where(
                RiskSnapshot.latest.is_(True),
                RiskSnapshot.supplier_id.in_([sid for sid, _ in per_supplier]),
            )
        ).all()
        assert any(m for m in moved)


def test_seed_demo_twice_changes_nothing(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    models = (Supplier, Connection, User, AuditEvent, Assessment, Answer, Evidence, RiskSnapshot)
    models += (Finding, FindingComment)
    counts = [_count(app, m) for m in models]
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output and "Questionnaires:" not in again.output
    assert "Findings:" not in again.output
    assert "exec@demo.chainlight" in again.output
    assert [_count(app, m) for m in models] == counts


def test_if_empty_skips_when_any_user_exists(app, runner, users):
    suppliers = _count(app, Supplier)
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "demo data not loaded" in result.output
    assert _count(app, Supplier) == suppliers
    assert _count(app, User) == 5


def test_if_empty_seeds_an_empty_database_and_then_only_prints_logins(app, runner):
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0 and "Created 40 suppliers" in first.output
    events = _count(app, AuditEvent)
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert second.exit_code == 0
    assert "demo data not loaded" in second.output
    assert "admin@demo.chainlight" in second.output
    assert _count(app, AuditEvent) == events


def test_suppliers_200(app, runner):
    result = runner.invoke(args=["seed-demo", "--suppliers", "200"])
    assert result.exit_code == 0, result.output
    assert "Created 200 suppliers" in result.output
    assert "in bulk" in result.output  # 160 generated: above BULK_THRESHOLD
    assert f"{10 + len(APPROVED_HISTORY)} assessments" in result.output
    assert _count(app, Supplier) == 200
    connections = _count(app, Connection)
    assert 120 + 160 * 2 <= connections <= 120 + 160 * 4
    again = runner.invoke(args=["seed-demo", "--suppliers", "200"])
    assert "nothing changed" in again.output
    assert _count(app, Connection) == connections


def test_bulk_flag_writes_one_summary_event(app, runner):
    result = runner.invoke(args=["seed-demo", "--suppliers", "60", "--bulk"])
    assert result.exit_code == 0, result.output
    assert "in bulk, one audit event" in result.output
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("bulk_create") == 1
    assert _count(app, Supplier) == 60


def test_bad_supplier_counts_are_refused(app, runner):
    for bad in ("0", "-5", "many", "999999999"):
        result = runner.invoke(args=["seed-demo", "--suppliers", bad])
        assert result.exit_code == 2, (bad, result.output)
        assert "--suppliers" in result.output
    assert _count(app, Supplier) == 0
    assert _count(app, User) == 0
