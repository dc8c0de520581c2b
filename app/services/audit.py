"""Writing and verifying the hash-chained audit trail.

hash(n) = SHA-256(canonical JSON of event n, including hash(n-1)). `prev_hash` is
unique, so two writers can never fork the chain: the second one fails and its
transaction rolls back. On PostgreSQL a transaction-scoped advisory lock makes
writers wait their turn instead.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import AuditEvent
from app.models.base import utcnow
from app.services import Actor

GENESIS = "0" * 64
_LOCK_KEY = 0x43484149  # "CHAI": the advisory lock that serialises chain writers
_HEAD = "chainlight_audit_head"  # session.info key: the chain head this transaction wrote


def _forget_head(session: Session, *args: Any) -> None:
    session.info.pop(_HEAD, None)


# Once a transaction has appended an event it holds the chain (the advisory lock on
# PostgreSQL, the write lock on SQLite) until it ends, so the head it wrote stays the head
# and need not be read again. Any end of the transaction forgets it.
for _name in ("after_commit", "after_rollback", "after_soft_rollback"):
    sa_event.listen(Session, _name, _forget_head)


def jsonable(value: Any) -> Any:
    """Turn model values into JSON-safe values (dates as ISO strings)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of a record, ready to store as before/after."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _canonical(event: Any) -> bytes:
    body = {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_email": event.actor_email,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "summary": event.summary,
        "before": event.before,
        "after": event.after,
        "ip_address": event.ip_address,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: Any) -> str:
    """The hash an event must carry, given its content and its prev_hash."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any = "",
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain; the caller commits it together with its own change.

    The event is added to the session, not flushed: it is written with the next flush,
    so a bulk change writes its events in batches.
    """
    last = session.info.get(_HEAD)
    if last is None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    entry = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.user_id,
        actor_email=actor.email[:255],
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id)[:40],
        summary=summary[:255],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        ip_address=actor.ip_address[:64],
        prev_hash=last or GENESIS,
    )
    entry.hash = compute_hash(entry)
    session.add(entry)
    session.info[_HEAD] = entry.hash
    return entry


def record_failed_login(session: Session, user, ip_address: str, locked: bool) -> AuditEvent:
    """A wrong password for a known account (and whether it is now locked)."""
    actor = Actor(user_id=user.id, email=user.email, role=user.role, ip_address=ip_address)
    summary = "Failed log-in; account locked" if locked else "Failed log-in"
    return record(session, actor, "login_failed", "user", user.id, summary)


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the chain: ok, how many events, the first broken one.

    `last_id` and `last_hash` are where a verified walk ended, so a later walk can start
    there (see `verify_chain(since=...)`).
    """

    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    last_id: int = 0
    last_hash: str = GENESIS


def verify_chain(
    session: Session, batch: int = 1000, since: ChainReport | None = None
) -> ChainReport:
    """Walk the chain in id order; stop at the first event whose links or hash are wrong.

    With `since` (an earlier intact report) only the events after it are walked and the
    counts add up; the full walk (`flask audit verify`) is what proves the older part.
    """
    start = since if since is not None and since.ok else None
    expected_prev = start.last_hash if start else GENESIS
    checked = start.checked if start else 0
    last_id = start.last_id if start else 0
    table = AuditEvent.__table__
    while True:
        events = session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
        ).all()
        if not events:
            return ChainReport(True, checked, last_id=last_id, last_hash=expected_prev)
        for row in events:
            if row.prev_hash != expected_prev:
                return ChainReport(
                    False,
                    checked,
                    row.id,
                    "its previous-hash link does not match the event before it",
                )
            if compute_hash(row) != row.hash:
                return ChainReport(False, checked, row.id, "its content does not match its hash")
            expected_prev = row.hash
            checked += 1
            last_id = row.id


class ChainWatch:
    """Verify the chain cheaply on every look: only new events, fully every `full_every` s.

    Between full walks it checks that the last verified event is still there with the same
    hash and walks only what came after it; a full walk (and `flask audit verify`) is what
    catches a change to an older event. One watch per process and database.
    """

    def __init__(self, full_every: float, clock=None):
        import time

        self.full_every = full_every
        self.clock = clock or time.monotonic
        self._last: ChainReport | None = None
        self._full_at = float("-inf")

    def status(self, session: Session) -> ChainReport:
        now = self.clock()
        since = None
        if self._last is not None and self._last.ok and now - self._full_at < self.full_every:
            anchor = session.scalar(
                select(AuditEvent.hash).where(AuditEvent.id == self._last.last_id)
            )
            if anchor == self._last.last_hash or (self._last.last_id == 0 and anchor is None):
                since = self._last
        report = verify_chain(session, since=since)
        if since is None:
            self._full_at = now
        self._last = report
        return report
