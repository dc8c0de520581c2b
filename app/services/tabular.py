"""Spreadsheet files as plain rows: read CSV/XLSX uploads safely, neutralise cells for export.

`read_table()` decides the format from the content (never the file name alone),
decodes text (UTF-8 with or without BOM, UTF-16 as Excel's "Unicode text", or
Windows-1252 with a notice), sniffs `,` `;` or tab as the delimiter, and returns
the header row and the data rows numbered as a spreadsheet shows them (header = 1).
Every way a file can be unreadable ends in TableError with a message a person can
act on; nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_ROWS = 10_000
MAX_UNPACKED = 200 * 1024 * 1024  # an XLSX expanding beyond this is refused (zip bomb)
# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class TableError(ValueError):
    """The file cannot be read as a table; str(exc) says why and what to do."""


@dataclass
class Table:
    """A header row and the non-blank data rows, each with its spreadsheet line number."""

    format: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    notices: list[str] = field(default_factory=list)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def unneutralise(text: str) -> str:
    """Undo neutralise(): a quote before a formula character is ours, not the data's."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def iso_date_text(value: Any) -> Any:
    """'31.12.2026' (how European Excel writes dates into CSV) as '2026-12-31'."""
    if isinstance(value, str) and (m := _DMY.match(value.strip())):
        day, month, year = (int(g) for g in m.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return value
    return value


def show(value: Any, limit: int = 60) -> str:
    """A cell value as short text for an error message."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA' (how a spreadsheet names the column)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- reading ------------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "", *, max_rows: int = MAX_ROWS) -> Table:
    """Parse an uploaded CSV or XLSX file; TableError says why one cannot be read."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise TableError("The file is empty.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(
            "This is an old Excel .xls workbook or a password-protected one. Open it in "
            "Excel, remove any password and save it as .xlsx or 'CSV UTF-8', then upload that."
        )
    if data.startswith(b"%PDF"):
        raise TableError("This is a PDF document, not a spreadsheet. Upload a CSV or XLSX file.")
    if extension == "xlsx":
        raise TableError("The file is named .xlsx but is not an Excel workbook.")
    text, notices = _decode(data)
    return _read_csv(text, max_rows, notices)


def _decode(data: bytes) -> tuple[str, list[str]]:
    notices: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TableError("The file claims to be UTF-16 text but is damaged.") from exc
        return _check_text(text), notices
    if b"\x00" in data:
        raise TableError("This is not a text file (it holds binary data). Upload a CSV or XLSX.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode("cp1252")
        except UnicodeDecodeError as exc:
            raise TableError(
                "The file is not UTF-8 text. In Excel choose Save As > 'CSV UTF-8 (comma "
                "delimited)' and upload that file."
            ) from exc
        notices = [
            "The file is not UTF-8, so it was read as Windows-1252 (Western European). Check "
            "that accented names came through; for other scripts save it as 'CSV UTF-8'."
        ]
    return _check_text(text), notices


def _check_text(text: str) -> str:
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\x7f")
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise TableError("This does not look like a text file. Upload a CSV or XLSX file.")
    return text


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; TAB outside quotes."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(text: str, max_rows: int, notices: list[str]) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows = _records(reader)
    try:
        headers, body = _collect(rows, max_rows)
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = f"a cell is longer than {csv.field_size_limit():,} characters"
        raise TableError(f"Line {rows.line}: the file cannot be read as CSV ({message}).") from exc
    return Table("csv", headers, body, notices)


class _records:
    """Iterate CSV records, remembering the record number (a spreadsheet's row)."""

    def __init__(self, reader: Iterable[list[str]]):
        self._it = iter(reader)
        self.line = 0

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        self.line += 1
        return next(self._it)


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError("The file looks like an Excel workbook but is damaged.") from exc
    if "xl/workbook.xml" not in names:
        kind = "a Word document" if "word/document.xml" in names else "a ZIP archive"
        raise TableError(f"This is {kind}, not an Excel workbook. Upload a CSV or XLSX file.")
    if unpacked > MAX_UNPACKED:
        raise TableError(
            f"The workbook unpacks to more than {MAX_UNPACKED // 1024 // 1024} MB. "
            "Save only the data sheet, or split it."
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on damaged files
        raise TableError(
            "The workbook could not be read (it may be damaged). Save it again as .xlsx "
            "or 'CSV UTF-8' and upload that."
        ) from exc
    try:
        if not book.worksheets:
            raise TableError("The workbook has no worksheet.")
        sheet = book.worksheets[0]
        notices = []
        if len(book.worksheets) > 1:
            notices.append(
                f"Only the first sheet, {sheet.title!r}, was read "
                f"(the workbook has {len(book.worksheets)} sheets)."
            )
        sheet.reset_dimensions()  # trust the cells, not a stale <dimension> element
        headers, body = _collect(sheet.iter_rows(values_only=True), max_rows)
    except TableError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged sheet XML surfaces from many places
        raise TableError("The first sheet of the workbook could not be read.") from exc
    finally:
        book.close()
    return Table("xlsx", headers, body, notices)


def _cell(value: Any) -> Any:
    """A cell as the parsers want it: text, a date, a bool or None."""
    if value is None or isinstance(value, bool | dt.date):
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date()
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        # XLSX may spell NUL as _x0000_; no database column accepts it
        return unneutralise(value.replace("\x00", ""))
    return str(value)


def _collect(rows: Iterable[Iterable[Any]], max_rows: int) -> tuple[list[str], list]:
    """(headers, [(line, cells)]) skipping blank rows; the header must be the first row."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None or all(blank(c) for c in first):
        raise TableError("The first row must hold the column names, but it is empty.")
    headers = ["" if c is None else str(c).strip() for c in first]
    body: list[tuple[int, list[Any]]] = []
    for line, raw in enumerate(iterator, start=2):
        cells = [_cell(c) for c in raw]
        if all(blank(c) for c in cells):
            continue
        if len(body) >= max_rows:
            raise TableError(
                f"The file has more than {max_rows:,} rows. Split it into files of at most "
                f"{max_rows:,} rows and import them one after the other."
            )
        body.append((line, cells))
    if not body:
        raise TableError("The file has column names but no rows below them.")
    return headers, body
