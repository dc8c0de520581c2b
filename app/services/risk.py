"""Scoring suppliers and keeping their risk snapshots; the organisation's risk appetite.

`recompute` gathers the inputs in bulk (app.services.risk_inputs), runs the pure model
(risk_models) and stores a new snapshot only for suppliers whose inputs' hash or model
version changed, so running it twice writes nothing the second time. Callers commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from app.models import CurrentRisk, OrgSettings, RiskCoverage, RiskSnapshot
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services.audit import record
from app.services.risk_inputs import chunks, collector_paused, gather, with_answers
from risk_models.history import what_moved
from risk_models.model import evaluate, fingerprint
from risk_models.types import Appetite

TRIGGERS: dict[str, str] = {
    "recompute": "Recomputed",
    "assessment_approved": "Assessment approved",
    "connection_changed": "Connection changed",
    "supplier_changed": "Supplier changed",
    "certification_changed": "Certificate changed",
    "appetite_changed": "Risk appetite changed",
    "mitigation_changed": "Mitigation changed",
    "demo": "Demo data",
}


# What supplier_risk copies from a new snapshot.
_CURRENT_COLUMNS = (
    "supplier_id", "computed_at", "tier", "band", "cell_likelihood", "cell_impact",
    "effectiveness", "residual_score", "previous_score", "critical_connections",
    "connection_kinds", "internal_systems",
)  # fmt: skip
_LOCK_KEY = 0x5249534B  # "RISK": the advisory lock that serialises scorers


@dataclass(frozen=True)
class RecomputeResult:
    checked: int
    changed: int
    rebanded: int = 0  # suppliers whose band differs afterwards (set_appetite)


def recompute(
    session: Session,
    trigger: str = "recompute",
    supplier_ids: Iterable[int] | None = None,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RecomputeResult:
    """Score the given suppliers (all live ones by default); store what changed."""
    ids = None if supplier_ids is None else sorted(set(supplier_ids))
    if ids == []:
        return RecomputeResult(0, 0)
    if session.get_bind().dialect.name == "postgresql":
        # One scorer at a time, until this transaction ends: two at once could both retire
        # a supplier's current snapshot and each add a new "latest" one. (SQLite has a
        # single writer anyway.)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    with collector_paused():
        return _recompute(session, trigger, ids, today, now)


def _recompute(
    session: Session,
    trigger: str,
    ids: list[int] | None,
    today: dt.date | None,
    now: dt.datetime | None,
) -> RecomputeResult:
    gathered = gather(session, ids, today)
    cat = gathered.catalog
    hashes = {
        sid: fingerprint(data, cat, gathered.answer_digests(sid))
        for sid, data in gathered.inputs.items()
    }
    current = _latest_rows(session, list(gathered.inputs))
    stale = [sid for sid, h in hashes.items() if current.get(sid, (None, None))[1] != h]
    if not stale:
        return RecomputeResult(len(gathered.inputs), 0)
    inputs = with_answers(session, gathered, stale)
    previous = _results(session, [current[sid][0] for sid in stale if sid in current])
    when = now or utcnow()
    rows, coverage = [], []
    for sid in stale:
        result = evaluate(inputs[sid], cat)
        data = result.to_dict()
        before = previous.get(current[sid][0]) if sid in current else None
        rows.append(
            {
                "supplier_id": sid,
                "computed_at": when,
                "trigger": trigger,
                "model_version": result.model_version,
                "inputs_hash": hashes[sid],
                "latest": True,
                "impact": result.impact,
                "likelihood": result.likelihood,
                "tier": result.tier,
                "effectiveness": result.effectiveness,
                "residual_likelihood": result.residual_likelihood,
                "residual_score": result.residual_score,
                "previous_score": before["residual_score"] if before else None,
                "cell_likelihood": result.cell[0],
                "cell_impact": result.cell[1],
                "band": result.band,
                "critical_connections": result.critical_connections,
                "connection_kinds": ",".join(result.connection_kinds),
                "internal_systems": ",".join(result.internal_systems),
                "result": data,
                "moved": what_moved(before, data),
            }
        )
        coverage.append(result.coverage)
    old_ids = [current[sid][0] for sid in stale if sid in current]
    for part in chunks(old_ids):
        session.execute(
            update(RiskSnapshot)
            .where(RiskSnapshot.id.in_(part))
            .values(latest=False, superseded_at=when),
            execution_options={"synchronize_session": False},
        )
    for start in range(0, len(rows), 2000):
        session.execute(insert(RiskSnapshot.__table__), rows[start : start + 2000])
    # The current-score copies (supplier_risk) and coverage rows of these suppliers.
    new_ids: dict[int, int] = {}
    for part in chunks(stale):
        session.execute(delete(CurrentRisk.__table__).where(CurrentRisk.supplier_id.in_(part)))
        session.execute(delete(RiskCoverage.__table__).where(RiskCoverage.supplier_id.in_(part)))
        new_ids.update(
            session.execute(
                select(RiskSnapshot.supplier_id, RiskSnapshot.id).where(
                    RiskSnapshot.supplier_id.in_(part), RiskSnapshot.latest.is_(True)
                )
            ).all()
        )
    current_rows = [
        {"snapshot_id": new_ids[row["supplier_id"]]} | {key: row[key] for key in _CURRENT_COLUMNS}
        for row in rows
    ]
    for start in range(0, len(current_rows), 5000):
        session.execute(insert(CurrentRisk.__table__), current_rows[start : start + 5000])
    cover_rows = [
        {
            "supplier_id": sid,
            "framework": c.framework,
            "total": c.total,
            "assessed": c.assessed,
            "met": c.met,
            "score": c.score,
        }
        for sid, covers in zip(stale, coverage, strict=True)
        for c in covers
    ]
    for start in range(0, len(cover_rows), 5000):
        session.execute(insert(RiskCoverage.__table__), cover_rows[start : start + 5000])
    session.flush()
    return RecomputeResult(len(gathered.inputs), len(rows))


def _latest_rows(session: Session, ids: list[int]) -> dict[int, tuple[int, str]]:
    """supplier id -> (snapshot id, inputs hash) of its current snapshot."""
    found: dict[int, tuple[int, str]] = {}
    stmt = select(RiskSnapshot.supplier_id, RiskSnapshot.id, RiskSnapshot.inputs_hash).where(
        RiskSnapshot.latest.is_(True)
    )
    if len(ids) > 5 * 900:
        rows = session.execute(stmt).all()
    else:
        rows = [
            r
            for part in chunks(ids)
            for r in session.execute(stmt.where(RiskSnapshot.supplier_id.in_(part)))
        ]
    for sid, snap_id, h in rows:
        found[sid] = (snap_id, h)
    return found


def _results(session: Session, snapshot_ids: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for part in chunks(snapshot_ids):
        for sid, result in session.execute(
            select(RiskSnapshot.id, RiskSnapshot.result).where(RiskSnapshot.id.in_(part))
        ):
            out[sid] = result
    return out


_DEFERRED = "risk_deferred"


def refresh(session: Session, trigger: str, *supplier_ids: int | None) -> None:
    """Re-score the suppliers a change touched (the hook services call after a change).

    Inside `batch(session)` the ids are collected and scored once at the end instead.
    """
    ids = {i for i in supplier_ids if i is not None}
    pending = session.info.get(_DEFERRED)
    if pending is not None:
        pending.setdefault(trigger, set()).update(ids)
    elif ids:
        recompute(session, trigger, ids)


@contextmanager
def batch(
    session: Session, *, now: dt.datetime | None = None, trigger: str | None = None
) -> Iterator[None]:
    """Defer the re-scoring of many changes (an import) to one bulk recompute at the end.

    `now` dates the snapshots written at the end and `trigger` labels them all (the demo
    uses both to tell a history); otherwise each change keeps its own trigger.
    """
    if session.info.get(_DEFERRED) is not None:  # already inside a batch
        yield
        return
    session.info[_DEFERRED] = pending = {}
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)
    if trigger is not None:
        pending = {trigger: set().union(*pending.values())}
    for label, ids in pending.items():
        if ids:
            recompute(session, label, ids, now=now)


# --- reading ---------------------------------------------------------------------------


def current(session: Session, supplier_id: int) -> RiskSnapshot | None:
    """The supplier's current snapshot."""
    return session.scalar(
        select(RiskSnapshot)
        .where(RiskSnapshot.supplier_id == supplier_id, RiskSnapshot.latest.is_(True))
        .order_by(RiskSnapshot.id.desc())
        .limit(1)
    )


