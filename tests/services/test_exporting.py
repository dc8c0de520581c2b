"""Exports: the import format, what the list shows, round trip, no formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Supplier, User
from app.services import Actor
from app.services import exporting as ex
from app.services.import_formats import FORMATS
from app.services.importing import run_import
from app.services.tabular import neutralise, unneutralise
from tests import factories

ACTOR = Actor(user_id=None, email="exporter@example.com", role="analyst")
NAMES = [
    "Công ty TNHH Thép Việt",
    "深圳精密电子有限公司",
    "Müller Präzisionsteile GmbH",
    "İstanbul Lojistik A.Ş.",
]
INJECTIONS = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@SUM(A1:A9)"]


def body(exported) -> bytes:
    return exported.body if isinstance(exported.body, bytes) else b"".join(exported.body)


def export(kind: str, fmt: str, args=None) -> bytes:
    return body(ex.export_list(db.session, ACTOR, kind, fmt, args or {}))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def inventory(users) -> None:
    """Suppliers with names in four scripts, formula-like text, sub-suppliers and links."""
    analyst = db.session.get(User, users["analyst"].id)
    made = [
        factories.make_supplier(
            db.session,
            code=f"X-{i}",
            legal_name=name,
            country=country,
            owner_id=analyst.id,
            notes=INJECTIONS[i],
            next_reassessment_on=dt.date(2030, 1, 1 + i),
            single_source=i == 1,
        )
        for i, (name, country) in enumerate(zip(NAMES, ["VN", "CN", "DE", "TR"], strict=True))
    ]
    made[3].sub_suppliers = [made[1], made[2]]
    factories.make_supplier(db.session, code="X-9", legal_name=INJECTIONS[0], criticality="high")
    factories.make_connection(
        db.session,
        made[1],
        name="EDI orders",
        endpoint="+49 30 1234",
        notes="-2",
        data_classes=["orders", "pricing"],
        credential_expires_on=dt.date(2030, 6, 30),
        owner_id=analyst.id,
    )
    factories.make_connection(db.session, made[2], name="@SUM(A1)", kind="sftp")
    db.session.commit()


def test_neutralise_and_undo():
    for text in INJECTIONS + ["\tcmd", "\rx"]:
        assert neutralise(text) == "'" + text
        assert unneutralise(neutralise(text)) == text
    assert neutralise("Müller") == "Müller"
    assert unneutralise("'quoted'") == "'quoted'"


def test_csv_has_the_import_columns_and_every_script(app, users):
    with app.app_context():
        inventory(users)
        rows = csv_rows(export("suppliers", "csv"))
        assert rows[0] == FORMATS["suppliers"].fields
        by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
        assert [by_code[f"X-{i}"]["legal_name"] for i in range(4)] == NAMES
        assert by_code["X-1"]["single_source"] == "yes"
        assert by_code["X-1"]["owner"] == "analyst@example.com"
        assert by_code["X-0"]["next_reassessment_on"] == "2030-01-01"
        assert by_code["X-3"]["sub_suppliers"] == "X-1; X-2"
        links = csv_rows(export("connections", "csv"))
        assert links[0] == FORMATS["connections"].fields
        edi = dict(zip(links[0], next(r for r in links if r[1] == "EDI orders"), strict=True))
        assert edi["supplier"] == "X-1"
        assert edi["data_classes"] == "orders; pricing"
        assert edi["credential_expires_on"] == "2030-06-30"


def test_csv_cells_that_would_run_as_formulas_are_quoted(app, users):
    with app.app_context():
        inventory(users)
        rows = csv_rows(export("suppliers", "csv"))
        cells = [cell for row in rows[1:] for cell in row]
        for text in INJECTIONS:
            assert "'" + text in cells
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        links = [cell for row in csv_rows(export("connections", "csv"))[1:] for cell in row]
        assert {"'+49 30 1234", "'-2", "'@SUM(A1)"} <= set(links)


def test_xlsx_cells_are_strings_never_formulas(app, users):
    with app.app_context():
        inventory(users)
        data = export("suppliers", "xlsx")
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        header = [c.value for c in sheet[1]]
        assert header == FORMATS["suppliers"].fields
        cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
        names = {c.value for c in cells if c.column == 2}
        assert set(NAMES) <= names
        for text in INJECTIONS:
            found = [c for c in cells if c.value == text]
            assert found, text
            for c in found:
                assert c.data_type == "s"
                assert c.quotePrefix
        assert all(c.data_type != "f" for c in cells)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in xml and "<f " not in xml
        dates = [c.value for c in cells if c.column == 11 and c.value]
        assert dt.datetime(2030, 1, 1) in dates


def test_round_trip_export_then_import_changes_nothing(app, users):
    with app.app_context():
        inventory(users)
        for kind in ("suppliers", "connections"):
            for fmt in ("csv", "xlsx"):
                data = export(kind, fmt)
                result = run_import(db.session, ACTOR, kind, data, f"export.{fmt}")
                assert result.ok, (kind, fmt, result.problem, result.errors)
                expected = 7 if kind == "suppliers" else 2  # with SUP-A and SUP-B
                assert (result.created, result.updated, result.unchanged) == (0, 0, expected)
                db.session.rollback()


def test_export_follows_the_list_filters_over_every_page(app, users):
    with app.app_context():
        inventory(users)
        for n in range(7):
            factories.make_supplier(db.session, code=f"P-{n}", criticality="low")
        archived = factories.make_supplier(db.session, code="GONE")
        archived.archived_at = dt.datetime(2026, 1, 1)
        db.session.commit()
        everything = list(
            ex.iter_records(db.session, "suppliers", ex.filters_from_args("suppliers", {}), batch=2)
        )
        assert len(everything) == 5 + 2 + 7  # inventory, standard suppliers, P-*
        assert "GONE" not in {s.code for s in everything}
        low = csv_rows(export("suppliers", "csv", {"criticality": "low", "page": "3"}))
        assert sorted(r[0] for r in low[1:]) == [f"P-{n}" for n in range(7)]
        found = csv_rows(export("suppliers", "csv", {"q": "muller"}))
        assert [r[0] for r in found[1:]] == ["X-2"]
        gone = csv_rows(export("suppliers", "csv", {"archived": "1"}))
        assert [r[0] for r in gone[1:]] == ["GONE"]
        sftp = csv_rows(export("connections", "csv", {"kind": "sftp"}))
        assert [r[1] for r in sftp[1:]] == ["'@SUM(A1)"]


def test_large_csv_export_streams_in_batches(app, monkeypatch):
    monkeypatch.setattr(ex, "BATCH", 3)
    with app.app_context():
        for n in range(8):
            factories.make_supplier(db.session, code=f"B-{n}")
        db.session.commit()
        exported = ex.export_list(db.session, ACTOR, "suppliers", "csv", {})
        chunks = list(exported.body)
        assert len(chunks) >= 3
        assert chunks[0].startswith(b"\xef\xbb\xbf") and not chunks[1].startswith(b"\xef\xbb\xbf")
        assert exported.rows == 8
        assert len(csv_rows(b"".join(chunks))) == 9


def test_an_export_is_audited_with_its_filters(app):
    with app.app_context():
        exported = ex.export_list(db.session, ACTOR, "connections", "xlsx", {"kind": "sftp"})
        assert exported.filename == f"chainlight-connections-{dt.date.today().isoformat()}.xlsx"
        assert exported.mimetype.startswith("application/vnd.openxmlformats")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
        assert event.entity_type == "connection"
        assert event.after["filters"]["kind"] == "sftp"
        assert event.actor_email == "exporter@example.com"


def test_tab_and_carriage_return_starts_are_neutralised_too(app):
    with app.app_context():
        factories.make_supplier(db.session, code="T-1", notes="\tcmd", website="\r=1")
        db.session.commit()
        row = next(r for r in csv_rows(export("suppliers", "csv")) if r[0] == "T-1")
        assert "'\tcmd" in row and "'\r=1" in row
        sheet = load_workbook(io.BytesIO(export("suppliers", "xlsx"))).worksheets[0]
        # XML turns a stored CR into LF on reading; the cell is a string either way
        wanted = ("\tcmd", "\r=1", "\n=1")
        cells = [c for r in sheet.iter_rows(min_row=2) for c in r if c.value in wanted]
        assert len(cells) == 2
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_control_characters_do_not_break_an_export(app, fmt):
    with app.app_context():
        factories.make_supplier(db.session, code="C-1", notes="bell\x07 and\x0b tab")
        db.session.commit()
        data = export("suppliers", fmt)
        assert data
        assert db.session.scalar(select(Supplier.notes).where(Supplier.code == "C-1"))
