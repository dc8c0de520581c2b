"""Report schedules, report runs (each with its archived PDF), and the periodic jobs' runs.

A run's unique key per (schedule, period) and a job run's per (job, period) are what make
"exactly one run per due job" hold even when two job runners are started by mistake.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from app.models.files import StoredFile
    from app.models.supplier import Supplier

REPORT_KINDS: dict[str, str] = {
    "portfolio": "Executive portfolio report",
    "supplier": "Supplier assessment report",
}
CADENCES: dict[str, str] = {
    "weekly": "Weekly (Monday 07:00)",
    "monthly": "Monthly (1st, 07:00)",
    "quarterly": "Quarterly (1 Jan, Apr, Jul, Oct, 07:00)",
    "cron": "Cron expression",
}
RUN_STATUSES: dict[str, str] = {
    "queued": "Queued",
    "running": "Running",
    "succeeded": "Done",
    "failed": "Failed",
}


class ReportSchedule(Base):
    """What report to make, for what scope, when (in which timezone), and for whom."""

    __tablename__ = "report_schedule"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), index=True
    )
    cadence: Mapped[str] = mapped_column(String(20))
    cron: Mapped[str] = mapped_column(String(100))  # the crontab every cadence comes down to
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    recipients: Mapped[str] = mapped_column(Text, default="")  # e-mail addresses, one per line
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    supplier: Mapped[Supplier | None] = relationship()

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class ReportRun(Base):
    """One report made (on schedule, on request, or from the CLI) and its archived PDF."""

    __tablename__ = "report_run"
    __table_args__ = (
        UniqueConstraint("schedule_id", "period_key", name="uq_report_run_schedule_period"),
    )

    id: Mapped[intpk]
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_schedule.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), index=True
    )
    trigger: Mapped[str] = mapped_column(String(20))  # schedule | request | demo
    period_key: Mapped[str] = mapped_column(String(40), default="")
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    send: Mapped[bool] = mapped_column(Boolean, default=False)  # e-mail it to the recipients
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    requested_by_email: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[created_at]
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    size: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    emailed_to: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[dict | None] = mapped_column(JSON)  # what "changes since" compares with

    schedule: Mapped[ReportSchedule | None] = relationship()
    supplier: Mapped[Supplier | None] = relationship()
    file: Mapped[StoredFile | None] = relationship()


class JobRun(Base):
    """A periodic job's run for one period (its day or hour): claimed once, by one runner."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period_key", name="uq_job_run_job_period"),)

    id: Mapped[intpk]
    job: Mapped[str] = mapped_column(String(60))
    period_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="running")
    runner: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[created_at]
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[updated_at]
