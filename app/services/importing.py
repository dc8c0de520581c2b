"""Bulk import of suppliers and connections from CSV/XLSX: check every row, then apply all.

run_import() reads the file (app.services.tabular), maps its column names (field
names, labels or common ERP aliases) to fields, and plans every row before writing
anything: each row is cleaned by the functions the forms use (clean_supplier,
clean_connection), owners and references are resolved, duplicates inside the file
are caught. If any row is bad the result lists every bad row (line as the
spreadsheet shows it, column, value, reason) and nothing is written. Otherwise rows
are created or updated through the supplier/connection services (which audit each
record), unchanged rows are left alone, and one 'import' event sums it up.

Suppliers match on their code, connections on (supplier code, connection name), so
importing the same file twice changes nothing the second time. On an existing
record a column the file does not have keeps its value; a blank cell clears it.

The caller commits when `result.ok and not result.dry_run` and rolls back otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.models import Connection, Supplier, User
from app.services import Actor, ServiceError, risk
from app.services import validation as v
from app.services.audit import record
from app.services.connections import clean_connection, create_connection, update_connection
from app.services.import_formats import CONNECTIONS, FORMATS, SUPPLIERS, ImportFormat, header_key
from app.services.suppliers import (
    clean_supplier,
    create_supplier,
    resolve_owner,
    set_sub_suppliers,
    update_supplier,
)
from app.services.tabular import (
    MAX_ROWS,
    Table,
    TableError,
    blank,
    column_letter,
    iso_date_text,
    read_table,
    show,
)

_CHUNK = 500  # ids/codes per IN (...) query


@dataclass
class RowError:
    """One refused cell or row: line as the spreadsheet numbers it (header = 1)."""

    line: int
    column: str
    value: str
    message: str


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refusal, would have done)."""

    kind: str
    filename: str = ""
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problem: str = ""  # the file as a whole cannot be imported
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem and not self.errors

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    def summary(self) -> str:
        """One line saying what happened."""
        if self.problem and not self.errors:
            return f"Import refused: {self.problem}"
        if not self.ok:
            bad = len(self.bad_lines)
            return (
                f"Import refused: {bad} of {self.rows} rows {'has' if bad == 1 else 'have'} "
                "errors; nothing was written."
            )
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.dry_run:
            return f"Dry run: {counts} ({self.rows} rows); nothing was written."
        what = self.kind if self.rows != 1 else FORMATS[self.kind].noun
        return f"Imported {self.rows} {what}: {counts}."


@dataclass
class _Record:
    line: int
    values: dict[str, Any]


@dataclass
class _Plan:
    line: int
    action: str  # create | update | unchanged
    data: dict[str, Any]
    target: Any = None
    code: str = ""
    subs: list[str] | None = None


