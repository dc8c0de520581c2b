"""Suppliers and their sub-suppliers (4th parties)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from app.models.connection import Connection
    from app.models.user import User

supplier_links = Table(
    "supplier_link",
    Base.metadata,
    Column("supplier_id", Integer, ForeignKey("supplier.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "sub_supplier_id", Integer, ForeignKey("supplier.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Supplier(Base):
    """A company we buy from or exchange data with; `code` is its ERP vendor-master key."""

    __tablename__ = "supplier"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    legal_name: Mapped[str] = mapped_column(String(255))
    search_key: Mapped[str] = mapped_column(String(255), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    criticality: Mapped[str] = mapped_column(String(20), index=True)
    single_source: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", use_alter=True), index=True
    )
    website: Mapped[str] = mapped_column(String(255), default="")
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    next_reassessment_on: Mapped[dt.date | None] = mapped_column(Date)
    # When the owner was last reminded that a reassessment is due (the daily job).
    reassessment_reminded_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    connections: Mapped[list[Connection]] = relationship(
        back_populates="supplier", order_by="Connection.name"
    )
    sub_suppliers: Mapped[list[Supplier]] = relationship(
        secondary=supplier_links,
        primaryjoin=lambda: Supplier.id == supplier_links.c.supplier_id,
        secondaryjoin=lambda: Supplier.id == supplier_links.c.sub_supplier_id,
        back_populates="customers",
        order_by=lambda: Supplier.search_key,
    )
    customers: Mapped[list[Supplier]] = relationship(
        secondary=supplier_links,
        primaryjoin=lambda: Supplier.id == supplier_links.c.sub_supplier_id,
        secondaryjoin=lambda: Supplier.id == supplier_links.c.supplier_id,
        back_populates="sub_suppliers",
        order_by=lambda: Supplier.search_key,
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Supplier {self.code} {self.legal_name!r}>"
