"""flask risk recompute / risk show: counts, idempotency, unknown suppliers, the explanation."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import RiskSnapshot, Supplier
from tests import factories


def _snapshots(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(RiskSnapshot))


def _network(app) -> tuple[int, int]:
    with app.app_context():
        a = factories.make_supplier(db.session, code="ACME-1", legal_name="Acme Teile GmbH")
        b = factories.make_supplier(db.session, code="BETA-2", legal_name="Beta Freight Ltd")
        factories.make_connection(db.session, a, data_classes=["pricing"])
        factories.make_connection(db.session, b, kind="vendor_remote_access")
        db.session.commit()
        return a.id, b.id


def test_recompute_scores_everyone_then_nothing_changes(app, runner):
    _network(app)
    first = runner.invoke(args=["risk", "recompute"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Scored 2 suppliers; 2 changed."
    assert _snapshots(app) == 2
    again = runner.invoke(args=["risk", "recompute"])
    assert again.exit_code == 0
    assert again.output.strip() == "Scored 2 suppliers; 0 changed."
    assert _snapshots(app) == 2


def test_recompute_named_suppliers_by_id_or_code(app, runner):
    a, b = _network(app)
    result = runner.invoke(args=["risk", "recompute", "--supplier", str(a)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Scored 1 supplier; 1 changed."
    result = runner.invoke(args=["risk", "recompute", "--supplier", "beta-2", "--supplier", str(a)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Scored 2 suppliers; 1 changed."


def test_unknown_supplier_fails_with_one_clear_line(app, runner):
    _network(app)
    result = runner.invoke(args=["risk", "recompute", "--supplier", "424242"])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ["Error: Unknown supplier: '424242' (give an id or a code)."]
    assert _snapshots(app) == 0


def test_archived_supplier_is_refused(app, runner):
    a, _ = _network(app)
    with app.app_context():
        from app.models.base import utcnow

        db.session.get(Supplier, a).archived_at = utcnow()
        db.session.commit()
    result = runner.invoke(args=["risk", "recompute", "--supplier", "ACME-1"])
    assert result.exit_code != 0
    assert "archived" in result.output


def test_show_explains_the_score_and_its_history(app, runner):
    a, _ = _network(app)
    assert runner.invoke(args=["risk", "recompute"]).exit_code == 0
    with app.app_context():
        supplier = db.session.get(Supplier, a)
        factories.make_connection(
            db.session, supplier, name="Remote support", kind="vendor_remote_access"
        )
        db.session.commit()
    assert runner.invoke(args=["risk", "recompute"]).output.strip().endswith("1 changed.")
    result = runner.invoke(args=["risk", "show", "acme-1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("ACME-1  Acme Teile GmbH")
    for text in (
        "1. Impact",
        "2. Inherent likelihood",
        "3. Tier",
        "4. Control effectiveness",
        "5. Residual likelihood",
        "6. Residual score",
        "History (newest first):",
        "First score.",
    ):
        assert text in out, text
    by_id = runner.invoke(args=["risk", "show", str(a), "--history", "0"])
    assert by_id.exit_code == 0 and "History" not in by_id.output


def test_show_before_any_score_and_for_an_unknown_supplier(app, runner):
    a, _ = _network(app)
    result = runner.invoke(args=["risk", "show", str(a)])
    assert result.exit_code == 0
    assert "Not scored yet" in result.output
    missing = runner.invoke(args=["risk", "show", "NOPE"])
    assert missing.exit_code != 0
    assert "Unknown supplier: 'NOPE'" in missing.output
