"""People and roles. Flask-Security reads these models through its SQLAlchemy datastore."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask_security import RoleMixin, UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, utcnow

if TYPE_CHECKING:
    from app.models.supplier import Supplier

roles_users = Table(
    "roles_users",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Integer, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Role(Base, RoleMixin):
    """One of admin, analyst, executive, supplier (see risk_models.vocab.ROLES)."""

    __tablename__ = "role"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    permissions: Mapped[str | None] = mapped_column(String(255))


class User(Base, UserMixin):
    """A person who logs in. Exactly one role; supplier contacts are bound to one supplier."""

    __tablename__ = "user"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fs_uniquifier: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("supplier.id", ondelete="RESTRICT"), index=True
    )
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]

    roles: Mapped[list[Role]] = relationship(secondary=roles_users, lazy="selectin")
    supplier: Mapped[Supplier | None] = relationship(foreign_keys=[supplier_id])

    @property
    def role(self) -> str:
        """The user's single role name ('' before one is given)."""
        return self.roles[0].name if self.roles else ""

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def track_failed_authn(self, auth_type: str, tfa: bool = False) -> None:
        """Flask-Security hook: a presented credential did not verify."""
        from app.security import on_failed_login

        on_failed_login(self)

    def is_locked(self, form_error: list[str] | None = None) -> bool:
        """True while a lockout runs (Flask-Security hook, also used by our login form)."""
        return self.locked_until is not None and self.locked_until > utcnow()

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
