"""Control catalogs (CSF 2.0 GV.SC, SP 800-53r5 SR and related, ISO 28000) and their crosswalk."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at


class Control(Base):
    """One control, outcome or clause of a framework, loaded from questionnaires/catalogs."""

    __tablename__ = "control"
    __table_args__ = (UniqueConstraint("framework", "identifier", name="uq_control_framework"),)

    id: Mapped[intpk]
    framework: Mapped[str] = mapped_column(String(20), index=True)
    identifier: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    family: Mapped[str] = mapped_column(String(80), default="")
    parent_identifier: Mapped[str] = mapped_column(String(40), default="")
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    catalog_version: Mapped[str] = mapped_column(String(40), default="")
    withdrawn: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    def __repr__(self) -> str:
        return f"<Control {self.framework} {self.identifier}>"


class CrosswalkLink(Base):
    """`source` (a CSF GV.SC outcome) is supported by `target` (an SR control or ISO clause)."""

    __tablename__ = "crosswalk_link"
    __table_args__ = (UniqueConstraint("source_id", "target_id", name="uq_crosswalk_link_pair"),)

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("control.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("control.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20), default="supports")
    note: Mapped[str] = mapped_column(String(255), default="")

    source: Mapped[Control] = relationship(foreign_keys=[source_id])
    target: Mapped[Control] = relationship(foreign_keys=[target_id])
