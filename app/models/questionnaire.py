"""Questionnaire templates and their immutable, versioned definitions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk

if TYPE_CHECKING:
    from app.models.user import User


class QuestionnaireTemplate(Base):
    """A named questionnaire (e.g. `cscrm-core`); its content lives in versions."""

    __tablename__ = "questionnaire_template"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(20), default="supplier")  # or "connection"
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.number"
    )


class TemplateVersion(Base):
    """One version of a template: a validated definition (questionnaires.schema) as JSON.

    A version that an assessment uses is never changed: editing it makes a new version.
    """

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("template_id", "number", name="uq_template_version_number"),)

    id: Mapped[intpk]
    template_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_template.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published
    definition: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    question_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    template: Mapped[QuestionnaireTemplate] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
