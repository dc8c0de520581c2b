"""Connection use cases: validate, create, update, retire/archive, list with attention flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import AuditEvent, Connection, ConnectionDataClass, Role, Supplier, User
from app.models.base import utcnow
from app.models.text import search_key
from app.services import Actor, ServiceError, risk
from app.services import validation as v
from app.services.audit import changes, record, snapshot
from app.services.inventory_stats import attention_conditions
from app.services.suppliers import resolve_owner
from risk_models import vocab
from risk_models.attention import ConnectionFacts, connection_flags

AUDITED = [
    "supplier_id",
    "name",
    "kind",
    "direction",
    "internal_system",
    "data_classes",
    "authentication",
    "encryption",
    "integration_layer",
    "access_level",
    "endpoint",
    "credential_expires_on",
    "owner_id",
    "status",
    "last_reviewed_on",
    "notes",
]
SORTS = {
    "name": Connection.name,
    "supplier": Supplier.search_key,
    "kind": Connection.kind,
    "system": Connection.internal_system,
    "status": Connection.status,
    "expires": Connection.credential_expires_on,
    "reviewed": Connection.last_reviewed_on,
}
NULLABLE_SORTS = {"expires", "reviewed"}
PER_PAGE = 25


def clean_connection(
    data: Mapping[str, Any], today: dt.date, *, previous: Connection | None = None
) -> tuple[dict, dict[str, str]]:
    """Parse raw input into model values; return (values, errors by field).

    The supplier is resolved separately (resolve_supplier). A last-reviewed date
    cannot lie in the future. A credential expiry already past is accepted on purpose:
    an inventory must be able to record an expired certificate, which is then flagged.
    """
    errors: dict[str, str] = {}
    c = v.collect
    values = {
        "name": c(errors, "name", v.text, data.get("name"), max_len=120, required=True),
        "kind": c(errors, "kind", v.choice, data.get("kind"), vocab.CONNECTION_KINDS),
        "direction": c(errors, "direction", v.choice, data.get("direction"), vocab.DIRECTIONS),
        "internal_system": c(
            errors, "internal_system", v.choice, data.get("internal_system"), vocab.INTERNAL_SYSTEMS
        ),
        "data_classes": c(
            errors,
            "data_classes",
            v.choices,
            data.get("data_classes"),
            vocab.DATA_CLASSES,
            required=True,
        ),
        "authentication": c(
            errors, "authentication", v.choice, data.get("authentication"), vocab.AUTHENTICATIONS
        ),
        "encryption": c(errors, "encryption", v.choice, data.get("encryption"), vocab.ENCRYPTIONS),
        "integration_layer": c(
            errors,
            "integration_layer",
            v.choice,
            data.get("integration_layer"),
            vocab.INTEGRATION_LAYERS,
        ),
        "access_level": c(
            errors,
            "access_level",
            v.choice,
            data.get("access_level"),
            vocab.ACCESS_LEVELS,
            default="read",
        ),
        "endpoint": c(errors, "endpoint", v.text, data.get("endpoint"), max_len=255),
        "status": c(
            errors,
            "status",
            v.choice,
            data.get("status"),
            vocab.CONNECTION_STATUSES,
            default="active",
        ),
        "notes": c(errors, "notes", v.long_text, data.get("notes")),
        "credential_expires_on": c(
            errors, "credential_expires_on", v.date, data.get("credential_expires_on")
        ),
        "last_reviewed_on": c(
            errors, "last_reviewed_on", v.date, data.get("last_reviewed_on"), not_after=today
        ),
    }
    if "last_reviewed_on" in errors and "after" in errors["last_reviewed_on"]:
        errors["last_reviewed_on"] = "A review date cannot be in the future."
    return values, errors


def resolve_supplier(session: Session, raw: Any) -> tuple[Supplier | None, str | None]:
    """(supplier, error) for a supplier given as id, code or Supplier; archived ones refused."""
    if isinstance(raw, Supplier):
        supplier = raw
    elif v.blank(raw):
        return None, "This field is required."
    elif isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        supplier_id = v.record_id(raw)
        supplier = session.get(Supplier, supplier_id) if supplier_id else None
        if supplier is None:
            supplier = session.scalar(select(Supplier).where(Supplier.code == str(raw).strip()))
    else:
        supplier = session.scalar(select(Supplier).where(Supplier.code == str(raw).strip().upper()))
    if supplier is None:
        return None, f"No supplier {str(raw)[:40]!r}."
    if supplier.archived:
        return None, f"Supplier {supplier.code} is archived."
    return supplier, None


def _name_taken(session: Session, supplier_id: int, name: str, own_id: int | None) -> bool:
    other = session.scalar(
        select(Connection.id).where(Connection.supplier_id == supplier_id, Connection.name == name)
    )
    return other is not None and other != own_id


def _validate(
    session: Session, data: Mapping[str, Any], today: dt.date, previous: Connection | None
) -> tuple[dict, Supplier | None, int | None]:
    values, errors = clean_connection(data, today, previous=previous)
    supplier, supplier_error = resolve_supplier(
        session, data.get("supplier", previous.supplier if previous else None)
    )
    if supplier_error:
        errors["supplier"] = supplier_error
    owner_id, owner_error = resolve_owner(session, data.get("owner"))
    if owner_error:
        errors["owner"] = owner_error
    if (
        supplier
        and values.get("name")
        and _name_taken(session, supplier.id, values["name"], previous.id if previous else None)
    ):
        errors["name"] = f"{supplier.code} already has a connection named {values['name']!r}."
    if errors:
        raise ServiceError("The connection was not saved.", errors)
    return values, supplier, owner_id


def _refuse_archived(connection: Connection) -> None:
    if connection.archived_at is not None:
        raise ServiceError("This connection is archived and can no longer be changed.")


def create_connection(
    session: Session, actor: Actor, data: Mapping[str, Any], today: dt.date | None = None
) -> Connection:
    """Validate and add a connection (audited); ServiceError lists every bad field."""
    values, supplier, owner_id = _validate(session, data, today or dt.date.today(), None)
    connection = Connection(supplier=supplier, owner_id=owner_id)
    for key, value in values.items():
        setattr(connection, key, value)
    session.add(connection)
    session.flush()
    record(
        session,
        actor,
        "create",
        "connection",
        connection.id,
        f"Created connection {connection.name} for {supplier.code}",
        after=snapshot(connection, AUDITED),
    )
    risk.refresh(session, "connection_changed", connection.supplier_id)
    return connection


def update_connection(
    session: Session,
    actor: Actor,
    connection: Connection,
    data: Mapping[str, Any],
    today: dt.date | None = None,
) -> Connection:
    """Validate and change a connection (audited with what changed)."""
    _refuse_archived(connection)
    values, supplier, owner_id = _validate(session, data, today or dt.date.today(), connection)
    before = snapshot(connection, AUDITED)
    old_supplier_id = connection.supplier_id
    for key, value in values.items():
        setattr(connection, key, value)
    connection.supplier = supplier
    connection.owner_id = owner_id
    session.flush()
    old, new = changes(before, snapshot(connection, AUDITED))
    if new:
        record(
            session,
            actor,
            "update",
            "connection",
            connection.id,
            f"Updated connection {connection.name}",
            old,
            new,
        )
        risk.refresh(session, "connection_changed", old_supplier_id, connection.supplier_id)
    return connection


def archive_connection(session: Session, actor: Actor, connection: Connection) -> None:
    """Remove a connection from the inventory (kept for history)."""
    if connection.archived_at is not None:
        raise ServiceError("This connection is already archived.")
    connection.archived_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "archive",
        "connection",
        connection.id,
        f"Archived connection {connection.name}",
    )
    risk.refresh(session, "connection_changed", connection.supplier_id)


def mark_reviewed(
    session: Session, actor: Actor, connection: Connection, today: dt.date | None = None
) -> None:
    """Record that someone reviewed the connection today."""
    _refuse_archived(connection)
    today = today or dt.date.today()
    before = connection.last_reviewed_on
    connection.last_reviewed_on = today
    session.flush()
    record(
        session,
        actor,
        "review",
        "connection",
        connection.id,
        f"Reviewed connection {connection.name}",
        {"last_reviewed_on": before.isoformat() if before else None},
        {"last_reviewed_on": today.isoformat()},
    )


def flags_for(connection: Connection, today: dt.date | None = None) -> list[str]:
    """Attention flag keys for one connection (see risk_models.attention.FLAGS)."""
    return connection_flags(
        ConnectionFacts(
            encryption=connection.encryption,
            integration_layer=connection.integration_layer,
            credential_expires_on=connection.credential_expires_on,
            last_reviewed_on=connection.last_reviewed_on,
            status=connection.status,
        ),
        today or dt.date.today(),
    )


@dataclass
class ConnectionFilters:
    """What the connection list is filtered and sorted by (all optional)."""

    q: str = ""
    supplier_id: int | None = None
    kind: str = ""
    internal_system: str = ""
    data_class: str = ""
    authentication: str = ""
    status: str = ""
    owner_id: int | None = None
    flag: str = ""
    category: str = ""
    criticality: str = ""
    country: str = ""
    archived: bool = False
    sort: str = "supplier"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> ConnectionFilters:
        """Filters from query arguments; unknown or malformed values are ignored."""
        from risk_models.attention import FLAGS

        def known(name: str, vocabulary: dict[str, str]) -> str:
            value = args.get(name)
            return value if isinstance(value, str) and value in vocabulary else ""

        def number(name: str) -> int | None:
            return v.record_id(args.get(name))

        sort = str(args.get("sort", "supplier"))
        country = str(args.get("country", "")).strip().upper()
        return cls(
            q="".join(ch for ch in str(args.get("q", ""))[:100] if not v.has_control_chars(ch)),
            supplier_id=number("supplier_id"),
            kind=known("kind", vocab.CONNECTION_KINDS),
            internal_system=known("internal_system", vocab.INTERNAL_SYSTEMS),
            data_class=known("data_class", vocab.DATA_CLASSES),
            authentication=known("authentication", vocab.AUTHENTICATIONS),
            status=known("status", vocab.CONNECTION_STATUSES),
            owner_id=number("owner"),
            flag=known("flag", {"any": "", **FLAGS}),
            category=known("category", vocab.SUPPLIER_CATEGORIES),
            criticality=known("criticality", vocab.CRITICALITIES),
            country=country if len(country) == 2 and country.isalpha() else "",
            archived=str(args.get("archived", "")) in {"1", "true", "yes", "on"},
            sort=sort if sort.lstrip("-") in SORTS else "supplier",
        )


def list_query(filters: ConnectionFilters, today: dt.date | None = None) -> Select:
    """A SELECT of connections (with supplier and owner loaded) matching the filters."""
    today = today or dt.date.today()
    stmt = (
        select(Connection)
        .join(Connection.supplier)
        .options(joinedload(Connection.supplier), selectinload(Connection.owner))
    )
    if filters.supplier_id:
        # One supplier's own view still lists its links after the supplier is archived.
        stmt = stmt.where(Connection.supplier_id == filters.supplier_id)
    else:
        stmt = stmt.where(Supplier.archived_at.is_(None))
    stmt = stmt.where(
        Connection.archived_at.is_not(None)
        if filters.archived
        else Connection.archived_at.is_(None)
    )
    if term := filters.q.strip():
        folded, lowered = search_key(term), term.lower()
        stmt = stmt.where(
            or_(
                func.lower(Connection.name).contains(folded, autoescape=True),
                func.lower(Connection.name).contains(lowered, autoescape=True),
                Supplier.search_key.contains(folded, autoescape=True),
                Supplier.code.contains(term.upper(), autoescape=True),
                func.lower(Connection.endpoint).contains(lowered, autoescape=True),
            )
        )
    for attr in ("kind", "internal_system", "authentication", "status"):
        if value := getattr(filters, attr):
            stmt = stmt.where(getattr(Connection, attr) == value)
    if filters.owner_id:
        stmt = stmt.where(Connection.owner_id == filters.owner_id)
    if filters.data_class:
        stmt = stmt.where(
            exists().where(
                ConnectionDataClass.connection_id == Connection.id,
                ConnectionDataClass.data_class == filters.data_class,
            )
        )
    for attr in ("category", "criticality"):
        if value := getattr(filters, attr):
            stmt = stmt.where(getattr(Supplier, attr) == value)
    if filters.country:
        stmt = stmt.where(Supplier.country == filters.country.upper())
    if filters.flag:
        conditions = attention_conditions(today)
        condition = (
            or_(*conditions.values()) if filters.flag == "any" else conditions.get(filters.flag)
        )
        if condition is not None:
            stmt = stmt.where(condition, Connection.status != "retired")
    key = filters.sort.lstrip("-")
    column = SORTS.get(key, Supplier.search_key)
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    if key in NULLABLE_SORTS:
        # Blank dates go last either way, the same on SQLite and PostgreSQL.
        order = order.nulls_last()
    return stmt.order_by(order, Supplier.search_key, Connection.name, Connection.id)


def explain_flags(connection: Connection, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(label, why and what to do) for each attention flag of one connection."""
    from risk_models.attention import FLAGS

    today = today or dt.date.today()
    expires, reviewed = connection.credential_expires_on, connection.last_reviewed_on
    texts = {
        "credential_expired": lambda: (
            f"The credential or certificate expired on {expires.isoformat()} "
            f"({(today - expires).days} days ago). Renew it or suspend the connection."
        ),
        "credential_expiring": lambda: (
            f"The credential or certificate expires on {expires.isoformat()} "
            f"(in {(expires - today).days} days). Plan the renewal with the supplier."
        ),
        "no_encryption": lambda: (
            "Data crosses this link unencrypted. Require TLS, IPsec, SSH or AS2 S/MIME."
        ),
        "direct_core": lambda: (
            "The supplier reaches the ERP core directly, bypassing the integration layer. "
            "Route it through the API gateway, iPaaS or EDI translator."
        ),
        "not_reviewed": lambda: (
            f"Last reviewed on {reviewed.isoformat()}, more than a year ago. Review it."
            if reviewed
            else "This connection has never been reviewed. Review it."
        ),
    }
    return [(FLAGS[key], texts[key]()) for key in flags_for(connection, today)]


