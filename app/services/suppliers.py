"""Supplier use cases: validate, create, update, archive, link sub-suppliers, list."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.models import AuditEvent, Connection, CurrentRisk, Role, Supplier, User
from app.models.base import utcnow
from app.models.text import search_key
from app.services import Actor, ServiceError, risk
from app.services import validation as v
from app.services.audit import changes, record, snapshot
from risk_models import vocab
from risk_models.inherent import TIER_LABELS
from risk_models.residual import BANDS

AUDITED = [
    "code",
    "legal_name",
    "country",
    "category",
    "criticality",
    "single_source",
    "status",
    "owner_id",
    "website",
    "contact_email",
    "next_reassessment_on",
    "notes",
]
PER_PAGE = 25
SORTS = {
    "name": Supplier.search_key,
    "code": Supplier.code,
    "country": Supplier.country,
    "category": Supplier.category,
    "criticality": Supplier.criticality,
    "status": Supplier.status,
    "updated": Supplier.updated_at,
    "reassessment": Supplier.next_reassessment_on,
}
CRITICALITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def clean_supplier(
    data: Mapping[str, Any], today: dt.date, *, previous: Supplier | None = None
) -> tuple[dict, dict[str, str]]:
    """Parse raw input into model values; return (values, errors by field).

    `owner` may be a user id or an e-mail; it is resolved by the caller with
    resolve_owner(). A next-reassessment date in the past is refused unless it is
    the value the supplier already has.
    """
    errors: dict[str, str] = {}
    refused = {key: v.CONTROL_MESSAGE for key, value in data.items() if v.has_control_chars(value)}
    data = {key: None if key in refused else value for key, value in data.items()}
    c = v.collect
    values = {
        "code": c(errors, "code", v.code, data.get("code")),
        "legal_name": c(
            errors, "legal_name", v.text, data.get("legal_name"), max_len=255, required=True
        ),
        "country": c(errors, "country", v.country, data.get("country")),
        "category": c(
            errors, "category", v.choice, data.get("category"), vocab.SUPPLIER_CATEGORIES
        ),
        "criticality": c(
            errors, "criticality", v.choice, data.get("criticality"), vocab.CRITICALITIES
        ),
        "single_source": c(errors, "single_source", v.boolean, data.get("single_source")),
        "status": c(
            errors,
            "status",
            v.choice,
            data.get("status"),
            vocab.SUPPLIER_STATUSES,
            default="active",
        ),
        "website": c(errors, "website", v.url, data.get("website")),
        "contact_email": c(errors, "contact_email", v.email, data.get("contact_email")),
        "notes": c(errors, "notes", v.long_text, data.get("notes")),
    }
    keep_old = previous.next_reassessment_on if previous else None
    raw_next = data.get("next_reassessment_on")
    parsed = c(errors, "next_reassessment_on", v.date, raw_next)
    if parsed is not None and parsed < today and parsed != keep_old:
        errors["next_reassessment_on"] = "The next reassessment cannot be in the past."
    values["next_reassessment_on"] = parsed
    errors.update(refused)
    return values, errors


def resolve_owner(session: Session, raw: Any) -> tuple[int | None, str | None]:
    """(owner id, error) for an owner given as id, e-mail or blank. Owners are staff."""
    if v.blank(raw):
        return None, None
    if v.has_control_chars(raw):
        return None, v.CONTROL_MESSAGE
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        owner_id = v.record_id(raw)
        user = session.get(User, owner_id) if owner_id else None
    else:
        user = session.scalar(
            select(User).where(func.lower(User.email) == str(raw).strip().lower())
        )
    if user is None:
        return None, f"No user {str(raw)[:60]!r}."
    if user.role not in ("admin", "analyst"):
        return None, f"{user.email} is not an analyst or admin and cannot own suppliers."
    if not user.active:
        return None, f"{user.email} is deactivated."
    return user.id, None


def _check_code_free(session: Session, code: str, own_id: int | None) -> str | None:
    other = session.scalar(select(Supplier.id).where(Supplier.code == code))
    if other is not None and other != own_id:
        return f"Supplier code {code} is already used."
    return None


def _apply(supplier: Supplier, values: dict) -> None:
    for key, value in values.items():
        setattr(supplier, key, value)
    supplier.search_key = search_key(supplier.legal_name)


def create_supplier(
    session: Session, actor: Actor, data: Mapping[str, Any], today: dt.date | None = None
) -> Supplier:
    """Validate and add a supplier (audited); ServiceError lists every bad field."""
    values, errors = clean_supplier(data, today or dt.date.today())
    owner_id, owner_error = resolve_owner(session, data.get("owner"))
    if owner_error:
        errors["owner"] = owner_error
    if values.get("code") and (dup := _check_code_free(session, values["code"], None)):
        errors["code"] = dup
    if errors:
        raise ServiceError("The supplier was not saved.", errors)
    supplier = Supplier(owner_id=owner_id)
    _apply(supplier, values)
    session.add(supplier)
    session.flush()
    record(
        session,
        actor,
        "create",
        "supplier",
        supplier.id,
        f"Created supplier {supplier.code} {supplier.legal_name}",
        after=snapshot(supplier, AUDITED),
    )
    risk.refresh(session, "supplier_changed", supplier.id)
    return supplier


def update_supplier(
    session: Session,
    actor: Actor,
    supplier: Supplier,
    data: Mapping[str, Any],
    today: dt.date | None = None,
) -> Supplier:
    """Validate and change a supplier (audited with the fields that changed).

    An owner who has since been deactivated may stay while nobody changes the field.
    """
    values, errors = clean_supplier(data, today or dt.date.today(), previous=supplier)
    raw_owner = data.get("owner")
    owner_id, owner_error = resolve_owner(session, raw_owner)
    if owner_error and supplier.owner_id and v.record_id(raw_owner) == supplier.owner_id:
        owner_id, owner_error = supplier.owner_id, None
    if owner_error:
        errors["owner"] = owner_error
    if values.get("code") and (dup := _check_code_free(session, values["code"], supplier.id)):
        errors["code"] = dup
    if errors:
        raise ServiceError("The supplier was not saved.", errors)
    before = snapshot(supplier, AUDITED)
    _apply(supplier, values)
    supplier.owner_id = owner_id
    session.flush()
    old, new = changes(before, snapshot(supplier, AUDITED))
    if new:
        record(
            session,
            actor,
            "update",
            "supplier",
            supplier.id,
            f"Updated supplier {supplier.code}",
            old,
            new,
        )
        risk.refresh(session, "supplier_changed", supplier.id)
    return supplier


def archive_supplier(session: Session, actor: Actor, supplier: Supplier) -> None:
    """Hide a supplier from the inventory (kept for history; restorable)."""
    if supplier.archived_at is not None:
        raise ServiceError("This supplier is already archived.")
    supplier.archived_at = utcnow()
    session.flush()
    record(session, actor, "archive", "supplier", supplier.id, f"Archived supplier {supplier.code}")
    # Its customers lose a live 4th party.
    risk.refresh(session, "supplier_changed", *(c.id for c in supplier.customers))


def restore_supplier(session: Session, actor: Actor, supplier: Supplier) -> None:
    """Bring an archived supplier back into the inventory."""
    if supplier.archived_at is None:
        raise ServiceError("This supplier is not archived.")
    supplier.archived_at = None
    session.flush()
    record(session, actor, "restore", "supplier", supplier.id, f"Restored supplier {supplier.code}")
    risk.refresh(session, "supplier_changed", supplier.id, *(c.id for c in supplier.customers))


def set_sub_suppliers(
    session: Session, actor: Actor, supplier: Supplier, sub_ids: list[Any]
) -> None:
    """Replace the supplier's 4th parties (audited).

    A supplier cannot be its own; an archived supplier may stay linked but not be newly added.
    """
    parsed = [v.record_id(i) for i in sub_ids]
    if None in parsed:
        raise ServiceError(
            "Some sub-suppliers do not exist.", {"sub_suppliers": "Unknown supplier."}
        )
    wanted = list(dict.fromkeys(i for i in parsed if i is not None))
    if supplier.id in wanted:
        raise ServiceError(
            "A supplier cannot be its own sub-supplier.",
            {"sub_suppliers": "Remove the supplier itself."},
        )
    found = session.scalars(select(Supplier).where(Supplier.id.in_(wanted))).all() if wanted else []
    if len(found) != len(wanted):
        raise ServiceError(
            "Some sub-suppliers do not exist.", {"sub_suppliers": "Unknown supplier."}
        )
    current = {s.id for s in supplier.sub_suppliers}
    archived = [s.code for s in found if s.archived and s.id not in current]
    if archived:
        raise ServiceError(
            "Archived suppliers cannot become sub-suppliers.",
            {"sub_suppliers": f"Archived: {', '.join(sorted(archived))}."},
        )
    before = sorted(s.code for s in supplier.sub_suppliers)
    by_id = {s.id: s for s in found}
    supplier.sub_suppliers = sorted((by_id[i] for i in wanted), key=lambda s: (s.search_key, s.id))
    session.flush()
    after = sorted(s.code for s in found)
    if before != after:
        record(
            session,
            actor,
            "update",
            "supplier",
            supplier.id,
            f"Sub-suppliers of {supplier.code} changed",
            {"sub_suppliers": before},
            {"sub_suppliers": after},
        )
        risk.refresh(session, "supplier_changed", supplier.id)


# --- reading -------------------------------------------------------------------------------


def get_supplier(session: Session, supplier_id: Any) -> Supplier | None:
    """The supplier with this id, or None (also for ids no row can have)."""
    found = v.record_id(supplier_id)
    return session.get(Supplier, found) if found else None


def _live_connection():
    """Connections that still carry data: not archived, not retired."""
    return Connection.archived_at.is_(None), Connection.status != "retired"


def live_connection_counts(session: Session, supplier_ids: list[int]) -> dict[int, int]:
    """Live connections per supplier, in one grouped query (suppliers without any are absent)."""
    if not supplier_ids:
        return {}
    rows = session.execute(
        select(Connection.supplier_id, func.count())
        .where(Connection.supplier_id.in_(supplier_ids), *_live_connection())
        .group_by(Connection.supplier_id)
    ).all()
    return {supplier_id: n for supplier_id, n in rows}


class RiskBadge(NamedTuple):
    tier: int
    band: str
    tier_label: str
    band_label: str


def current_risk(session: Session, supplier_ids: list[int]) -> dict[int, RiskBadge]:
    """supplier id -> tier and band of its current risk snapshot, in one query."""
    if not supplier_ids:
        return {}
    rows = session.execute(
        select(CurrentRisk.supplier_id, CurrentRisk.tier, CurrentRisk.band).where(
            CurrentRisk.supplier_id.in_(supplier_ids)
        )
    ).all()
    return {
        sid: RiskBadge(tier, band, TIER_LABELS.get(tier, str(tier)), BANDS.get(band, band))
        for sid, tier, band in rows
    }


def owner_options(session: Session, include_id: int | None = None) -> list[User]:
    """Who may own suppliers (active admins and analysts), plus `include_id`, by name."""
    eligible = User.id.in_(
        select(User.id)
        .join(User.roles)
        .where(Role.name.in_(("admin", "analyst")), User.active.is_(True))
    )
    condition = or_(eligible, User.id == include_id) if include_id else eligible
    users = session.scalars(select(User).where(condition)).all()
    return sorted(users, key=lambda u: (search_key(u.display_name), u.id))


@functools.cache
def countries_by_name() -> list[tuple[str, str]]:
    """(code, name) of every country, ordered by name ignoring accents (Åland near Albania)."""
    return sorted(v.country_choices(), key=lambda pair: (search_key(pair[1]), pair[0]))


def countries_in_use(session: Session) -> list[str]:
    """The country codes of all suppliers, sorted by country name (for the filter)."""
    codes = session.scalars(select(Supplier.country).distinct()).all()
    return sorted(codes, key=lambda code: search_key(v.country_name(code)))


@dataclass
class SupplierProfile:
    """What the supplier page shows beside the supplier's own fields."""

    supplier: Supplier
    connections: list[Connection]
    live_connections: int
    events: list[AuditEvent]


