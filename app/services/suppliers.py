"""Supplier use cases: validate, create, update, archive, link sub-suppliers, list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.models import Supplier, User
from app.models.base import utcnow
from app.models.text import search_key
from app.services import Actor, ServiceError
from app.services import validation as v
from app.services.audit import changes, record, snapshot
from risk_models import vocab

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
    return values, errors


def resolve_owner(session: Session, raw: Any) -> tuple[int | None, str | None]:
    """(owner id, error) for an owner given as id, e-mail or blank. Owners are staff."""
    if v.blank(raw):
        return None, None
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        user = session.get(User, int(raw))
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
    return supplier


def update_supplier(
    session: Session,
    actor: Actor,
    supplier: Supplier,
    data: Mapping[str, Any],
    today: dt.date | None = None,
) -> Supplier:
    """Validate and change a supplier (audited with the fields that changed)."""
    values, errors = clean_supplier(data, today or dt.date.today(), previous=supplier)
    owner_id, owner_error = resolve_owner(session, data.get("owner"))
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
    return supplier


def archive_supplier(session: Session, actor: Actor, supplier: Supplier) -> None:
    """Hide a supplier from the inventory (kept for history; restorable)."""
    if supplier.archived_at is not None:
        raise ServiceError("This supplier is already archived.")
    supplier.archived_at = utcnow()
    session.flush()
    record(session, actor, "archive", "supplier", supplier.id, f"Archived supplier {supplier.code}")


def restore_supplier(session: Session, actor: Actor, supplier: Supplier) -> None:
    if supplier.archived_at is None:
        raise ServiceError("This supplier is not archived.")
    supplier.archived_at = None
    session.flush()
    record(session, actor, "restore", "supplier", supplier.id, f"Restored supplier {supplier.code}")


def set_sub_suppliers(
    session: Session, actor: Actor, supplier: Supplier, sub_ids: list[int]
) -> None:
    """Replace the supplier's 4th parties (audited); a supplier cannot be its own."""
    wanted = list(dict.fromkeys(int(i) for i in sub_ids))
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
    before = sorted(s.code for s in supplier.sub_suppliers)
    supplier.sub_suppliers = list(found)
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

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> SupplierFilters:
        """Filters from query arguments; unknown or malformed values are ignored."""
        owner = str(args.get("owner", "")).strip()
        return cls(
            q=str(args.get("q", ""))[:100],
            category=_known(args.get("category"), vocab.SUPPLIER_CATEGORIES),
            criticality=_known(args.get("criticality"), vocab.CRITICALITIES),
            country=str(args.get("country", "")).strip().upper()[:2],
            owner_id=int(owner) if owner.isdigit() else None,
            status=_known(args.get("status"), vocab.SUPPLIER_STATUSES),
            archived=str(args.get("archived", "")) in {"1", "true", "yes", "on"},
            sort=str(args.get("sort", "name"))
            if str(args.get("sort", "name")).lstrip("-") in SORTS
            else "name",
        )


def _known(value: Any, vocabulary: dict[str, str]) -> str:
    return value if isinstance(value, str) and value in vocabulary else ""


def list_query(filters: SupplierFilters) -> Select:
    """A SELECT of suppliers matching the filters, sorted, with owners loaded."""
    stmt = select(Supplier).options(selectinload(Supplier.owner))
    stmt = stmt.where(
        Supplier.archived_at.is_not(None) if filters.archived else Supplier.archived_at.is_(None)
    )
    if filters.q.strip():
        needle = search_key(filters.q)
        like = f"%{needle.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Supplier.search_key.like(like), func.lower(Supplier.code).like(like)))
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
    key = filters.sort.lstrip("-")
    column = SORTS.get(key, Supplier.search_key)
    descending = filters.sort.startswith("-")
    if key == "criticality":
        column = case(CRITICALITY_ORDER, value=Supplier.criticality, else_=9)
    order = column.desc() if descending else column.asc()
    return stmt.order_by(order, Supplier.search_key, Supplier.id)