def history(session: Session, connection_id: int, limit: int = 10) -> list[AuditEvent]:
    """The latest audit events of one connection, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "connection",
                AuditEvent.entity_id == str(connection_id),
            )
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )


def supplier_choices(session: Session, keep: Supplier | None = None) -> list[tuple[str, str]]:
    """(id, "Name (CODE)") of every live supplier by name, plus `keep` if archived."""
    suppliers = list(
        session.scalars(
            select(Supplier).where(Supplier.archived_at.is_(None)).order_by(Supplier.search_key)
        )
    )
    if keep is not None and keep not in suppliers:
        suppliers.insert(0, keep)
    return [(str(s.id), f"{s.legal_name} ({s.code})") for s in suppliers]


def owner_choices(session: Session, keep_id: int | None = None) -> list[tuple[str, str]]:
    """(id, name) of active admins and analysts (who may own connections), plus `keep_id`."""
    eligible = and_(Role.name.in_(["admin", "analyst"]), User.active.is_(True))
    stmt = (
        select(User)
        .join(User.roles)
        .where(or_(eligible, User.id == keep_id) if keep_id else eligible)
        .order_by(func.lower(User.name), User.email)
    )
    return [(str(u.id), f"{u.display_name} <{u.email}>") for u in session.scalars(stmt)]


def filter_countries(session: Session) -> list[str]:
    """Countries of live suppliers that have connections (for the list's filter bar)."""
    return list(
        session.scalars(
            select(Supplier.country)
            .join(Connection)
            .where(Supplier.archived_at.is_(None))
            .distinct()
            .order_by(Supplier.country)
        )
    )
