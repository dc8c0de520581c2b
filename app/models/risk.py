"""Risk snapshots (a supplier's scored result at a moment) and the organisation's settings."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, intpk, updated_at, utcnow

if TYPE_CHECKING:
    from app.models.supplier import Supplier


class RiskSnapshot(Base):
    """One scored result of one supplier, kept whenever its inputs or the model change.

    `latest` marks the current score of each supplier (one row per supplier), so portfolio
    queries aggregate in SQL over it; `result` holds the full explained result and `moved`
    the sentences saying why it differs from the previous snapshot.
    """

    __tablename__ = "risk_snapshot"
    __table_args__ = (
        Index("ix_risk_snapshot_supplier_computed", "supplier_id", "computed_at"),
        # The current snapshot of a supplier: what every portfolio join looks up.
        Index("ix_risk_snapshot_supplier_latest", "supplier_id", "latest"),
        Index("ix_risk_snapshot_latest_cell", "latest", "cell_likelihood", "cell_impact"),
    )

    id: Mapped[intpk]
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id", ondelete="CASCADE"))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # when the next came
    trigger: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[str] = mapped_column(String(20))
    inputs_hash: Mapped[str] = mapped_column(String(64))
    latest: Mapped[bool] = mapped_column(Boolean, default=True)
    impact: Mapped[int] = mapped_column(Integer)
    likelihood: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(Integer, index=True)
    effectiveness: Mapped[float] = mapped_column(Float)
    residual_likelihood: Mapped[float] = mapped_column(Float)
    residual_score: Mapped[float] = mapped_column(Float)
    previous_score: Mapped[float | None] = mapped_column(Float)  # the snapshot before's
    cell_likelihood: Mapped[int] = mapped_column(Integer)
    cell_impact: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20), index=True)
    critical_connections: Mapped[int] = mapped_column(Integer, default=0)
    # Comma-separated, sorted: what the portfolio breakdowns group by (no connection join).
    connection_kinds: Mapped[str] = mapped_column(String(255), default="")
    internal_systems: Mapped[str] = mapped_column(String(255), default="")
    result: Mapped[dict] = mapped_column(JSON)
    moved: Mapped[list] = mapped_column(JSON, default=list)

    supplier: Mapped[Supplier] = relationship()

    def __repr__(self) -> str:
        return f"<RiskSnapshot {self.supplier_id} tier {self.tier} {self.band}>"


class CurrentRisk(Base):
    """Each live supplier's current score in one narrow row (a copy of its latest snapshot's
    figures), so portfolio views read one row per supplier however long the history grows."""

    __tablename__ = "supplier_risk"

    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), primary_key=True
    )
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("risk_snapshot.id", ondelete="CASCADE"))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    tier: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    cell_likelihood: Mapped[int] = mapped_column(Integer)
    cell_impact: Mapped[int] = mapped_column(Integer)
    effectiveness: Mapped[float] = mapped_column(Float)
    residual_score: Mapped[float] = mapped_column(Float)
    previous_score: Mapped[float | None] = mapped_column(Float)
    critical_connections: Mapped[int] = mapped_column(Integer)
    connection_kinds: Mapped[str] = mapped_column(String(255))
    internal_systems: Mapped[str] = mapped_column(String(255))


class RiskCoverage(Base):
    """A supplier's current coverage of one framework (replaced with each new snapshot; the
    snapshots' results keep the history), so portfolio views average it in SQL."""

    __tablename__ = "risk_coverage"

    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), primary_key=True
    )
    framework: Mapped[str] = mapped_column(String(20), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)
    assessed: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)


class AssessmentScore(Base):
    """An approved assessment's answers reduced once to the sums the risk model adds up
    (risk_models.controls.summarise); `digest` identifies the content."""

    __tablename__ = "assessment_score"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    counting_version: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict] = mapped_column(JSON)
    questions: Mapped[dict] = mapped_column(JSON)  # control -> question keys (for people)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OrgSettings(Base):
    """The organisation's settings (one row, id 1): its name and its risk appetite."""

    __tablename__ = "org_settings"

    id: Mapped[intpk]
    organisation_name: Mapped[str] = mapped_column(String(200), default="Our organisation")
    appetite_low_max: Mapped[int] = mapped_column(Integer, default=4)
    appetite_medium_max: Mapped[int] = mapped_column(Integer, default=9)
    appetite_high_max: Mapped[int] = mapped_column(Integer, default=15)
    # Days to fix a finding, by severity (risk_models.findings.DEFAULT_SLA_DAYS).
    sla_critical_days: Mapped[int] = mapped_column(Integer, default=30)
    sla_high_days: Mapped[int] = mapped_column(Integer, default=60)
    sla_medium_days: Mapped[int] = mapped_column(Integer, default=90)
    sla_low_days: Mapped[int] = mapped_column(Integer, default=180)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[updated_at]
