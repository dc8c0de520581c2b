"""A supplier's certifications (ISO 28000, ISO/IEC 27001, TISAX, AEO, ...), with validity."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from app.models.files import StoredFile


class Certification(Base):
    """One certificate held by a supplier; a valid ISO 28000 one stands in for its clauses."""

    __tablename__ = "certification"

    id: Mapped[intpk]
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), index=True
    )
    standard: Mapped[str] = mapped_column(String(40), index=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    certification_body: Mapped[str] = mapped_column(String(255), default="")
    certificate_number: Mapped[str] = mapped_column(String(120), default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date, index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    file: Mapped[StoredFile | None] = relationship()