def map_columns(fmt: ImportFormat, table: Table) -> dict[str, int]:
    """field -> column index; TableError for unknown, doubled, missing or unnamed columns."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    clashes: list[str] = []
    for index, header in enumerate(table.headers):
        if not header:
            continue
        name = fmt.lookup.get(header_key(header))
        if name is None:
            unknown.append(header)
        elif name in mapping:
            clashes.append(f"{table.headers[mapping[name]]!r} and {header!r} both mean {name}")
        else:
            mapping[name] = index
    if unknown:
        listed = ", ".join(repr(show(u, 40)) for u in unknown[:8])
        more = f" and {len(unknown) - 8} more" if len(unknown) > 8 else ""
        raise TableError(
            f"Unknown column{'s' if len(unknown) > 1 else ''} {listed}{more}. "
            f"Expected columns: {', '.join(fmt.fields)} (the format page lists the other "
            f"accepted names).{_other_kind_hint(fmt, table.headers)}"
        )
    if clashes:
        raise TableError(f"Two columns mean the same thing: {'; '.join(clashes)}. Keep one.")
    for column in fmt.columns:
        if column.key and column.field not in mapping:
            also = ", ".join(column.aliases[:5])
            raise TableError(
                f"The {column.field!r} column is missing (it may also be called {also})."
            )
    named = set(mapping.values())
    for line, cells in table.rows:
        for index, value in enumerate(cells):
            if index not in named and not blank(value):
                raise TableError(
                    f"Column {column_letter(index)} has values (first on line {line}) but no "
                    "name in row 1. Give it a column name or delete it."
                )
    return mapping


def _other_kind_hint(fmt: ImportFormat, headers: list[str]) -> str:
    for other in FORMATS.values():
        if other is not fmt and all(
            header_key(h) in other.lookup for h in headers if h and not blank(h)
        ):
            return f" This looks like a {other.kind} file: choose {other.kind} instead."
    return ""


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return shown + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")


class _Importer:
    """Shared by both kinds: owner look-ups (cached), errors by line and column."""

    fmt: ImportFormat

    def __init__(self, session: Session, today: dt.date, columns: dict[str, int], table: Table):
        self.session = session
        self.today = today
        self.present = set(columns)
        self.headers = {name: table.headers[i] for name, i in columns.items()}
        self.missing = {c.field for c in self.fmt.columns if c.required} - self.present
        self.errors: list[tuple[int, int, RowError]] = []
        self.creating_lines: list[int] = []
        self.line = 0  # the row being applied, for errors raised by the services
        self._owners: dict[Any, tuple[int | None, str | None]] = {}
        self._order = {name: i for i, name in enumerate(self.fmt.fields)}

    def fail(self, rec: _Record, errors: dict[str, str], creating: bool) -> None:
        for name, message in errors.items():
            if creating and name in self.missing:
                continue  # reported once for the whole file
            column = self.headers.get(name, name)
            error = RowError(rec.line, column, show(rec.values.get(name)), message)
            self.errors.append((rec.line, self._order.get(name, 99), error))

    def sorted_errors(self) -> list[RowError]:
        return [e for _, _, e in sorted(self.errors, key=lambda t: (t[0], t[1]))]

    def owner(self, raw: Any, current: User | None) -> tuple[int | None, str | None, bool]:
        """(owner id, error, kept): the current owner may stay even if no longer eligible."""
        if v.blank(raw):
            return None, None, False
        if current is not None and (
            raw == current.id
            or (isinstance(raw, str) and raw.strip().casefold() == current.email.casefold())
        ):
            return current.id, None, True
        cache_key = raw if isinstance(raw, int) else str(raw).strip().casefold()
        if cache_key not in self._owners:
            self._owners[cache_key] = resolve_owner(self.session, raw)
        owner_id, error = self._owners[cache_key]
        return owner_id, error, False

    def parse_code(self, raw: Any) -> tuple[str | None, str | None]:
        try:
            return v.code(raw), None
        except v.FieldError as exc:
            return None, str(exc)


def _suppliers_by_code(session: Session, codes: set[str]) -> dict[str, Supplier]:
    """Existing suppliers whose code (case-insensitively) is one of `codes`, by upper code."""
    found: dict[str, Supplier] = {}
    ordered = sorted(codes)
    for i in range(0, len(ordered), _CHUNK):
        stmt = (
            select(Supplier)
            .where(func.upper(Supplier.code).in_(ordered[i : i + _CHUNK]))
            .options(selectinload(Supplier.sub_suppliers), selectinload(Supplier.owner))
        )
        for supplier in session.scalars(stmt):
            key = supplier.code.upper()
            if key not in found or supplier.code == key:
                found[key] = supplier
    return found


def _zeros_lost(session: Session, codes: set[str]) -> dict[str, str]:
    """Numeric codes not in Chainlight whose zero-padded form is: {file code: stored code}.

    Excel drops leading zeros ('0000100234' -> '100234') when it opens a CSV; importing
    such a file must not create a second supplier.
    """
    stripped = {c: c.lstrip("0") for c in codes if c.isdigit()}
    found: dict[str, str] = {}
    wanted = sorted(set(stripped.values()))
    for i in range(0, len(wanted), _CHUNK):
        stmt = select(Supplier.code).where(
            func.ltrim(Supplier.code, "0").in_(wanted[i : i + _CHUNK])
        )
        for stored in session.scalars(stmt):
            for code, bare in stripped.items():
                if bare == stored.lstrip("0") and code != stored.upper():
                    found[code] = stored
    return found


def _zeros_message(code: str, stored: str) -> str:
    return (
        f"No supplier {code}, but there is {stored}: the leading zeros were probably lost "
        "(Excel drops them when it opens a CSV). Write the code as Chainlight has it."
    )


def _changed(target: Any, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        current = getattr(target, name)
        if name == "data_classes":
            if set(current) != set(value or []):
                return True
        elif current != value:
            return True
    return False


class _SupplierImporter(_Importer):
    fmt = SUPPLIERS
    FIELDS = (
        "code", "legal_name", "country", "category", "criticality", "single_source", "status",
        "website", "contact_email", "next_reassessment_on", "notes",
    )  # fmt: skip

    def plan(self, records: list[_Record]) -> list[_Plan]:
        codes = [self.parse_code(r.values.get("code"))[0] for r in records]
        subs = [self._sub_codes(r.values.get("sub_suppliers")) for r in records]
        wanted = {c for c in codes if c} | {c for items, _ in subs for c in items or []}
        self.by_code = _suppliers_by_code(self.session, wanted)
        in_file = {c for c in codes if c}
        self.zeros_lost = _zeros_lost(self.session, in_file - set(self.by_code))
        seen: dict[str, int] = {}
        plans = []
        for rec, code, (sub_codes, sub_error) in zip(records, codes, subs, strict=True):
            plans.append(self._plan_row(rec, code, sub_codes, sub_error, in_file, seen))
        return plans

    def _plan_row(self, rec, code, sub_codes, sub_error, in_file, seen) -> _Plan:
        target = self.by_code.get(code) if code else None
        raw = {k: val for k, val in rec.values.items() if k != "sub_suppliers"}
        data = {**self._current(target), **raw} if target else raw
        values, errors = clean_supplier(data, self.today, previous=target)
        if code in self.zeros_lost:
            errors["code"] = _zeros_message(code, self.zeros_lost[code])
        if code and code in seen:
            errors["code"] = f"{code} is also on line {seen[code]}; each code may appear once."
        elif code:
            seen[code] = rec.line
        owner_id, owner_error, _kept = self.owner(data.get("owner"), target and target.owner)
        if owner_error:
            errors["owner"] = owner_error
        data["owner"] = owner_id
        if "sub_suppliers" in self.present:
            sub_error = sub_error or self._check_subs(code, sub_codes or [], target, in_file)
            if sub_error:
                errors["sub_suppliers"] = sub_error
        else:
            sub_codes = None
        action = "create"
        if target is not None:
            current_subs = {s.code.upper() for s in target.sub_suppliers}
            changed = (
                _changed(target, values)
                or owner_id != target.owner_id
                or (sub_codes is not None and set(sub_codes) != current_subs)
            )
            action = "update" if changed else "unchanged"
            if changed and target.archived:
                errors.setdefault(
                    "code", f"Supplier {target.code} is archived; restore it before changing it."
                )
        else:
            self.creating_lines.append(rec.line)
        self.fail(rec, errors, creating=target is None)
        return _Plan(rec.line, action, data, target, code or "", sub_codes)

    def _current(self, s: Supplier) -> dict[str, Any]:
        return {name: getattr(s, name) for name in self.FIELDS} | {"owner": s.owner_id}

    def _sub_codes(self, raw: Any) -> tuple[list[str] | None, str | None]:
        if blank(raw):
            return [], None
        result: list[str] = []
        for item in re.split(r"[;,|\n]", str(raw)):
            if blank(item):
                continue
            code, error = self.parse_code(item)
            if error:
                return None, f"{show(item.strip(), 40)!r}: {error}"
            if code not in result:
                result.append(code)
        return result, None

    def _check_subs(self, code, sub_codes, target, in_file) -> str | None:
        unknown = [c for c in sub_codes if c not in self.by_code and c not in in_file]
        if unknown:
            return (
                f"Unknown supplier code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                "a sub-supplier must already exist or be in this file."
            )
        if code and code in sub_codes:
            return "A supplier cannot be its own sub-supplier."
        current = {s.code.upper() for s in target.sub_suppliers} if target else set()
        archived = [
            c
            for c in sub_codes
            if c in self.by_code and self.by_code[c].archived and c not in current
        ]
        if archived:
            return f"Archived suppliers cannot become sub-suppliers: {', '.join(archived)}."
        return None

    def apply(self, actor: Actor, plans: list[_Plan]) -> None:
        by_code = dict(self.by_code)
        for p in plans:
            self.line = p.line
            if p.action == "create":
                by_code[p.code] = create_supplier(self.session, actor, p.data, self.today)
            elif p.action == "update":
                by_code[p.code] = update_supplier(self.session, actor, p.target, p.data, self.today)
        for p in plans:
            self.line = p.line
            supplier = by_code[p.code]
            if p.subs is not None and {s.code.upper() for s in supplier.sub_suppliers} != set(
                p.subs
            ):
                set_sub_suppliers(self.session, actor, supplier, [by_code[c].id for c in p.subs])


class _ConnectionImporter(_Importer):
    fmt = CONNECTIONS
    FIELDS = (
        "name", "kind", "direction", "internal_system", "authentication", "encryption",
        "integration_layer", "access_level", "endpoint", "credential_expires_on", "status",
        "last_reviewed_on", "notes",
    )  # fmt: skip

    def plan(self, records: list[_Record]) -> list[_Plan]:
        parsed = [self.parse_code(r.values.get("supplier")) for r in records]
        codes = {c for c, _ in parsed if c}
        self.suppliers = _suppliers_by_code(self.session, codes)
        self.zeros_lost = _zeros_lost(self.session, codes - set(self.suppliers))
        self._load_connections([s.id for s in self.suppliers.values()])
        seen: dict[tuple[str, str], int] = {}
        return [
            self._plan_row(rec, code, code_error, seen)
            for rec, (code, code_error) in zip(records, parsed, strict=True)
        ]

    def _load_connections(self, supplier_ids: list[int]) -> None:
        self.exact: dict[tuple[int, str], Connection] = {}
        self.folded: dict[tuple[int, str], list[Connection]] = {}
        for i in range(0, len(supplier_ids), _CHUNK):
            stmt = (
                select(Connection)
                .where(Connection.supplier_id.in_(supplier_ids[i : i + _CHUNK]))
                .options(selectinload(Connection.owner))
            )
            for c in self.session.scalars(stmt):
                self.exact[(c.supplier_id, c.name)] = c
                self.folded.setdefault((c.supplier_id, c.name.casefold()), []).append(c)

    def _match(self, supplier: Supplier | None, name: str | None) -> Connection | None:
        if supplier is None or not name:
            return None
        if found := self.exact.get((supplier.id, name)):
            return found
        candidates = self.folded.get((supplier.id, name.casefold()), [])
        return candidates[0] if len(candidates) == 1 else None

    def _plan_row(self, rec, code, code_error, seen) -> _Plan:
        errors: dict[str, str] = {}
        supplier = self.suppliers.get(code) if code else None
        if code_error:
            errors["supplier"] = code_error
        elif code in self.zeros_lost:
            errors["supplier"] = _zeros_message(code, self.zeros_lost[code])
        elif supplier is None:
            errors["supplier"] = f"No supplier with code {code}: import the suppliers first."
        elif supplier.archived:
            errors["supplier"] = f"Supplier {supplier.code} is archived."
        try:
            name = v.text(rec.values.get("name"), max_len=120, required=True)
        except v.FieldError:
            name = None  # clean_connection reports it
        target = self._match(supplier, name)
        data = {**self._current(target), **rec.values} if target else dict(rec.values)
        data["supplier"] = supplier
        values, clean_errors = clean_connection(data, self.today, previous=target)
        errors = clean_errors | errors
        if code and name:
            key = (code, name.casefold())
            if key in seen:
                errors["name"] = (
                    f"{code} / {name!r} is also on line {seen[key]}; "
                    "each connection may appear once."
                )
            else:
                seen[key] = rec.line
        owner_id, owner_error, kept = self.owner(data.get("owner"), target and target.owner)
        if owner_error:
            errors["owner"] = owner_error
        data["owner"] = owner_id
        action = "create"
        if target is not None:
            changed = _changed(target, values) or owner_id != target.owner_id
            action = "update" if changed else "unchanged"
            if changed and target.archived_at is not None:
                errors.setdefault(
                    "name", "This connection is archived and can no longer be changed."
                )
            if changed and kept:
                _, owner_problem = resolve_owner(self.session, owner_id)
                if owner_problem:
                    errors["owner"] = f"{owner_problem} Choose another owner to change this row."
        else:
            self.creating_lines.append(rec.line)
        self.fail(rec, errors, creating=target is None)
        return _Plan(rec.line, action, data, target, code or "")

    def _current(self, c: Connection) -> dict[str, Any]:
        values = {name: getattr(c, name) for name in self.FIELDS}
        return values | {"data_classes": list(c.data_classes), "owner": c.owner_id}

    def apply(self, actor: Actor, plans: list[_Plan]) -> None:
        for p in plans:
            self.line = p.line
            if p.action == "create":
                create_connection(self.session, actor, p.data, self.today)
            elif p.action == "update":
                update_connection(self.session, actor, p.target, p.data, self.today)


IMPORTERS: dict[str, type[_Importer]] = {
    "suppliers": _SupplierImporter,
    "connections": _ConnectionImporter,
}


def _records(fmt: ImportFormat, table: Table, columns: dict[str, int]) -> list[_Record]:
    dates = {c.field for c in fmt.columns if c.is_date}
    records = []
    for line, cells in table.rows:
        values = {}
        for name, index in columns.items():
            cell = cells[index] if index < len(cells) else None
            values[name] = iso_date_text(cell) if name in dates else cell
        records.append(_Record(line, values))
    return records


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def run_import(
    session: Session,
    actor: Actor,
    kind: str,
    data: bytes,
    filename: str = "",
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    max_rows: int = MAX_ROWS,
    max_bytes: int | None = None,
) -> ImportResult:
    """Check every row of a suppliers or connections file; apply them all only if all are good.

    Returns counts or every bad row. Never commits; the caller commits when
    `result.ok and not dry_run` and rolls back otherwise.
    """
    fmt = FORMATS[kind]
    today = today or dt.date.today()
    result = ImportResult(kind, filename=(filename or "upload")[-120:], dry_run=dry_run)
    if max_bytes is not None and len(data) > max_bytes:
        result.problem = f"The file is larger than the {_size(max_bytes)} limit; split it."
        return result
    try:
        table = read_table(data, filename, max_rows=max_rows)
        columns = map_columns(fmt, table)
    except TableError as exc:
        result.problem = str(exc)
        return result
    result.notices, result.rows = table.notices, len(table.rows)
    importer = IMPORTERS[kind](session, today, columns, table)
    plans = importer.plan(_records(fmt, table, columns))
    result.errors = importer.sorted_errors()
    if importer.missing and importer.creating_lines:
        names = ", ".join(sorted(importer.missing, key=fmt.fields.index))
        result.problem = (
            f"The file has no {names} column, which new {kind} need (lines "
            f"{_lines(importer.creating_lines)} are not in Chainlight yet). Add the column, "
            f"or leave out the new {kind} to update only existing ones."
        )
    if not result.ok:
        return result
    result.created = sum(p.action == "create" for p in plans)
    result.updated = sum(p.action == "update" for p in plans)
    result.unchanged = sum(p.action == "unchanged" for p in plans)
    if dry_run:
        return result
    try:
        with risk.batch(session):
            importer.apply(actor, plans)
    except ServiceError as exc:
        # Checked above with the same rules, so this means the data changed meanwhile.
        result.errors = [
            RowError(importer.line, importer.headers.get(k, k), "", m)
            for k, m in (exc.errors or {"": exc.message}).items()
        ]
        result.created = result.updated = result.unchanged = 0
        return result
    except IntegrityError:
        result.problem = (
            "Someone changed the same records while the file was imported; nothing was "
            "written. Import the file again."
        )
        result.created = result.updated = result.unchanged = 0
        return result
    record(
        session,
        actor,
        "import",
        fmt.noun,
        "",
        f"Imported {kind} from {result.filename}: {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged",
        after={
            "file": result.filename,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result
