"""What the report pages show: the archive of report runs (filtered, newest first) and the
schedules with their last run and next fire time. Reads only; app.services.reporting
changes things.

Each list loads what its rows show (supplier, schedule) with the list, in a fixed number
of queries however many rows there are.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from app.models import ReportRun, ReportSchedule
from app.models.report import REPORT_KINDS, RUN_STATUSES
from app.services import reporting

PER_PAGE = 25
TRIGGERS: dict[str, str] = {
    "schedule": "On schedule",
    "request": "On request",
    "demo": "Demo data",
}


@dataclass(frozen=True)
class RunFilters:
    """What the archive is filtered by (all optional)."""

    kind: str = ""
    status: str = ""
    trigger: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> RunFilters:
        """Filters from query arguments; unknown values are ignored."""

        def known(name: str, vocabulary: Mapping[str, str]) -> str:
            value = args.get(name)
            return value if isinstance(value, str) and value in vocabulary else ""

        return cls(
            kind=known("kind", REPORT_KINDS),
            status=known("status", RUN_STATUSES),
            trigger=known("trigger", TRIGGERS),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.kind or self.status or self.trigger)


def archive_query(filters: RunFilters) -> Select:
    """The report runs, newest first, with the supplier and schedule each row names."""
    stmt = select(ReportRun).options(joinedload(ReportRun.supplier), joinedload(ReportRun.schedule))
    if filters.kind:
        stmt = stmt.where(ReportRun.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(ReportRun.status == filters.status)
    if filters.trigger:
        stmt = stmt.where(ReportRun.trigger == filters.trigger)
    return stmt.order_by(ReportRun.created_at.desc(), ReportRun.id.desc())


def load_run(session: Session, run_id: int) -> ReportRun | None:
    """One run with its archived file."""
    return session.scalar(
        select(ReportRun).options(joinedload(ReportRun.file)).where(ReportRun.id == run_id)
    )


def load_schedule(session: Session, schedule_id: int) -> ReportSchedule | None:
    return session.scalar(
        select(ReportSchedule)
        .options(joinedload(ReportSchedule.supplier))
        .where(ReportSchedule.id == schedule_id)
    )


@dataclass(frozen=True)
class NextFire:
    """When a schedule fires next, in its own timezone and in UTC."""

    local: dt.datetime
    utc: dt.datetime


@dataclass(frozen=True)
class ScheduleRow:
    schedule: ReportSchedule
    next_fire: NextFire | None
    last_run: ReportRun | None


def next_fire(schedule: ReportSchedule, now: dt.datetime) -> NextFire | None:
    """The next fire time of an active schedule (None when paused or unreadable)."""
    if not schedule.active:
        return None
    try:
        fire = reporting.next_due(schedule, now)
    except (ValueError, ZoneInfoNotFoundError):
        return None
    if fire is None:
        return None
    return NextFire(fire.astimezone(ZoneInfo(schedule.timezone)), fire.astimezone(dt.UTC))


def schedule_rows(session: Session, now: dt.datetime) -> list[ScheduleRow]:
    """Every schedule by name, with its next fire time and its latest run (two queries)."""
    schedules = session.scalars(
        select(ReportSchedule)
        .options(joinedload(ReportSchedule.supplier))
        .order_by(func.lower(ReportSchedule.name), ReportSchedule.id)
    ).all()
    last: dict[int | None, ReportRun] = {}
    if schedules:
        latest_ids = (
            select(func.max(ReportRun.id))
            .where(ReportRun.schedule_id.in_([s.id for s in schedules]))
            .group_by(ReportRun.schedule_id)
        )
        runs = session.scalars(select(ReportRun).where(ReportRun.id.in_(latest_ids)))
        last = {run.schedule_id: run for run in runs}
    return [ScheduleRow(s, next_fire(s, now), last.get(s.id)) for s in schedules]


@functools.cache
def timezone_names() -> tuple[str, ...]:
    """The zoneinfo names a schedule may use, for the form's suggestions."""
    return tuple(sorted(available_timezones() | {"UTC"}))


def size_text(size: int) -> str:
    """A file size people read: 512 bytes, 12 KB, 1.4 MB."""
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} bytes"


def download_name(kind: str, today: dt.date, supplier_code: str = "") -> str:
    """The file name of an on-demand report: chainlight-portfolio-2026-12-06.pdf."""
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", supplier_code).strip("-")
    scope = f"-{code}" if code else ""
    return f"chainlight-{kind}{scope}-{today.isoformat()}.pdf"
