"""Assessments sent to suppliers, their invitations, answers, evidence and review comments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at, utcnow

if TYPE_CHECKING:
    from app.models.connection import Connection
    from app.models.files import StoredFile
    from app.models.questionnaire import TemplateVersion
    from app.models.supplier import Supplier
    from app.models.user import User

ASSESSMENT_STATUSES = {
    "sent": "Sent",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "under_review": "Under review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "cancelled": "Cancelled",
}


# Which status may follow which; services refuse any other move with a clear message.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "sent": ("in_progress", "submitted", "cancelled"),
    "in_progress": ("submitted", "cancelled"),
    "submitted": ("under_review", "changes_requested", "approved", "cancelled"),
    "under_review": ("changes_requested", "approved", "cancelled"),
    "changes_requested": ("in_progress", "submitted", "cancelled"),
    "approved": (),
    "cancelled": (),
}
OPEN_FOR_SUPPLIER = ("sent", "in_progress", "changes_requested")


class Assessment(Base):
    """One round of one questionnaire version for one supplier (optionally one connection)."""

    __tablename__ = "assessment"

    id: Mapped[intpk]
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), index=True
    )
    template_version_id: Mapped[int] = mapped_column(
        ForeignKey("template_version.id", ondelete="RESTRICT"), index=True
    )
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connection.id", ondelete="SET NULL"), index=True
    )
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL")
    )
    round: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="sent", index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    supplier: Mapped[Supplier] = relationship()
    template_version: Mapped[TemplateVersion] = relationship()
    connection: Mapped[Connection | None] = relationship()
    previous: Mapped[Assessment | None] = relationship(remote_side="Assessment.id")
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )

    def is_overdue(self, today: dt.date) -> bool:
        """Past its due date and still waiting for the supplier (shown as "overdue")."""
        return self.status in OPEN_FOR_SUPPLIER and self.due_on < today


class Invitation(Base):
    """A signed, expiring, single-purpose link for a supplier contact; only its hash is kept."""

    __tablename__ = "invitation"

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    assessment: Mapped[Assessment] = relationship()


class Answer(Base):
    """A supplier's answer to one question, with the reviewer's verdict.

    `lock_version` is SQLAlchemy's version counter: a save based on a stale copy (a second
    tab) fails instead of overwriting.
    """

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("assessment_id", "question_key", name="uq_answer_question"),)

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(80))
    value: Mapped[object | None] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[updated_at]
    verdict: Mapped[str | None] = mapped_column(String(20))  # accepted | clarify
    verdict_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # What the verdict was given on (value, comment, evidence files; see services.review):
    # when the supplier changes the answer afterwards, the verdict is shown as out of date.
    reviewed_fingerprint: Mapped[str | None] = mapped_column(String(64))

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", lazy="selectin"
    )
    comments: Mapped[list[AnswerComment]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="AnswerComment.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class Evidence(Base):
    """A file attached to an answer, with the date it speaks for and when it lapses."""

    __tablename__ = "evidence"

    id: Mapped[intpk]
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    created_at: Mapped[created_at]

    answer: Mapped[Answer] = relationship(back_populates="evidence")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class AnswerComment(Base):
    """One message in the thread under an answer (analyst or supplier contact)."""

    __tablename__ = "answer_comment"

    id: Mapped[intpk]
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_email: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    answer: Mapped[Answer] = relationship(back_populates="comments")


__all__ = [
    "ASSESSMENT_STATUSES",
    "OPEN_FOR_SUPPLIER",
    "TRANSITIONS",
    "Answer",
    "AnswerComment",
    "Assessment",
    "Evidence",
    "Invitation",
]
