"""Findings (a gap to fix, with an owner and a deadline) and risk acceptances that expire."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from app.models.connection import Connection
    from app.models.files import StoredFile
    from app.models.supplier import Supplier
    from app.models.user import User

FINDING_STATUSES: dict[str, str] = {
    "open": "Open",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "verified": "Verified",
    "accepted": "Risk accepted",
}
# The supplier's remediation plan: proposed in the portal, accepted or rejected by an analyst.
PLAN_STATUSES: dict[str, str] = {
    "none": "No plan yet",
    "proposed": "Plan proposed",
    "accepted": "Plan accepted",
    "rejected": "Plan rejected",
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
    # The supplier's contact for this finding (a supplier user of the same supplier).
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    plan_status: Mapped[str] = mapped_column(String(20), default="none", index=True)
    plan_text: Mapped[str] = mapped_column(Text, default="")
    plan_due_on: Mapped[dt.date | None] = mapped_column(Date)
    plan_proposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    plan_reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    plan_review_note: Mapped[str] = mapped_column(Text, default="")
    reopened_on: Mapped[dt.date | None] = mapped_column(Date)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    supplier: Mapped[Supplier] = relationship()
    connection: Mapped[Connection | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_id])
    milestones: Mapped[list[FindingMilestone]] = relationship(
        back_populates="finding",
        order_by=lambda: (FindingMilestone.due_on, FindingMilestone.id),
        cascade="all, delete-orphan",
    )
    comments: Mapped[list[FindingComment]] = relationship(
        back_populates="finding", order_by="FindingComment.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[FindingEvidence]] = relationship(
        back_populates="finding", order_by="FindingEvidence.id", cascade="all, delete-orphan"
    )
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


class FindingMilestone(Base):
    """A step of the remediation plan, with the date it is promised for."""

    __tablename__ = "finding_milestone"

    id: Mapped[intpk]
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_at]

    finding: Mapped[Finding] = relationship(back_populates="milestones")


class FindingComment(Base):
    """One entry in a finding's thread: a message from either side, or a workflow event."""

    __tablename__ = "finding_comment"

    id: Mapped[intpk]
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_email: Mapped[str] = mapped_column(String(255), default="")
    author_role: Mapped[str] = mapped_column(String(20), default="")
    kind: Mapped[str] = mapped_column(String(20), default="comment")  # comment | event
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    finding: Mapped[Finding] = relationship(back_populates="comments")


class FindingEvidence(Base):
    """A file that shows the fix (a policy, a scan report, a screenshot), from either side."""

    __tablename__ = "finding_evidence"

    id: Mapped[intpk]
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by_email: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_role: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[created_at]

    finding: Mapped[Finding] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship(lazy="joined")
