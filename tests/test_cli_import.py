"""flask import suppliers|connections FILE [--dry-run] and flask export ... --out FILE."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Connection, Supplier
from tests import factories

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples"
HEADER = "code,legal_name,country,category,criticality"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def demo_analyst(app):
    with app.app_context():
        factories.make_user(db.session, "analyst", "analyst@demo.chainlight")
        db.session.commit()


def test_import_the_samples_then_again(app, runner, demo_analyst):
    result = runner.invoke(args=["import", "suppliers", str(SAMPLES / "suppliers.csv")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Imported 10 suppliers: 10 created, 0 updated, 0 unchanged."
    result = runner.invoke(args=["import", "connections", str(SAMPLES / "connections.csv")])
    assert result.exit_code == 0, result.output
    assert "7 created" in result.output
    result = runner.invoke(args=["import", "suppliers", str(SAMPLES / "suppliers.csv")])
    assert "0 created, 0 updated, 10 unchanged" in result.output
    assert count(app, Supplier) == 10
    assert count(app, Connection) == 7
    with app.app_context():
        summary = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "import").order_by(AuditEvent.id)
        ).all()
        assert [e.actor_email for e in summary] == ["cli"] * 3


def test_dry_run_writes_nothing(app, runner, demo_analyst):
    result = runner.invoke(
        args=["import", "suppliers", str(SAMPLES / "suppliers.csv"), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "Dry run: 10 created, 0 updated, 0 unchanged (10 rows); nothing was written." in (
        result.output
    )
    assert count(app, Supplier) == 0


def test_bad_rows_are_printed_and_the_exit_code_is_1(app, runner, tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text(
        f"{HEADER}\nA1,Müller GmbH,DE,component,low\nA2,,DE,component,low\n"
        "A3,İstanbul Lojistik A.Ş.,Turkey?,component,low\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "suppliers", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "line 3, legal_name: This field is required."
    assert lines[1].startswith("line 4, country [Turkey?]: Unknown country")
    assert lines[-1] == "Error: Import refused: 2 of 3 rows have errors; nothing was written."
    assert count(app, Supplier) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.5 not a table", "This is a PDF document"),
        (b"", "The file is empty."),
        (b"\x00\x01\x02binary", "This is not a text file"),
    ],
)
def test_unreadable_content_is_one_line_and_exit_1(app, runner, tmp_path, content, expected):
    path = tmp_path / "vendors.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["import", "suppliers", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert expected in result.output


def test_missing_file_or_directory_is_one_line_and_exit_1(app, runner, tmp_path):
    for path in (tmp_path / "nope.csv", tmp_path):
        result = runner.invoke(args=["import", "connections", str(path)])
        assert result.exit_code == 1
        assert result.output.startswith("Error: Cannot read")
        assert result.output.strip().count("\n") == 0


def test_a_file_over_the_size_limit_is_refused(app, runner, tmp_path):
    app.config["CHAINLIGHT_MAX_FILE_BYTES"] = 100
    path = tmp_path / "vendors.csv"
    path.write_text(HEADER + "\n" + "A1,One,DE,component,low\n" * 10, encoding="utf-8")
    result = runner.invoke(args=["import", "suppliers", str(path)])
    assert result.exit_code == 1
    assert "larger than" in result.output


def test_export_csv_and_xlsx_and_import_back(app, runner, tmp_path, users):
    with app.app_context():
        factories.make_supplier(db.session, code="CN-1", legal_name="深圳精密电子有限公司")
        db.session.commit()
    out = tmp_path / "suppliers.csv"
    result = runner.invoke(args=["export", "suppliers", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Exported 3 suppliers to {out}."
    assert "深圳精密电子有限公司" in out.read_text(encoding="utf-8-sig")
    xlsx = tmp_path / "suppliers.xlsx"
    result = runner.invoke(args=["export", "suppliers", "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx).worksheets[0]
    assert sheet["A1"].value == "code"
    for path in (out, xlsx):
        back = runner.invoke(args=["import", "suppliers", str(path)])
        assert "0 created, 0 updated, 3 unchanged" in back.output, back.output
    with app.app_context():
        exports = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export")
        )
        assert exports == 2


def test_export_connections_to_stdout_and_archived(app, runner, users):
    with app.app_context():
        supplier = db.session.get(Supplier, users["supplier_a"].id)
        factories.make_connection(db.session, supplier, name="EDI orders")
        gone = factories.make_connection(db.session, supplier, name="Old FTP")
        gone.archived_at = dt.datetime(2026, 1, 1)
        db.session.commit()
    result = runner.invoke(args=["export", "connections", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert "EDI orders" in result.stdout and "Old FTP" not in result.stdout
    assert "Exported 1 connection to standard output." in result.stderr
    result = runner.invoke(args=["export", "connections", "--archived", "--out", "-"])
    assert "Old FTP" in result.stdout and "EDI orders" not in result.stdout


def test_export_refuses_xlsx_to_stdout_and_unwritable_paths(app, runner, tmp_path):
    result = runner.invoke(args=["export", "suppliers", "--format", "xlsx", "--out", "-"])
    assert result.exit_code == 1
    assert "needs a file name" in result.output
    result = runner.invoke(args=["export", "suppliers", "--out", str(tmp_path / "no" / "x.csv")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Cannot write")
