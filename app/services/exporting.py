"""Export the supplier and connection lists (in the import format) and the findings
register to CSV or XLSX.

An export holds what the list shows for the same query arguments (every page); the
supplier and connection lists use the columns of the import file, so they re-import
unchanged. Rows are read in batches; CSV is streamed. A text cell a spreadsheet would
run as a formula (starting with = + - @ TAB CR) is neutralised: prefixed with a quote in
CSV (the importer removes it again), an explicit string cell with Excel's quote-prefix
style in XLSX.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import Select
from sqlalchemy.orm import Session, selectinload

from app.models import Connection, Supplier
from app.services import Actor, findings_views
from app.services import connections as connection_service
from app.services import suppliers as supplier_service
from app.services.audit import record
from app.services.import_formats import FORMATS
from app.services.tabular import FORMULA_START, neutralise

BATCH = 500
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filters_from_args(kind: str, args: Mapping[str, Any]):
    """The list's filters for these query arguments (what the list page would show)."""
    if kind == "suppliers":
        return supplier_service.SupplierFilters.from_args(args)
    return connection_service.ConnectionFilters.from_args(args)


def _query(kind: str, filters, today: dt.date) -> Select:
    if kind == "suppliers":
        return supplier_service.list_query(filters).options(selectinload(Supplier.sub_suppliers))
    return connection_service.list_query(filters, today)


def iter_records(
    session: Session, kind: str, filters, *, today: dt.date | None = None, batch: int = BATCH
) -> Iterator[Any]:
    """Every supplier or connection the list shows, read `batch` rows at a time."""
    stmt = _query(kind, filters, today or dt.date.today())
    offset = 0
    while True:
        chunk = session.scalars(stmt.limit(batch).offset(offset)).all()
        yield from chunk
        if len(chunk) < batch:
            return
        offset += batch


def _supplier_value(s: Supplier, name: str) -> Any:
    if name == "single_source":
        return "yes" if s.single_source else "no"
    if name == "owner":
        return s.owner.email if s.owner else ""
    if name == "sub_suppliers":
        return "; ".join(sorted(sub.code for sub in s.sub_suppliers))
    return getattr(s, name)


def _connection_value(c: Connection, name: str) -> Any:
    if name == "supplier":
        return c.supplier.code
    if name == "owner":
        return c.owner.email if c.owner else ""
    if name == "data_classes":
        return "; ".join(c.data_classes)
    return getattr(c, name)


def row_values(kind: str, obj: Any) -> list[Any]:
    """One record as the import file's cells (text, dates, or None)."""
    value = _supplier_value if kind == "suppliers" else _connection_value
    return [value(obj, name) for name in FORMATS[kind].fields]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(kind: str, records: Iterable[Any]) -> Iterator[bytes]:
    """CSV bytes of suppliers or connections in the import format (see table_csv_chunks)."""
    return table_csv_chunks(FORMATS[kind].fields, (row_values(kind, obj) for obj in records))


def table_csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV bytes (UTF-8 with BOM so Excel shows every script), one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    pending = 0
    first = True
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        pending += 1
        if pending >= BATCH:
            yield _drain(buffer, first)
            first, pending = False, 0
    yield _drain(buffer, first)


def _drain(buffer: io.StringIO, first: bool) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return (("\ufeff" if first else "") + text).encode("utf-8")


WIDE_COLUMNS = ("legal_name", "notes", "name", "endpoint", "supplier", "title")


def write_xlsx(kind: str, records: Iterable[Any], out: BinaryIO) -> None:
    """Suppliers or connections as an XLSX workbook in the import format."""
    rows = (row_values(kind, obj) for obj in records)
    write_table_xlsx(kind.title(), FORMATS[kind].fields, rows, out)


def write_table_xlsx(
    title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], out: BinaryIO
) -> None:
    """An XLSX workbook (one sheet, header row frozen) written with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header):
        sheet.column_dimensions[_letter(index)].width = 40 if name in WIDE_COLUMNS else 18

    def cell(value: Any) -> WriteOnlyCell:
        if isinstance(value, dt.date):
            result = WriteOnlyCell(sheet, value=value)
            result.number_format = "yyyy-mm-dd"
            return result
        text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
        result = WriteOnlyCell(sheet, value=text)
        # Never a formula (data_type 'f') or an error value ('e'): always a plain string.
        result.data_type = "s"
        if text.startswith(FORMULA_START):
            result.quotePrefix = True  # stays text even when someone edits the cell
        return result

    heads = []
    for name in header:
        head = WriteOnlyCell(sheet, value=name)
        head.font = Font(bold=True)
        heads.append(head)
    sheet.append(heads)
    for row in rows:
        sheet.append([cell(v) for v in row])
    book.save(out)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def filename(kind: str, fmt: str, today: dt.date | None = None) -> str:
    return f"chainlight-{kind}-{(today or dt.date.today()).isoformat()}.{fmt}"


@dataclass
class ExportFile:
    """A ready export: its file name, media type and body (bytes, or chunks to stream)."""

    filename: str
    mimetype: str
    body: bytes | Iterator[bytes] = b""
    rows: int = 0  # final once the body has been consumed


def export_list(
    session: Session,
    actor: Actor,
    kind: str,
    fmt: str,
    args: Mapping[str, Any],
    today: dt.date | None = None,
) -> ExportFile:
    """Export what the list shows for `args` (audited: who took which slice of the inventory)."""
    today = today or dt.date.today()
    filters = filters_from_args(kind, args)
    record(
        session,
        actor,
        "export",
        FORMATS[kind].noun,
        "",
        f"Exported the {kind} list as {fmt.upper()}",
        after={"format": fmt, "filters": dataclasses.asdict(filters)},
    )
    exported = ExportFile(filename(kind, fmt, today), MIMETYPES[fmt])
    rows = (row_values(kind, obj) for obj in iter_records(session, kind, filters, today=today))
    return _fill(exported, fmt, kind.title(), FORMATS[kind].fields, rows)


def export_findings(
    session: Session,
    actor: Actor,
    fmt: str,
    args: Mapping[str, Any],
    today: dt.date | None = None,
) -> ExportFile:
    """Export the findings register as filtered by `args` (every page; audited)."""
    today = today or dt.date.today()
    filters = findings_views.FindingFilters.from_args(args)
    record(
        session,
        actor,
        "export",
        "finding",
        "",
        f"Exported the findings register as {fmt.upper()}",
        after={"format": fmt, "filters": dataclasses.asdict(filters)},
    )
    exported = ExportFile(filename("findings", fmt, today), MIMETYPES[fmt])
    rows = findings_views.export_rows(session, filters, today, batch=BATCH)
    return _fill(exported, fmt, "Findings", findings_views.EXPORT_COLUMNS, rows)


def _fill(
    exported: ExportFile,
    fmt: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> ExportFile:
    """Give `exported` its body: streamed CSV chunks, or a whole XLSX workbook."""

    def counted() -> Iterator[Sequence[Any]]:
        for row in rows:
            exported.rows += 1
            yield row

    if fmt == "csv":
        exported.body = table_csv_chunks(header, counted())
    else:
        buffer = io.BytesIO()
        write_table_xlsx(title, header, counted(), buffer)
        exported.body = buffer.getvalue()
    return exported
