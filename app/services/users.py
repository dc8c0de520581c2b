"""Creating and changing users: one role each, supplier contacts bound to one supplier."""

from __future__ import annotations

import uuid

from email_validator import EmailNotValidError, validate_email
from flask_security.utils import hash_password
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Role, Supplier, User
from app.services import Actor, ServiceError
from app.services.audit import record
from risk_models.vocab import ROLES

MIN_PASSWORD = 12
MAX_PASSWORD = 128
USER_FIELDS = ["email", "name", "role", "supplier_id", "active"]


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
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(f"Not a valid e-mail address: {exc}", {"email": str(exc)}) from exc


def _check_role_supplier(session: Session, role: str, supplier_id: int | None) -> None:
    if role not in ROLES:
        raise ServiceError(
            f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.", {"role": "Unknown role."}
        )
    if role == "supplier":
        if supplier_id is None:
            raise ServiceError(
                "A supplier contact must be bound to a supplier.",
                {"supplier_id": "Choose the supplier this contact works for."},
            )
        supplier = session.get(Supplier, supplier_id)
        if supplier is None or supplier.archived:
            raise ServiceError(
                f"No active supplier with id {supplier_id}.",
                {"supplier_id": "No such active supplier."},
            )
    elif supplier_id is not None:
        raise ServiceError(
            "Only supplier contacts are bound to a supplier.",
            {"supplier_id": "Leave empty for staff roles."},
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
    """Create an active user with one role (audited)."""
    email = normalise_email(email)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise ServiceError(
            f"A user with e-mail {email} already exists.", {"email": "Already in use."}
        )
    _check_role_supplier(session, role, supplier_id)
    if (problem := check_password(password)) is not None:
        raise ServiceError(f"Password refused: {problem}", {"password": problem})
    roles = ensure_roles(session)
    user = User(
        email=email,
        name=name.strip()[:120],
        password=hash_password(password),
        active=True,
        fs_uniquifier=uuid.uuid4().hex,
        supplier_id=supplier_id if role == "supplier" else None,
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
    _check_role_supplier(session, role, supplier_id)
    if actor.user_id == user.id and (role != user.role or not active):
        raise ServiceError(
            "You cannot change your own role or deactivate yourself; ask another administrator.",
            {"role": "Not for your own account."},
        )
    before = {f: getattr(user, f) for f in USER_FIELDS}
    roles = ensure_roles(session)
    user.name = name.strip()[:120]
    user.roles = [roles[role]]
    user.supplier_id = supplier_id if role == "supplier" else None
    if user.active and not active:
        user.fs_uniquifier = uuid.uuid4().hex  # ends the user's sessions
    user.active = active
    session.flush()
    after = {f: getattr(user, f) for f in USER_FIELDS}
    from app.services.audit import changes

    b, a = changes(before, after)
    if a:
        record(session, actor, "update", "user", user.id, f"Updated user {user.email}", b, a)
    return user


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    """Set a new password (admin reset or CLI), unlock the account (audited, value never logged)."""
    if (problem := check_password(password)) is not None:
        raise ServiceError(f"Password refused: {problem}", {"password": problem})
    user.password = hash_password(password)
    user.fs_uniquifier = uuid.uuid4().hex
    user.failed_login_count = 0
    user.locked_until = None
    session.flush()
    record(session, actor, "password_reset", "user", user.id, f"Password set for {user.email}")


def unlock(session: Session, actor: Actor, user: User) -> None:
    """Lift a log-in lockout (audited)."""
    user.failed_login_count = 0
    user.locked_until = None
    session.flush()
    record(session, actor, "unlock", "user", user.id, f"Unlocked {user.email}")
