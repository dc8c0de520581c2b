"""seed-demo's reports: a monthly executive portfolio schedule, and last month's report
archived as if the job runner had made it on the 1st (so the archive is not empty and the
next report has "changes since the last report" to tell)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ReportRun, ReportSchedule
from app.models.base import utcnow
from app.services import Actor, reporting

SCHEDULE = {
    "name": "Monthly board pack",
    "kind": "portfolio",
    "cadence": "monthly",
    "timezone": "Europe/Berlin",
    "recipients": "exec@demo.chainlight\nadmin@demo.chainlight",
}


def build_reports(session: Session, *, today: dt.date, root: Path | None = None) -> int:
    """The demo schedule and its last run, unless the schedule exists; returns 1 or 0."""
    if session.scalar(select(ReportSchedule.id).where(ReportSchedule.name == SCHEDULE["name"])):
        return 0
    schedule = reporting.create_schedule(session, Actor.system("seed-demo"), SCHEDULE)
    now = dt.datetime.combine(today, dt.time(12), dt.UTC)
    fire = reporting.latest_due(schedule, now, now - dt.timedelta(days=40))
    start, end = reporting.period_for(schedule, fire)
    run = ReportRun(
        schedule_id=schedule.id, kind="portfolio", trigger="schedule",
        period_key=reporting.fire_key(fire), period_start=start, period_end=end,
        status="running", started_at=utcnow(),
    )  # fmt: skip
    session.add(run)
    session.flush()
    storage = reporting.storage_for(current_app)
    if root is not None:
        storage = reporting.Storage(root=root, org_name=storage.org_name)
    reporting.make(session, run, storage, end)
    made = fire.astimezone(dt.UTC).replace(tzinfo=None)  # when the runner would have made it
    run.started_at, run.finished_at = made, made + dt.timedelta(seconds=3)
    session.flush()
    return 1
