"""Findings (a gap to fix, with an owner and a deadline) and risk acceptances that expire."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from app.models.supplier import Supplier

FINDING_STATUSES: dict[str, str] = {
    "open": "Open",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "verified": "Verified",
    "accepted": "Risk accepted",
}
# Which status may follow which (acceptance and its lapse have their own use cases).
FINDING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "resolved"),
    "in_progress": ("resolved", "open"),
    "resolved": ("verified", "in_progress"),
    "verified": ("open",),
    "accepted": (),
}


class Finding(Base):
    """A gap found at a supplier (from an approved assessment, or added by an analyst)."""

    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("assessment_id", "control", name="uq_finding_assessment_control"),
    )

    id: Mapped[intpk]
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connection.id", ondelete="SET NULL"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL"), index=True
    )
    control: Mapped[str] = mapped_column(String(40), default="", index=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")  # assessment | manual
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    overdue_since: Mapped[dt.date | None] = mapped_column(Date)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    supplier: Mapped[Supplier] = relationship()
    acceptances: Mapped[list[RiskAcceptance]] = relationship(
        back_populates="finding", order_by="RiskAcceptance.id", cascade="all, delete-orphan"
    )


class RiskAcceptance(Base):
    """An executive's or admin's decision to live with a finding's risk until a date."""

    __tablename__ = "risk_acceptance"

    id: Mapped[intpk]
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[dt.date] = mapped_column(Date, index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_by_email: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[created_at]
    lapsed_on: Mapped[dt.date | None] = mapped_column(Date)

    finding: Mapped[Finding] = relationship(back_populates="acceptances")
