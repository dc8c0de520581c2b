"""Counts for the home page, aggregated in SQL (a fixed number of queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Connection, Supplier
from risk_models.attention import CREDENTIAL_WARNING_DAYS, REVIEW_INTERVAL_DAYS


@dataclass
class Overview:
    suppliers: int = 0
    by_criticality: dict[str, int] = field(default_factory=dict)
    connections: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    attention: dict[str, int] = field(default_factory=dict)
    needing_attention: int = 0


def attention_conditions(today: dt.date) -> dict:
    """SQL conditions matching risk_models.attention.connection_flags, by flag key."""
    soon = today + dt.timedelta(days=CREDENTIAL_WARNING_DAYS)
    stale = today - dt.timedelta(days=REVIEW_INTERVAL_DAYS)
    return {
        "credential_expired": Connection.credential_expires_on < today,
        "credential_expiring": Connection.credential_expires_on.between(today, soon),
        "no_encryption": Connection.encryption == "none",
        "direct_core": Connection.integration_layer == "direct_core",
        "not_reviewed": or_(
            Connection.last_reviewed_on.is_(None), Connection.last_reviewed_on < stale
        ),
    }


def overview(session: Session, today: dt.date | None = None) -> Overview:
    """Live suppliers by criticality, live connections by kind, attention flag counts (two
    queries: connections are counted per kind together with the flags, and live suppliers
    are matched with IN so SQLite scans connections once)."""
    today = today or dt.date.today()
    result = Overview()
    live_supplier = Supplier.archived_at.is_(None)
    rows = session.execute(
        select(Supplier.criticality, func.count())
        .where(live_supplier)
        .group_by(Supplier.criticality)
    ).all()
    result.by_criticality = {crit: n for crit, n in rows}
    result.suppliers = sum(result.by_criticality.values())
    conds = attention_conditions(today)
    rows = session.execute(
        select(
            Connection.kind,
            func.count(),
            *[func.count().filter(cond) for cond in conds.values()],
            func.count().filter(or_(*conds.values())),
        )
        .where(
            Connection.archived_at.is_(None),
            Connection.status != "retired",
            Connection.supplier_id.in_(select(Supplier.id).where(live_supplier)),
        )
        .group_by(Connection.kind)
    ).all()
    result.by_kind = {kind: n for kind, n, *_flags in rows}
    result.connections = sum(result.by_kind.values())
    totals = [sum(r[i] for r in rows) for i in range(2, 2 + len(conds) + 1)]
    result.attention = dict(zip(conds.keys(), totals[:-1], strict=True))
    result.needing_attention = totals[-1]
    return result
