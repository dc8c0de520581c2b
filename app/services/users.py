"""Creating, changing and listing users: one role each, supplier contacts bound to one supplier.

Every change is audited here; password values never reach the audit trail.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_security.utils import hash_password
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.models import Role, Supplier, User
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import validation as v
from app.services.audit import changes, record
from app.services.validation import MAX_ID
from risk_models.vocab import ROLES

MIN_PASSWORD = 12
MAX_PASSWORD = 128
MAX_NAME = 120

USER_FIELDS = ["email", "name", "role", "supplier_id", "active"]
USER_STATUSES = {"active": "Active", "inactive": "Deactivated", "locked": "Locked"}
SORTS = {
    "email": User.email,
    "name": User.name,
    "last_login": User.last_login_at,
    "created": User.created_at,
}


def ensure_roles(session: Session) -> dict[str, Role]:
    """Create the four roles if missing; return them by name."""
    existing = {r.name: r for r in session.scalars(select(Role))}
    for name, description in ROLES.items():
        if name not in existing:
            existing[name] = Role(name=name, description=description)
            session.add(existing[name])
    session.flush()
    return existing


def check_password(password: str) -> str | None:
    """An error message for an unacceptable password, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    return None


def normalise_email(email: str) -> str:
    """The lower-cased, normalised form of an address; ServiceError when it is not one."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(f"Not a valid e-mail address: {exc}", {"email": str(exc)}) from exc


class _Problems:
    """Collects every refusal so a form can show them all at once."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.errors: dict[str, str] = {}

    def add(self, message: str, field: str, field_message: str) -> None:
        self.messages.append(message)
        self.errors.setdefault(field, field_message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ServiceError(" ".join(self.messages), self.errors)


def without_controls(text: str) -> str:
    """`text` without control characters (NUL, escapes, ...), which no name or search needs."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def _check_name(problems: _Problems, name: Any) -> str:
    if isinstance(name, str) and without_controls(name) != name:
        problems.add("Name refused: control characters.", "name", "Remove control characters.")
        return ""
    try:
        return v.text(name, max_len=MAX_NAME)
    except v.FieldError as exc:
        problems.add(f"Name refused: {exc}", "name", str(exc))
        return ""


def _check_role_supplier(
    session: Session,
    problems: _Problems,
    role: str,
    supplier_id: int | None,
    current_supplier_id: int | None = None,
) -> None:
    if role not in ROLES:
        problems.add(
            f"Unknown role {str(role)[:40]!r}; choose one of {', '.join(ROLES)}.",
            "role",
            "Unknown role.",
        )
        return
    if role == "supplier":
        if supplier_id is None:
            problems.add(
                "A supplier contact must be bound to a supplier.",
                "supplier_id",
                "Choose the supplier this contact works for.",
            )
            return
        in_range = isinstance(supplier_id, int) and 0 < supplier_id <= MAX_ID
        supplier = session.get(Supplier, supplier_id) if in_range else None
        # An existing binding to a since-archived supplier may be kept as it is.
        if supplier is None or (supplier.archived and supplier_id != current_supplier_id):
            problems.add(
                f"No active supplier with id {supplier_id}.",
                "supplier_id",
                "No such active supplier.",
            )
    elif supplier_id is not None:
        problems.add(
            "Only supplier contacts are bound to a supplier.",
            "supplier_id",
            "Leave empty for staff roles.",
        )


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    role: str,
    password: str,
    name: str = "",
    supplier_id: int | None = None,
) -> User:
    """Create an active user with one role (audited); ServiceError lists every problem."""
    problems = _Problems()
    try:
        email = normalise_email(email)
    except ServiceError as exc:
        problems.add(exc.message, "email", exc.errors["email"])
    else:
        if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
            problems.add(f"A user with e-mail {email} already exists.", "email", "Already in use.")
    clean_name = _check_name(problems, name)
    _check_role_supplier(session, problems, role, supplier_id)
    if (problem := check_password(password or "")) is not None:
        problems.add(f"Password refused: {problem}", "password", problem)
    problems.raise_if_any()
    roles = ensure_roles(session)
    user = User(
        email=email,
        name=clean_name,
        password=hash_password(password),
        active=True,
        fs_uniquifier=uuid.uuid4().hex,
        supplier_id=supplier_id if role == "supplier" else None,
        failed_login_count=0,
        roles=[roles[role]],
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "create",
        "user",
        user.id,
        f"Created user {email} ({role})",
        after={"email": email, "name": user.name, "role": role, "supplier_id": user.supplier_id},
    )
    return user


def _audited(user: User) -> dict[str, Any]:
    return {f: getattr(user, f) for f in USER_FIELDS}


def _refuse_self(actor: Actor, user: User, what: str, field: str) -> None:
    """Administrators cannot lock themselves out: another administrator must do it."""
    if actor.user_id is not None and actor.user_id == user.id:
        message = f"You cannot {what} your own account; ask another administrator."
        raise ServiceError(message, {field: message})


def update_user(
    session: Session,
    actor: Actor,
    user: User,
    *,
    name: str,
    role: str,
    supplier_id: int | None,
    active: bool,
) -> User:
    """Change a user's name, role, supplier binding or active flag (audited)."""
    problems = _Problems()
    clean_name = _check_name(problems, name)
    _check_role_supplier(session, problems, role, supplier_id, user.supplier_id)
    problems.raise_if_any()
    if role != user.role:
        _refuse_self(actor, user, "change the role of", "role")
    if not active:
        _refuse_self(actor, user, "deactivate", "active")
    before = _audited(user)
    roles = ensure_roles(session)
    user.name = clean_name
    if role != user.role:
        user.roles = [roles[role]]
    user.supplier_id = supplier_id if role == "supplier" else None
    if user.active and not active:
        user.fs_uniquifier = uuid.uuid4().hex  # ends the user's sessions
    user.active = active
    session.flush()
    b, a = changes(before, _audited(user))
    if a:
        record(session, actor, "update", "user", user.id, f"Updated user {user.email}", b, a)
    return user


def set_active(session: Session, actor: Actor, user: User, active: bool) -> None:
    """Deactivate (ending the user's sessions) or reactivate an account (audited)."""
    if active == user.active:
        state = "active" if active else "deactivated"
        raise ServiceError(f"{user.email} is already {state}.")
    if not active:
        _refuse_self(actor, user, "deactivate", "active")
        user.fs_uniquifier = uuid.uuid4().hex  # Flask-Login sessions carry the old value
    user.active = active
    session.flush()
    action = "reactivate" if active else "deactivate"
    record(
        session,
        actor,
        action,
        "user",
        user.id,
        f"{action.capitalize()}d {user.email}",
        {"active": not active},
        {"active": active},
    )


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    """Set a new password (admin reset or CLI), unlock the account (audited, value never logged).

    The user's other sessions end. An administrator changes their own password on the
    account page (which asks for the current one), not here.
    """
    _refuse_self(actor, user, "reset the password of", "password")
    if (problem := check_password(password or "")) is not None:
        raise ServiceError(f"Password refused: {problem}", {"password": problem})
    user.password = hash_password(password)
    user.fs_uniquifier = uuid.uuid4().hex
    user.failed_login_count = 0
    user.locked_until = None
    session.flush()
    record(session, actor, "password_reset", "user", user.id, f"Password set for {user.email}")


def unlock(session: Session, actor: Actor, user: User) -> None:
    """Lift a log-in lockout (audited)."""
    if not user.is_locked():
        raise ServiceError(f"{user.email} is not locked.")
    before = {"locked_until": user.locked_until, "failed_login_count": user.failed_login_count}
    user.failed_login_count = 0
    user.locked_until = None
    session.flush()
    record(
        session,
        actor,
        "unlock",
        "user",
        user.id,
        f"Unlocked {user.email}",
        before,
        {"locked_until": None, "failed_login_count": 0},
    )


@dataclass
class UserFilters:
    """What the user list is filtered and sorted by (all optional)."""

    q: str = ""
    role: str = ""
    status: str = ""
    sort: str = "email"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> UserFilters:
        """Filters from query arguments; unknown or malformed values are ignored."""
        role = args.get("role")
        status = args.get("status")
        sort = str(args.get("sort", "email"))
        return cls(
            q=without_controls(str(args.get("q", ""))).strip()[:100],
            role=role if isinstance(role, str) and role in ROLES else "",
            status=status if isinstance(status, str) and status in USER_STATUSES else "",
            sort=sort if sort.lstrip("-") in SORTS else "email",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.role or self.status)


def like_pattern(needle: str) -> str:
    """A LIKE pattern matching `needle` anywhere, with % _ and \\ taken literally."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_query(filters: UserFilters) -> Select:
    """A SELECT of users matching the filters, sorted, with roles and suppliers loaded."""
    stmt = select(User).options(selectinload(User.supplier))
    if filters.q:
        lowered = like_pattern(filters.q.lower())
        stmt = stmt.where(
            or_(
                func.lower(User.email).like(lowered, escape="\\"),
                func.lower(User.name).like(lowered, escape="\\"),
                # SQLite's lower() folds ASCII only: also match names as typed.
                User.name.like(like_pattern(filters.q), escape="\\"),
            )
        )
    if filters.role:
        stmt = stmt.where(User.roles.any(Role.name == filters.role))
    now = utcnow()
    if filters.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif filters.status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif filters.status == "locked":
        stmt = stmt.where(User.locked_until.is_not(None), User.locked_until > now)
    key = filters.sort.lstrip("-")
    column = SORTS.get(key, User.email)
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    if key == "last_login":
        order = order.nulls_last()
    return stmt.order_by(order, User.email, User.id)


def supplier_choices(session: Session, keep_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the suppliers a contact can be bound to, plus `keep_id` if archived."""
    condition = Supplier.archived_at.is_(None)
    if keep_id is not None:
        condition = or_(condition, Supplier.id == keep_id)
    rows = session.execute(
        select(Supplier.id, Supplier.legal_name, Supplier.code)
        .where(condition)
        .order_by(Supplier.search_key, Supplier.id)
    ).all()
    return [(row.id, f"{row.legal_name} ({row.code})") for row in rows]
