"""Partner connections: one record per link between one of our systems and a supplier's."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from app.models.supplier import Supplier
    from app.models.user import User


class Connection(Base):
    """A link over which data crosses (API, EDI, SFTP, VPN, remote access, portal, e-mail)."""

    __tablename__ = "connection"
    __table_args__ = (UniqueConstraint("supplier_id", "name", name="uq_connection_supplier_name"),)

    id: Mapped[intpk]
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    internal_system: Mapped[str] = mapped_column(String(20), index=True)
    authentication: Mapped[str] = mapped_column(String(40))
    encryption: Mapped[str] = mapped_column(String(20))
    integration_layer: Mapped[str] = mapped_column(String(40))
    access_level: Mapped[str] = mapped_column(String(20), default="read")
    endpoint: Mapped[str] = mapped_column(String(255), default="")
    credential_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    last_reviewed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    supplier: Mapped[Supplier] = relationship(back_populates="connections")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    data_class_rows: Mapped[list[ConnectionDataClass]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ConnectionDataClass.data_class"
    )

    @property
    def data_classes(self) -> list[str]:
        return [row.data_class for row in self.data_class_rows]

    @data_classes.setter
    def data_classes(self, values: list[str]) -> None:
        wanted = list(dict.fromkeys(values))
        keep = [row for row in self.data_class_rows if row.data_class in wanted]
        have = {row.data_class for row in keep}
        self.data_class_rows = keep + [
            ConnectionDataClass(data_class=v) for v in wanted if v not in have
        ]

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.kind} {self.name!r}>"


class ConnectionDataClass(Base):
    """One class of data crossing a connection (a row each, so SQL can filter and count)."""

    __tablename__ = "connection_data_class"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE"), primary_key=True
    )
    data_class: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
