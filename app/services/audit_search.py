"""Reading the audit trail: filters for the admin browser and a formula-safe CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent
from app.services.users import like_pattern

PER_PAGE = 50
CSV_BATCH = 1000
CSV_COLUMNS = [
    "id",
    "occurred_at_utc",
    "actor_email",
    "actor_id",
    "ip_address",
    "action",
    "entity_type",
    "entity_id",
    "summary",
    "before",
    "after",
    "prev_hash",
    "hash",
]
# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class AuditFilters:
    """What the audit browser is filtered by; dates are inclusive UTC days."""

    actor: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    event_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def list_query(filters: AuditFilters) -> Select:
    """A SELECT of audit events matching the filters, newest first."""
    stmt = select(AuditEvent)
    if filters.actor:
        stmt = stmt.where(
            func.lower(AuditEvent.actor_email).like(
                like_pattern(filters.actor.lower()), escape="\\"
            )
        )
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == filters.entity_id)
    if filters.event_id is not None:
        stmt = stmt.where(AuditEvent.id == filters.event_id)
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min)
        stmt = stmt.where(AuditEvent.occurred_at >= start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min)
        stmt = stmt.where(AuditEvent.occurred_at < end)
    return stmt.order_by(AuditEvent.id.desc())


def known_values(session: Session) -> tuple[list[str], list[str]]:
    """The actions and the entity types that occur in the trail, for filter choices."""
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = session.scalars(
        select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)
    )
    return list(actions), list(types)


ENTITY_PAGES = {
    "supplier": ("suppliers.detail", "supplier_id"),
    "connection": ("connections.detail", "connection_id"),
    "user": ("admin.edit_user", "user_id"),
}


def entity_page(entity_type: str, entity_id: str) -> tuple[str, dict[str, int]] | None:
    """(endpoint, url values) of the page showing an event's record, or None."""
    if not entity_id.isdigit() or entity_type not in ENTITY_PAGES:
        return None
    endpoint, arg = ENTITY_PAGES[entity_type]
    return endpoint, {arg: int(entity_id)}


def diff_rows(before: dict | None, after: dict | None) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field either side mentions, in a stable order."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [(k, before.get(k), after.get(k)) for k in keys]


def show_value(value: Any) -> str:
    """A stored before/after value as text: JSON for lists and dicts, '—' for nothing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _json(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _row(event: AuditEvent) -> list[str]:
    values = [
        event.id,
        event.occurred_at.isoformat(timespec="seconds") + "Z",
        event.actor_email,
        event.actor_id,
        event.ip_address,
        event.action,
        event.entity_type,
        event.entity_id,
        event.summary,
        _json(event.before),
        _json(event.after),
        event.prev_hash,
        event.hash,
    ]
    return [safe_cell(v) for v in values]


def csv_lines(session: Session, filters: AuditFilters) -> Iterator[str]:
    """The filtered events as CSV text (UTF-8 BOM first, for spreadsheets), in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    base = list_query(filters)
    last_id: int | None = None
    while True:
        stmt = base if last_id is None else base.where(AuditEvent.id < last_id)
        events = session.scalars(stmt.limit(CSV_BATCH)).all()
        if not events:
            return
        buffer.seek(0)
        buffer.truncate()
        for event in events:
            writer.writerow(_row(event))
        yield buffer.getvalue()
        last_id = events[-1].id