def supplier_profile(session: Session, supplier: Supplier, *, events: int = 10) -> SupplierProfile:
    """The supplier's connections (not archived) and its latest audit events, newest first."""
    connections = session.scalars(
        select(Connection)
        .where(Connection.supplier_id == supplier.id, Connection.archived_at.is_(None))
        .order_by(Connection.name, Connection.id)
    ).all()
    history = (
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "supplier", AuditEvent.entity_id == str(supplier.id))
            .order_by(AuditEvent.id.desc())
            .limit(events)
        ).all()
        if events > 0
        else []
    )
    live = sum(1 for c in connections if c.status != "retired")
    return SupplierProfile(supplier, list(connections), live, list(history))


def sub_supplier_candidates(
    session: Session, supplier: Supplier, q: str = "", limit: int = 200
) -> tuple[list[Supplier], int]:
    """Live suppliers other than this one (matching `q`) that could be 4th parties; and how many."""
    stmt = select(Supplier).where(Supplier.id != supplier.id, Supplier.archived_at.is_(None))
    stmt = _search(stmt, q)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    found = session.scalars(stmt.order_by(Supplier.search_key, Supplier.id).limit(limit)).all()
    return list(found), total


# --- listing -------------------------------------------------------------------------------


@dataclass
class SupplierFilters:
    """What the supplier list is filtered and sorted by (all optional)."""

    q: str = ""
    category: str = ""
    criticality: str = ""
    country: str = ""
    owner_id: int | None = None
    status: str = ""
    archived: bool = False
    sort: str = "name"
    # From the dashboards: the current risk snapshot's tier, band or heat-map cell.
    tier: int | None = None
    band: str = ""
    cell: tuple[int, int] | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> SupplierFilters:
        """Filters from query arguments; unknown or malformed values are ignored."""
        sort = str(args.get("sort", "name"))
        country = str(args.get("country", "")).strip().upper()
        q = str(args.get("q", ""))[:100]
        return cls(
            q="" if v.has_control_chars(q) else q,
            category=_known(args.get("category"), vocab.SUPPLIER_CATEGORIES),
            criticality=_known(args.get("criticality"), vocab.CRITICALITIES),
            country=country if len(country) == 2 and country.isascii() else "",
            owner_id=v.record_id(args.get("owner", "")),
            status=_known(args.get("status"), vocab.SUPPLIER_STATUSES),
            archived=str(args.get("archived", "")) in {"1", "true", "yes", "on"},
            sort=sort if sort.lstrip("-") in SORTS else "name",
            tier=_tier(args.get("tier")),
            band=_known(args.get("band"), BANDS),
            cell=_cell(args.get("cell")),
        )

    @property
    def active(self) -> bool:
        """True when anything narrows the list (sorting does not)."""
        return bool(
            self.q.strip()
            or self.category
            or self.criticality
            or self.country
            or self.owner_id
            or self.status
            or self.archived
            or self.tier
            or self.band
            or self.cell
        )

    @property
    def risk_label(self) -> str:
        """The risk filters in words (for the list's caption), empty without them."""
        parts = []
        if self.tier:
            parts.append(TIER_LABELS[self.tier])
        if self.band:
            parts.append(f"band {BANDS[self.band]}")
        if self.cell:
            parts.append(f"likelihood {self.cell[0]} × impact {self.cell[1]}")
        return ", ".join(parts)


