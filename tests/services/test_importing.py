"""Bulk import: every row checked first, all-or-nothing, re-import updates and never duplicates."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Connection, Supplier, User
from app.services import Actor
from app.services.import_formats import FORMATS, header_key
from app.services.importing import run_import
from tests import factories

ACTOR = Actor(user_id=None, email="importer@example.com", role="analyst")
TODAY = dt.date.today()
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
SUPPLIER_HEADER = "code,legal_name,country,category,criticality"
CONNECTION_HEADER = (
    "supplier,name,kind,direction,internal_system,data_classes,authentication,encryption,"
    "integration_layer"
)
NAMES = [
    "Công ty TNHH Thép Việt",
    "深圳精密电子有限公司",
    "Müller Präzisionsteile GmbH",
    "İstanbul Lojistik A.Ş.",
]


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(kind: str, data: bytes, filename: str = "file.csv", **kwargs):
    kwargs.setdefault("today", TODAY)
    result = run_import(db.session, ACTOR, kind, data, filename, **kwargs)
    if result.ok and not result.dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def events(action: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt))


def supplier(code: str) -> Supplier:
    return db.session.scalar(select(Supplier).where(Supplier.code == code))


def four_suppliers(bom: bool = False) -> bytes:
    return csv_bytes(
        SUPPLIER_HEADER + ",sub_suppliers",
        f"VN-001,{NAMES[0]},VN,raw_material,high,",
        f"CN-002,{NAMES[1]},China,Component,Critical,VN-001",
        f"DE-003,{NAMES[2]},DE,contract_manufacturer,medium,",
        f'TR-004,{NAMES[3]},TR,Logistics / 3PL,low,"CN-002; DE-003"',
        bom=bom,
    )


# --- suppliers -----------------------------------------------------------------------------


def test_creates_suppliers_with_names_in_any_script(app):
    with app.app_context():
        result = run("suppliers", four_suppliers(bom=True))
        assert result.ok, result.errors
        assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
        assert [supplier(c).legal_name for c in ("VN-001", "CN-002", "DE-003", "TR-004")] == NAMES
        assert supplier("CN-002").country == "CN"
        assert supplier("TR-004").category == "logistics"
        assert sorted(s.code for s in supplier("TR-004").sub_suppliers) == ["CN-002", "DE-003"]
        assert len(events("create")) == 4
        summary = events("import")
        assert len(summary) == 1
        assert summary[0].after["created"] == 4
        assert summary[0].actor_email == "importer@example.com"


def test_reimporting_the_same_file_changes_nothing(app):
    with app.app_context():
        run("suppliers", four_suppliers())
        before = len(events())
        result = run("suppliers", four_suppliers())
        assert result.ok
        assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
        assert count(Supplier) == 4
        # only the summary event: unchanged rows are not audited
        assert [e.action for e in events()[before:]] == ["import"]


def test_a_changed_row_updates_the_supplier_matched_on_code(app):
    with app.app_context():
        run("suppliers", four_suppliers())
        changed = four_suppliers().replace(b"DE-003,", b"de-003,").replace(b"medium", b"high")
        result = run("suppliers", changed)
        assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
        assert count(Supplier) == 4
        assert supplier("DE-003").criticality == "high"
        update = events("update")[-1]
        assert update.before == {"criticality": "medium"}
        assert update.after == {"criticality": "high"}


def test_three_bad_rows_of_ten_write_nothing_and_are_all_listed(app):
    rows = [f"S-{n:02d},Supplier {n} GmbH,DE,component,medium" for n in range(10)]
    rows[1] = "S-01,Supplier 1 GmbH,Germny,component,medium"  # line 3
    rows[5] = "S-05,Supplier 5 GmbH,DE,spaceships,medium"  # line 7
    rows[9] = "S-09,,DE,component,medium"  # line 11
    with app.app_context():
        result = run("suppliers", csv_bytes(SUPPLIER_HEADER, *rows))
        assert not result.ok
        assert result.bad_lines == [3, 7, 11]
        assert [(e.line, e.column) for e in result.errors] == [
            (3, "country"),
            (7, "category"),
            (11, "legal_name"),
        ]
        assert result.errors[0].value == "Germny"
        assert "Unknown country" in result.errors[0].message
        assert result.created == result.updated == 0
        assert "3 of 10 rows have errors" in result.summary()
        assert count(Supplier) == 0
        assert events() == []


def test_errors_name_the_column_as_the_file_calls_it(app):
    data = csv_bytes(
        "Vendor;Vendor Name;Country Key;Category;Criticality", "V1;X;Nowhere;component;high"
    )
    with app.app_context():
        result = run("suppliers", data)
        assert [(e.line, e.column, e.value) for e in result.errors] == [
            (2, "Country Key", "Nowhere")
        ]


def test_duplicate_codes_inside_the_file_are_refused(app):
    data = csv_bytes(SUPPLIER_HEADER, "A1,One,DE,component,low", "a1,Two,DE,component,low")
    with app.app_context():
        result = run("suppliers", data)
        assert [(e.line, e.column) for e in result.errors] == [(3, "code")]
        assert "also on line 2" in result.errors[0].message
        assert count(Supplier) == 0


def test_owner_must_be_an_active_analyst_or_admin(app, users):
    data = csv_bytes(
        SUPPLIER_HEADER + ",owner",
        "A1,One,DE,component,low,ANALYST@example.com",
        "A2,Two,DE,component,low,nobody@example.com",
        f"A3,Three,DE,component,low,{users['executive'].email}",
    )
    with app.app_context():
        result = run("suppliers", data)
        assert [(e.line, e.column) for e in result.errors] == [(3, "owner"), (4, "owner")]
        assert "not an analyst or admin" in result.errors[1].message
        fixed = data.replace(b"nobody@example.com", b"").replace(b"exec@", b"admin@")
        assert run("suppliers", fixed).ok
        assert supplier("A1").owner_id == users["analyst"].id


def test_a_deactivated_owner_does_not_block_reimporting_the_row(app, users):
    data = csv_bytes(SUPPLIER_HEADER + ",owner", "A1,One,DE,component,low,analyst@example.com")
    with app.app_context():
        assert run("suppliers", data).ok
        analyst = db.session.get(User, users["analyst"].id)
        analyst.active = False
        db.session.commit()
        result = run("suppliers", data)
        assert result.ok and result.unchanged == 1, result.errors
        changed = run("suppliers", data.replace(b"low", b"high"))
        assert changed.ok and changed.updated == 1, changed.errors


def test_sub_suppliers_must_exist_or_be_in_the_file(app, users):
    data = csv_bytes(
        SUPPLIER_HEADER + ",sub_suppliers",
        "A1,One,DE,component,low,SUP-A",  # exists in the database
        "A2,Two,DE,component,low,A1|A3",  # A3 comes later in the file
        "A3,Three,DE,component,low,NOPE; A3",
        "A4,Four,DE,component,low,A4",
    )
    with app.app_context():
        result = run("suppliers", data)
        assert [(e.line, e.column) for e in result.errors] == [
            (4, "sub_suppliers"),
            (5, "sub_suppliers"),
        ]
        assert "NOPE" in result.errors[0].message
        assert "its own sub-supplier" in result.errors[1].message
        fixed = data.replace(b"NOPE; A3", b"").replace(b",A4\n", b",\n")
        assert run("suppliers", fixed).ok
        assert [s.code for s in supplier("A1").sub_suppliers] == ["SUP-A"]
        assert sorted(s.code for s in supplier("A2").sub_suppliers) == ["A1", "A3"]


def test_an_archived_supplier_cannot_become_a_new_sub_supplier(app):
    with app.app_context():
        old = factories.make_supplier(db.session, code="OLD-1")
        old.archived_at = dt.datetime(2026, 1, 1)
        db.session.commit()
        data = csv_bytes(SUPPLIER_HEADER + ",sub_suppliers", "A1,One,DE,component,low,OLD-1")
        result = run("suppliers", data)
        assert [e.column for e in result.errors] == ["sub_suppliers"]
        assert "Archived" in result.errors[0].message


def test_changing_an_archived_supplier_is_refused_but_unchanged_is_fine(app):
    with app.app_context():
        factories.make_supplier(db.session, code="OLD-1", legal_name="Old GmbH", criticality="low")
        supplier("OLD-1").archived_at = dt.datetime(2026, 1, 1)
        db.session.commit()
        same = csv_bytes(SUPPLIER_HEADER, "OLD-1,Old GmbH,DE,component,low")
        assert run("suppliers", same).unchanged == 1
        result = run("suppliers", same.replace(b"low", b"high"))
        assert "archived" in result.errors[0].message


def test_codes_that_lost_their_leading_zeros_are_not_new_suppliers(app, users):
    with app.app_context():
        factories.make_supplier(db.session, code="0000100234", legal_name="Thép Việt")
        db.session.commit()
        result = run("suppliers", csv_bytes(SUPPLIER_HEADER, "100234,Thép Việt,VN,component,low"))
        assert [(e.line, e.column) for e in result.errors] == [(2, "code")]
        assert "there is 0000100234" in result.errors[0].message
        links = csv_bytes(
            CONNECTION_HEADER,
            "100234,EDI,edi_as2,inbound,erp,orders,certificate,as2_smime,edi_translator",
            "SUP-A,EDI,edi_as2,inbound,erp,orders,certificate,as2_smime,edi_translator",
        )
        result = run("connections", links)
        assert [(e.line, e.column) for e in result.errors] == [(2, "supplier")]
        assert "leading zeros" in result.errors[0].message
        assert count(Supplier) == 3


def test_past_reassessment_date_is_kept_on_reimport_but_refused_when_new(app):
    past = TODAY - dt.timedelta(days=10)
    with app.app_context():
        factories.make_supplier(
            db.session,
            code="OLD-1",
            legal_name="Old GmbH",
            criticality="low",
            next_reassessment_on=past,
        )
        db.session.commit()
        header = SUPPLIER_HEADER + ",next_reassessment_on"
        result = run("suppliers", csv_bytes(header, f"OLD-1,Old GmbH,DE,component,low,{past}"))
        assert result.ok and result.unchanged == 1, result.errors
        result = run("suppliers", csv_bytes(header, f"OLD-1,Old GmbH,DE,component,high,{past}"))
        assert result.ok and result.updated == 1, result.errors
        result = run("suppliers", csv_bytes(header, f"NEW-1,New GmbH,DE,component,low,{past}"))
        assert [e.column for e in result.errors] == ["next_reassessment_on"]


def test_absent_columns_keep_their_values_and_blank_cells_clear_them(app):
    with app.app_context():
        factories.make_supplier(
            db.session, code="A1", legal_name="One", website="https://one.example", notes="keep"
        )
        db.session.commit()
        result = run("suppliers", csv_bytes("code,criticality", "A1,critical"))
        assert result.ok and result.updated == 1, result.errors
        assert supplier("A1").website == "https://one.example"
        assert supplier("A1").notes == "keep"
        assert supplier("A1").criticality == "critical"
        result = run("suppliers", csv_bytes("code,website", "A1,"))
        assert result.ok and result.updated == 1
        assert supplier("A1").website == ""


def test_new_rows_need_the_columns_a_new_supplier_needs(app):
    with app.app_context():
        factories.make_supplier(db.session, code="A1")
        db.session.commit()
        result = run("suppliers", csv_bytes("code,criticality", "A1,high", "B2,high", "B3,low"))
        assert not result.ok
        assert "legal_name, country, category column" in result.problem
        assert "lines 3, 4" in result.problem
        assert result.errors == []  # not repeated on every row
        assert supplier("A1").criticality == "medium"


def test_dry_run_reports_counts_and_writes_nothing(app):
    with app.app_context():
        result = run("suppliers", four_suppliers(), dry_run=True)
        assert result.ok and result.dry_run
        assert result.created == 4
        assert "nothing was written" in result.summary()
        assert count(Supplier) == 0
        assert events() == []


def test_semicolon_file_as_excel_writes_it_in_europe(app):
    data = (
        "Lieferant;Name 1;Land;Category;Criticality;Single source;Next reassessment\r\n"
        "4711;Müller Präzisionsteile GmbH;Deutschland?;component;hoch;ja;31.12.2030\r\n"
    )
    fixed = data.replace("Deutschland?", "DE").replace("hoch", "high")
    with app.app_context():
        result = run("suppliers", data.encode("utf-8"))
        assert {e.column for e in result.errors} == {"Land", "Criticality"}
        result = run("suppliers", fixed.encode("utf-8"))
        assert result.ok, result.errors
        made = supplier("4711")
        assert made.legal_name == "Müller Präzisionsteile GmbH"
        assert made.single_source is True
        assert made.next_reassessment_on == dt.date(2030, 12, 31)


def test_windows_1252_file_is_read_with_a_notice(app):
    data = (SUPPLIER_HEADER + "\nM1,Müller Präzisionsteile GmbH,DE,component,low\n").encode(
        "cp1252"
    )
    with app.app_context():
        result = run("suppliers", data)
        assert result.ok
        assert "Windows-1252" in result.notices[0]
        assert supplier("M1").legal_name == "Müller Präzisionsteile GmbH"


def test_utf16_text_as_excel_saves_unicode_text(app):
    data = "code\tlegal_name\tcountry\tcategory\tcriticality\nC1\t深圳精密电子有限公司\tCN\tcomponent\thigh\n"
    with app.app_context():
        result = run("suppliers", data.encode("utf-16"), "vendors.txt")
        assert result.ok, (result.problem, result.errors)
        assert supplier("C1").legal_name == "深圳精密电子有限公司"


def test_xlsx_with_numbers_dates_and_blank_rows(app):
    rows = [
        ["Vendor Number", "Vendor Name", "Country Key", "Category", "Criticality",
         "Single source", "Next reassessment"],
        [100234, NAMES[0], "VN", "Raw material", "High", True, dt.datetime(2030, 3, 31)],
        [None, None, None, None, None, None, None],
        ["100235", NAMES[1], "CN", "component", "critical", "no", None],
        [100236, NAMES[3], "XX", "component", "critical", "no", None],
    ]  # fmt: skip
    with app.app_context():
        result = run("suppliers", xlsx_bytes(rows), "vendors.xlsx")
        assert [(e.line, e.column) for e in result.errors] == [(5, "Country Key")]
        rows[4][2] = "TR"
        result = run("suppliers", xlsx_bytes(rows), "vendors.xlsx")
        assert result.ok and result.created == 3, result.errors
        assert supplier("100234").next_reassessment_on == dt.date(2030, 3, 31)
        assert supplier("100234").single_source is True
        assert supplier("100236").legal_name == NAMES[3]


def test_only_the_first_sheet_is_read_and_that_is_said(app):
    book = Workbook()
    book.active.append(SUPPLIER_HEADER.split(","))
    book.active.append(["A1", "One", "DE", "component", "low"])
    book.create_sheet("Other").append(["whatever"])
    buffer = io.BytesIO()
    book.save(buffer)
    with app.app_context():
        result = run("suppliers", buffer.getvalue(), "two-sheets.xlsx")
        assert result.ok
        assert "first sheet" in result.notices[0]


def test_the_sample_files_import_cleanly_twice(app):
    with app.app_context():
        factories.make_user(db.session, "analyst", "analyst@demo.chainlight")
        db.session.commit()
        suppliers = (SAMPLES / "suppliers.csv").read_bytes()
        connections = (SAMPLES / "connections.csv").read_bytes()
        first = run("suppliers", suppliers, "suppliers.csv", today=dt.date.today())
        assert first.ok and first.created == 10, (first.problem, first.errors)
        links = run("connections", connections, "connections.csv", today=dt.date.today())
        assert links.ok and links.created == 7, (links.problem, links.errors)
        again = run("suppliers", suppliers, today=dt.date.today())
        assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
        again = run("connections", connections, today=dt.date.today())
        assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
        assert supplier("0000100235").legal_name == "深圳精密电子有限公司"


# --- the file and its columns --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "x.csv", "empty"),
        (b"  \r\n\r\n", "x.csv", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "vendors.csv", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", ".xls"),
        (b"PK\x03\x04" + b"\x00" * 40, "x.xlsx", "damaged"),
        (b"code,legal_name\n", "x.csv", "no rows"),
        (b"\n\ncode\nA1\n", "x.csv", "first row"),
        (b"code,name\nA1," + b"x" * 200_000 + b"\n", "x.csv", "longer than"),
        (b"just some text", "notes.xlsx", "not an Excel workbook"),
    ],
)
def test_unreadable_files_get_one_clear_message(app, data, filename, expected):
    with app.app_context():
        result = run("suppliers", data, filename)
        assert not result.ok
        assert expected in result.problem
        assert count(Supplier) == 0


def test_nul_characters_never_reach_the_database(app):
    text = "code\tlegal_name\tcountry\tcategory\tcriticality\nA1\tNul\x00GmbH\tDE\tcomponent\tlow\n"
    rows = [["code", "legal_name", "country", "category", "criticality"],
            ["A1", "Nul_x0000_GmbH", "DE", "component", "low"]]  # fmt: skip
    with app.app_context():
        assert "not look like a text file" in run("suppliers", text.encode("utf-16")).problem
        result = run("suppliers", xlsx_bytes(rows), "nul.xlsx")
        assert result.ok, (result.problem, result.errors)
        assert "\x00" not in supplier("A1").legal_name


def test_random_bytes_never_crash(app):
    rng = random.Random(4711)
    with app.app_context():
        for size in (1, 17, 500, 5000):
            data = bytes(rng.randrange(256) for _ in range(size))
            result = run("suppliers", data, "random.csv")
            assert not result.ok
            assert result.problem or result.errors


def test_zip_that_is_not_a_workbook(app):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with app.app_context():
        result = run("suppliers", buffer.getvalue(), "letter.xlsx")
        assert "Word document" in result.problem


def test_unknown_columns_are_listed_with_the_expected_ones(app):
    data = csv_bytes(SUPPLIER_HEADER + ",Payment terms,Tax number", "A1,One,DE,component,low,30,1")
    with app.app_context():
        result = run("suppliers", data)
        assert "'Payment terms', 'Tax number'" in result.problem
        assert "Expected columns: code, legal_name, country" in result.problem


def test_a_connections_file_offered_as_suppliers_gets_a_hint(app):
    with app.app_context():
        result = run("suppliers", (SAMPLES / "connections.csv").read_bytes())
        assert "looks like a connections file" in result.problem


def test_missing_key_column_and_doubled_columns(app):
    with app.app_context():
        result = run("suppliers", csv_bytes("legal_name,country", "One,DE"))
        assert "'code' column is missing" in result.problem
        result = run("suppliers", csv_bytes("Vendor,Supplier Code", "A1,A1"))
        assert "'Vendor' and 'Supplier Code' both mean code" in result.problem


def test_values_in_a_column_without_a_name(app):
    with app.app_context():
        result = run("suppliers", csv_bytes(SUPPLIER_HEADER, "A1,One,DE,component,low,surprise"))
        assert "Column F has values (first on line 2)" in result.problem
        # trailing empty cells, as Excel writes them, are fine
        assert run("suppliers", csv_bytes(SUPPLIER_HEADER + ",", "A1,One,DE,component,low,")).ok


def test_row_and_size_limits(app):
    rows = [f"S{n},Supplier {n},DE,component,low" for n in range(10_001)]
    with app.app_context():
        result = run("suppliers", csv_bytes(SUPPLIER_HEADER, *rows))
        assert "more than 10,000 rows" in result.problem
        result = run("suppliers", csv_bytes(SUPPLIER_HEADER, *rows[:50]), max_bytes=1024)
        assert "larger than the 1 KB limit" in result.problem
        assert count(Supplier) == 0


def test_header_aliases_do_not_collide():
    for fmt in FORMATS.values():
        seen: dict[str, str] = {}
        for column in fmt.columns:
            for name in (column.field, column.label, *column.aliases):
                key = header_key(name)
                assert seen.setdefault(key, column.field) == column.field, (fmt.kind, name)


# --- connections ---------------------------------------------------------------------------


def test_connections_are_created_and_matched_on_supplier_and_name(app, users):
    data = csv_bytes(
        CONNECTION_HEADER + ",access_level",
        "sup-a,EDI orders,EDI AS2,inbound,ERP,Orders; Pricing,certificate,as2_smime,"
        "edi_translator,",
        "SUP-B,Shipment API,rest_api,Both directions,tms,orders,oauth2_client_credentials,"
        "TLS 1.3,API gateway,write",
    )
    with app.app_context():
        result = run("connections", data)
        assert result.ok and result.created == 2, result.errors
        edi = db.session.scalar(select(Connection).where(Connection.name == "EDI orders"))
        assert edi.supplier_id == users["supplier_a"].id
        assert sorted(edi.data_classes) == ["orders", "pricing"]
        assert edi.access_level == "read"
        again = run("connections", data.replace(b"EDI orders", b"edi ORDERS"))
        assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
        assert count(Connection) == 2
        assert run("connections", data.replace(b"EDI orders", b"edi ORDERS")).unchanged == 2


def test_connection_rows_are_checked_against_suppliers_and_each_other(app, users):
    with app.app_context():
        archived = factories.make_supplier(db.session, code="GONE")
        archived.archived_at = dt.datetime(2026, 1, 1)
        db.session.commit()
    data = csv_bytes(
        CONNECTION_HEADER + ",last_reviewed_on",
        "SUP-A,Link,sftp,inbound,erp,orders,certificate,ssh,direct_core,",
        "NOPE,Link,sftp,inbound,erp,orders,certificate,ssh,direct_core,",
        "GONE,Link,sftp,inbound,erp,orders,certificate,ssh,direct_core,",
        "SUP-A,link,sftp,inbound,erp,orders,certificate,ssh,direct_core,",
        "SUP-B,Link,sftp,inbound,erp,gold,certificate,ssh,direct_core,2099-01-01",
    )
    with app.app_context():
        result = run("connections", data)
        assert [(e.line, e.column) for e in result.errors] == [
            (3, "supplier"),
            (4, "supplier"),
            (5, "name"),
            (6, "data_classes"),
            (6, "last_reviewed_on"),
        ]
        assert "import the suppliers first" in result.errors[0].message
        assert "archived" in result.errors[1].message
        assert "also on line 2" in result.errors[2].message
        assert count(Connection) == 0


def test_changing_an_archived_connection_is_refused(app, users):
    with app.app_context():
        sup = db.session.get(Supplier, users["supplier_a"].id)
        link = factories.make_connection(db.session, sup, name="Old link", kind="sftp")
        link.archived_at = dt.datetime(2026, 1, 1)
        db.session.commit()
        row = "SUP-A,Old link,{kind},inbound,erp,orders,oauth2_client_credentials,tls13,api_gateway"
        assert run("connections", csv_bytes(CONNECTION_HEADER, row.format(kind="sftp"))).ok
        result = run("connections", csv_bytes(CONNECTION_HEADER, row.format(kind="rest_api")))
        assert "archived" in result.errors[0].message
