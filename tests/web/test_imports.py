"""The import page, its results, the samples and format page, and the export downloads."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Supplier
from tests import factories

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
HEADER = "code,legal_name,country,category,criticality"
GOOD = (
    HEADER + "\nVN-1,Công ty TNHH Thép Việt,VN,raw_material,high\n"
    "CN-2,深圳精密电子有限公司,CN,component,critical\n"
).encode()


def upload(client, data: bytes, filename="vendors.csv", kind="suppliers", **extra):
    form = {"kind": kind, "file": (io.BytesIO(data), filename), **extra}
    return client.post("/import/", data=form, content_type="multipart/form-data")


def supplier_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Supplier))


def test_the_import_page_offers_the_form_samples_and_format(client, login_as):
    login_as("analyst")
    page = client.get("/import/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="dry_run"' in page
    assert "/import/samples/suppliers.csv" in page
    assert "/import/format" in page
    assert "/import/export/connections.xlsx" in page


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_editors_import_a_file(app, client, login_as, role):
    login_as(role)
    response = upload(client, GOOD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file was imported." in page
    assert supplier_count(app) == 4  # two imported, two standard
    with app.app_context():
        made = db.session.scalar(select(Supplier).where(Supplier.code == "CN-2"))
        assert made.legal_name == "深圳精密电子有限公司"
    again = upload(client, GOOD).get_data(as_text=True)
    assert "Unchanged" in again
    assert supplier_count(app) == 4


def test_bad_rows_are_listed_and_nothing_is_saved(app, client, login_as):
    login_as("analyst")
    data = GOOD + "TR-3,,TR,logistics,high\nDE-4,Müller GmbH,Germny,component,low\n".encode()
    page = upload(client, data).get_data(as_text=True)
    assert "Nothing was saved." in page
    assert "2 of 4 rows have problems" in page
    assert "<td>4</td>" in page and "<td>5</td>" in page
    assert "Germny" in page
    assert supplier_count(app) == 2


def test_dry_run_saves_nothing(app, client, login_as):
    login_as("analyst")
    page = upload(client, GOOD, dry_run="y").get_data(as_text=True)
    assert "Dry run of suppliers" in page
    assert "Would be created" in page
    assert supplier_count(app) == 2
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import")) is None


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (os.urandom(4096), "random.csv", "Nothing was saved."),
        (b"%PDF-1.4\n1 0 obj <<>>", "invoice.csv", "This is a PDF document"),
        (b"code,name\nA," + b"y" * 300_000 + b"\n", "huge.csv", "longer than"),
        (b"x" * 300_000, "one-line.csv", "Nothing was saved."),
        (b"PK\x03\x04garbage", "broken.xlsx", "damaged"),
    ],
)
def test_garbage_uploads_never_give_a_500(app, client, login_as, data, filename, message):
    login_as("analyst")
    response = upload(client, data, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert supplier_count(app) == 2


def test_wrong_extension_and_missing_file_are_form_errors(client, login_as):
    login_as("analyst")
    page = upload(client, b"%PDF-1.4", "report.pdf").get_data(as_text=True)
    assert "Upload a .csv or .xlsx file." in page
    response = client.post("/import/", data={"kind": "suppliers"})
    assert "Choose a CSV or XLSX file to upload." in response.get_data(as_text=True)
    response = upload(client, GOOD, kind="invoices")
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_a_file_over_the_upload_limit_is_refused_on_the_form(app, client, login_as):
    login_as("analyst")
    app.config["MAX_CONTENT_LENGTH"] = 2048
    app.config["CHAINLIGHT_MAX_FILE_BYTES"] = 2048
    response = upload(client, GOOD + b"x" * 4096)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than the upload limit of 2 KB" in page
    assert 'name="file"' in page
    # in production the CSRF check reads the form first: the message must still be ours
    app.config["WTF_CSRF_ENABLED"] = True
    response = upload(client, GOOD + b"x" * 4096)
    assert response.status_code == 413
    assert "larger than the upload limit of 2 KB" in response.get_data(as_text=True)


def test_connections_upload_and_the_wrong_kind_hint(app, client, login_as):
    login_as("analyst")
    data = (
        b"supplier,name,kind,direction,internal_system,data_classes,authentication,encryption,"
        b"integration_layer\nSUP-A,EDI orders,EDI AS2,inbound,ERP,orders,certificate,"
        b"as2_smime,edi_translator\n"
    )
    page = upload(client, data, kind="suppliers").get_data(as_text=True)
    assert "looks like a connections file" in page
    page = upload(client, data, kind="connections").get_data(as_text=True)
    assert "The file was imported." in page


def test_xlsx_upload(app, client, login_as):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Vendor", "Vendor Name", "Country Key", "Category", "Criticality"])
    book.active.append(["100234", "İstanbul Lojistik A.Ş.", "TR", "Logistics / 3PL", "Medium"])
    buffer = io.BytesIO()
    book.save(buffer)
    login_as("admin")
    page = upload(client, buffer.getvalue(), "vendors.xlsx").get_data(as_text=True)
    assert "The file was imported." in page
    with app.app_context():
        assert db.session.scalar(select(Supplier.legal_name).where(Supplier.code == "100234")) == (
            "İstanbul Lojistik A.Ş."
        )


def test_samples_and_format_page(client, login_as):
    login_as("analyst")
    response = client.get("/import/samples/suppliers.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "深圳精密电子有限公司".encode() in response.data
    assert response.data == (SAMPLES / "suppliers.csv").read_bytes()
    assert client.get("/import/samples/connections.csv").status_code == 200
    assert client.get("/import/samples/passwords.csv").status_code == 404
    page = client.get("/import/format").get_data(as_text=True)
    assert "Vendor Number" in page and "Logistics / 3PL" in page


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_staff_export_with_a_dated_attachment(app, client, login_as, role, fmt):
    login_as(role)
    response = client.get(f"/import/export/suppliers.{fmt}")
    assert response.status_code == 200
    today = dt.date.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="chainlight-suppliers-{today}.{fmt}"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    if fmt == "csv":
        assert response.mimetype == "text/csv"
        assert "Alpha Components GmbH" in response.data.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        assert sheet["A2"].value == "SUP-A"


def test_export_keeps_the_list_filters(app, client, login_as, users):
    with app.app_context():
        supplier = db.session.get(Supplier, users["supplier_a"].id)
        factories.make_connection(db.session, supplier, name="=cmd|' /C calc'!A0", kind="sftp")
        factories.make_connection(db.session, supplier, name="Orders API", kind="rest_api")
        db.session.commit()
    login_as("executive")
    text = client.get("/import/export/connections.csv?kind=sftp&page=2").data.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text
    assert "Orders API" not in text
    text = client.get("/import/export/suppliers.csv?q=beta").data.decode("utf-8-sig")
    assert "SUP-B" in text and "SUP-A" not in text


def test_export_url_helper_keeps_filters_but_not_the_page(app):
    with app.test_request_context("/connections/?kind=sftp&page=3&q=edi"):
        url = app.jinja_env.globals["export_url"]("connections", "csv")
    assert url.startswith("/import/export/connections.csv?")
    assert "kind=sftp" in url and "q=edi" in url and "page" not in url


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/import/"),
        ("post", "/import/"),
        ("get", "/import/format"),
        ("get", "/import/samples/suppliers.csv"),
    ],
)
@pytest.mark.parametrize("role", ["executive", "supplier"])
def test_import_is_for_editors_only(client, login_as, role, method, url):
    login_as(role)
    response = getattr(client, method)(url)
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/import/export/suppliers.csv", "/import/export/connections.xlsx"])
def test_supplier_contacts_cannot_export(client, login_as, url):
    login_as("supplier")
    assert client.get(url).status_code == 403


def test_logged_out_users_are_sent_to_log_in(client, users):
    for url in ("/import/", "/import/export/suppliers.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    response = upload(client, GOOD)
    assert response.status_code == 302


def test_unknown_export_kinds_and_formats_are_404(client, login_as):
    login_as("analyst")
    assert client.get("/import/export/users.csv").status_code == 404
    assert client.get("/import/export/suppliers.pdf").status_code == 404