def history(session: Session, supplier_id: int, limit: int = 50) -> list[RiskSnapshot]:
    """The supplier's snapshots, oldest first (the last `limit` of them)."""
    rows = session.scalars(
        select(RiskSnapshot)
        .where(RiskSnapshot.supplier_id == supplier_id)
        .order_by(RiskSnapshot.computed_at.desc(), RiskSnapshot.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


# --- settings --------------------------------------------------------------------------


def settings(session: Session, default_name: str | None = None) -> OrgSettings:
    """The settings row (created with defaults on first use)."""
    row = session.get(OrgSettings, 1)
    if row is None:
        row = OrgSettings(id=1)
        if default_name:
            row.organisation_name = default_name[:200]
        session.add(row)
        session.flush()
    return row


def organisation_name(session: Session) -> str | None:
    """The organisation's name as an admin set it (None until then)."""
    return session.scalar(select(OrgSettings.organisation_name).where(OrgSettings.id == 1))


def set_appetite(
    session: Session, actor: Actor, new: Appetite, organisation_name: str | None = None
) -> RecomputeResult:
    """Change the appetite (admins only) and re-band every supplier."""
    if actor.role not in ("admin", "system"):
        raise ServiceError("Only an administrator can change the risk appetite.")
    problems = new.problems()
    if problems:
        raise ServiceError(problems[0], {"appetite": problems[0]})
    row = settings(session)
    before = {
        "low_max": row.appetite_low_max,
        "medium_max": row.appetite_medium_max,
        "high_max": row.appetite_high_max,
        "organisation_name": row.organisation_name,
    }
    row.appetite_low_max, row.appetite_medium_max, row.appetite_high_max = (
        new.low_max,
        new.medium_max,
        new.high_max,
    )
    if organisation_name is not None:
        name = organisation_name.strip()
        if not name:
            raise ServiceError("Enter the organisation's name.", {"organisation_name": "Required."})
        row.organisation_name = name[:200]
    row.updated_by_id = actor.user_id
    session.flush()
    after = {
        "low_max": new.low_max,
        "medium_max": new.medium_max,
        "high_max": new.high_max,
        "organisation_name": row.organisation_name,
    }
    if after == before:
        return RecomputeResult(0, 0)
    record(
        session,
        actor,
        "settings_update",
        "org_settings",
        1,
        "Changed the organisation's settings",
        before,
        after,
    )
    if new == Appetite(*(before[k] for k in ("low_max", "medium_max", "high_max"))):
        return RecomputeResult(0, 0)
    bands = _bands(session)
    result = recompute(session, "appetite_changed")
    moved = sum(1 for sid, band in _bands(session).items() if bands.get(sid, band) != band)
    return RecomputeResult(result.checked, result.changed, moved)


def _bands(session: Session) -> dict[int, str]:
    """supplier id -> band of its current score."""
    return dict(session.execute(select(CurrentRisk.supplier_id, CurrentRisk.band)).all())
