"""The facts a report run stores (reports.changes) read from the database, and the labels
that name what changed since the previous run's facts.

Each fact is one query over the whole portfolio (ids only); labels are looked up only for
the ids that changed, in chunks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Connection,
    ConnectionDataClass,
    Finding,
    RiskAcceptance,
    Supplier,
    supplier_links,
)
from app.services.findings_views import overdue_condition
from app.services.risk_inputs import chunks
from reports import changes
from risk_models import vocab
from risk_models.inherent import DATA_SENSITIVITY, KIND_EXPOSURE, WRITE_ACCESS

# SQL for risk_models.inherent.is_critical_connection: sensitive data (>= 4), write access
# straight into the ERP core, or an interactive/network kind of link (exposure >= 4).
SENSITIVE = sorted(k for k, v in DATA_SENSITIVITY.items() if v >= 4)
EXPOSED_KINDS = sorted(k for k, v in KIND_EXPOSURE.items() if v >= 4)


def critical_condition():
    """SQL: the connection counts as critical (see SENSITIVE, EXPOSED_KINDS)."""
    sensitive = exists().where(
        ConnectionDataClass.connection_id == Connection.id,
        ConnectionDataClass.data_class.in_(SENSITIVE),
    )
    core_write = and_(
        Connection.integration_layer == "direct_core", Connection.access_level.in_(WRITE_ACCESS)
    )
    return or_(sensitive, core_write, Connection.kind.in_(EXPOSED_KINDS))


def _live_connections():
    return (
        Connection.archived_at.is_(None),
        Connection.status != "retired",
        Connection.supplier_id.in_(select(Supplier.id).where(Supplier.archived_at.is_(None))),
    )


def critical_connection_ids(session: Session) -> list[int]:
    """Live connections of live suppliers that count as critical (one query)."""
    return list(
        session.scalars(select(Connection.id).where(*_live_connections(), critical_condition()))
    )


def fourth_party_links(session: Session) -> list[tuple[int, int]]:
    """(supplier id, sub-supplier id) between live suppliers (one query)."""
    customer, party = aliased(Supplier), aliased(Supplier)
    rows = session.execute(
        select(supplier_links.c.supplier_id, supplier_links.c.sub_supplier_id)
        .join(customer, customer.id == supplier_links.c.supplier_id)
        .join(party, party.id == supplier_links.c.sub_supplier_id)
        .where(customer.archived_at.is_(None), party.archived_at.is_(None))
    ).all()
    return [(a, b) for a, b in rows]


def overdue_finding_ids(session: Session, today: dt.date) -> list[int]:
    """Findings open or in progress past their due date (as the findings register counts)."""
    return list(session.scalars(select(Finding.id).where(overdue_condition(today))))


def lapsed_condition(today: dt.date):
    """An acceptance that lapsed, or that expired before `today` and waits for the expiry
    job to reopen its finding."""
    return or_(
        RiskAcceptance.lapsed_on.is_not(None),
        and_(
            RiskAcceptance.expires_on < today,
            RiskAcceptance.finding_id.in_(select(Finding.id).where(Finding.status == "accepted")),
        ),
    )


def lapsed_acceptance_ids(session: Session, today: dt.date) -> list[int]:
    """Acceptances that lapsed by `today` (see lapsed_condition)."""
    return list(session.scalars(select(RiskAcceptance.id).where(lapsed_condition(today))))


def current_facts(
    session: Session, today: dt.date, tiers: Iterable[tuple[int, int]]
) -> dict[str, Any]:
    """The facts to store with a run made `today`; `tiers` are (supplier id, tier) of the
    live scored suppliers (the caller has read them already)."""
    return changes.facts_of(
        as_of=today,
        tiers=tiers,
        critical_connections=critical_connection_ids(session),
        fourth_party_links=fourth_party_links(session),
        overdue_findings=overdue_finding_ids(session, today),
        lapsed_acceptances=lapsed_acceptance_ids(session, today),
    )


def _in_parts(session: Session, make, ids: set[int]) -> list:
    rows: list = []
    for part in chunks(sorted(ids)):
        rows += session.execute(make(part)).all()
    return rows


def labels(
    session: Session,
    previous: Mapping[str, Any] | None,
    current: Mapping[str, Any],
    supplier_names: Mapping[int, str],
) -> changes.Labels:
    """Names for the ids that changed (only those are looked up)."""
    want = changes.wanted(previous, current)
    if not any(want.values()):
        return changes.Labels(suppliers=supplier_names)
    connections = {
        cid: f"{name} · {cname} ({vocab.label(vocab.CONNECTION_KINDS, kind)})"
        for cid, cname, kind, name in _in_parts(
            session,
            lambda part: (
                select(Connection.id, Connection.name, Connection.kind, Supplier.legal_name)
                .join(Supplier, Supplier.id == Connection.supplier_id)
                .where(Connection.id.in_(part))
            ),
            want["connections"],
        )
    }
    findings = {
        fid: f"{name}: {title} ({severity}, due {due:%Y-%m-%d})"
        for fid, title, severity, due, name in _in_parts(
            session,
            lambda part: (
                select(
                    Finding.id, Finding.title, Finding.severity, Finding.due_on, Supplier.legal_name
                )
                .join(Supplier, Supplier.id == Finding.supplier_id)
                .where(Finding.id.in_(part))
            ),
            want["findings"],
        )
    }
    acceptances = {
        aid: f"{name}: acceptance of “{title}” (until {until:%Y-%m-%d})"
        for aid, until, title, name in _in_parts(
            session,
            lambda part: (
                select(
                    RiskAcceptance.id, RiskAcceptance.expires_on, Finding.title, Supplier.legal_name
                )
                .join(Finding, Finding.id == RiskAcceptance.finding_id)
                .join(Supplier, Supplier.id == Finding.supplier_id)
                .where(RiskAcceptance.id.in_(part))
            ),
            want["acceptances"],
        )
    }
    return changes.Labels(supplier_names, connections, findings, acceptances)