def _tier(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text in {"1", "2", "3", "4"} else None


def _cell(value: Any) -> tuple[int, int] | None:
    """'4-5' -> (likelihood 4, impact 5); anything else -> None."""
    parts = str(value or "").strip().split("-")
    if len(parts) != 2 or not all(p in {"1", "2", "3", "4", "5"} for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def _known(value: Any, vocabulary: dict[str, str]) -> str:
    return value if isinstance(value, str) and value in vocabulary else ""


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(stmt: Select, q: str) -> Select:
    """Every word of `q` must appear in the folded name or in the code, in any order.

    Names are compared through their search key, so 'thep viet' finds 'Thép Việt',
    'muller' finds 'Müller', 'istanbul' finds 'İstanbul' and '精密' finds '深圳精密电子'.
    """
    for word in search_key(q).split()[:8]:
        pattern = _like(word)
        stmt = stmt.where(
            or_(
                Supplier.search_key.like(pattern, escape="\\"),
                func.lower(Supplier.code).like(pattern, escape="\\"),
            )
        )
    return stmt


def _ranked(column, ordered: list[str]):
    """Sort a coded column by a meaningful order instead of its stored codes."""
    return case({key: rank for rank, key in enumerate(ordered)}, value=column, else_=len(ordered))


def _sort_column(key: str):
    if key == "criticality":
        return case(CRITICALITY_ORDER, value=Supplier.criticality, else_=9)
    if key == "country":
        return _ranked(Supplier.country, [code for code, _name in countries_by_name()])
    if key == "category":
        labels = vocab.SUPPLIER_CATEGORIES
        return _ranked(Supplier.category, sorted(labels, key=lambda k: labels[k].casefold()))
    if key == "status":
        return _ranked(Supplier.status, list(vocab.SUPPLIER_STATUSES))
    return SORTS.get(key, Supplier.search_key)


def list_query(filters: SupplierFilters) -> Select:
    """A SELECT of suppliers matching the filters, sorted, with owners loaded.

    Country sorts by country name, category by label, status by lifecycle, criticality
    most critical first; suppliers without a next-reassessment date come last either way.
    """
    stmt = select(Supplier).options(selectinload(Supplier.owner))
    stmt = stmt.where(
        Supplier.archived_at.is_not(None) if filters.archived else Supplier.archived_at.is_(None)
    )
    stmt = _search(stmt, filters.q)
    if filters.category:
        stmt = stmt.where(Supplier.category == filters.category)
    if filters.criticality:
        stmt = stmt.where(Supplier.criticality == filters.criticality)
    if filters.country:
        stmt = stmt.where(Supplier.country == filters.country.upper())
    if filters.owner_id:
        stmt = stmt.where(Supplier.owner_id == filters.owner_id)
    if filters.status:
        stmt = stmt.where(Supplier.status == filters.status)
    if filters.tier or filters.band or filters.cell:
        stmt = stmt.join(CurrentRisk, CurrentRisk.supplier_id == Supplier.id)
        if filters.tier:
            stmt = stmt.where(CurrentRisk.tier == filters.tier)
        if filters.band:
            stmt = stmt.where(CurrentRisk.band == filters.band)
        if filters.cell:
            stmt = stmt.where(
                CurrentRisk.cell_likelihood == filters.cell[0],
                CurrentRisk.cell_impact == filters.cell[1],
            )
    key = filters.sort.lstrip("-")
    column = _sort_column(key)
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    if key == "reassessment":
        order = order.nulls_last()
    return stmt.order_by(order, Supplier.search_key, Supplier.id)
