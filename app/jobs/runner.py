"""The job runner: one process (`flask --app wsgi jobs run`) that, every tick, runs the
periodic jobs that are due, makes the report runs that are due or were requested.

Exactly once, even when a second runner is started by mistake:
- a leader lock: on PostgreSQL a session advisory lock, taken for each tick; a runner
  that cannot take it stands by for that tick;
- a unique key per (job, period) in `job_run` and per (schedule, fire time) in
  `report_run`: inserting the key is the claim, so two ticks can never both run one.
Missed runs after downtime are caught up once: daily jobs are keyed by the day, report
schedules run only their latest missed fire time.

`make run` starts the same tick in the web process (BackgroundScheduler) for the
single-user default; gunicorn workers never start a scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.jobs.definitions import JOBS, Job
from app.models import JobRun
from app.models.base import utcnow
from app.services import Actor, reporting

log = logging.getLogger("chainlight.jobs")
LOCK_KEY = 0x636C_6A6F  # "cljo": the job runner's advisory lock
TICK_SECONDS = 30


@dataclass
class TickReport:
    """What one tick did (for the CLI and the tests)."""

    leader: bool = True
    jobs: list[str] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def period_key(job: Job, now: dt.datetime) -> str:
    """The period a job runs once in: its UTC day, or hour."""
    if job.schedule == "hourly":
        return now.strftime("%Y-%m-%dT%H")
    return now.strftime("%Y-%m-%d")


def _claim_job(job: Job, key: str) -> JobRun | None:
    run = JobRun(job=job.name, period_key=key, status="running", runner=runner_name())
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def run_due_jobs(now: dt.datetime, report: TickReport) -> None:
    """Run each periodic job not yet run in its current period."""
    for job in JOBS:
        claim = _claim_job(job, period_key(job, now))
        if claim is None:
            continue
        try:
            summary = job.run(db.session, Actor.system(f"job:{job.name}"), now.date())
            claim.status, claim.summary = "succeeded", summary
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            db.session.rollback()
            log.exception("Job %s failed", job.name)
            claim = db.session.get(JobRun, claim.id)
            claim.status, claim.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
            report.failed.append(job.name)
        claim.finished_at = utcnow()
        db.session.commit()
        report.jobs.append(job.name)


class _Leader:
    """The PostgreSQL advisory lock for one tick (always granted elsewhere: SQLite is one
    process by design)."""

    def __init__(self):
        self.connection = None

    def __enter__(self) -> bool:
        if db.engine.dialect.name != "postgresql":
            return True
        self.connection = db.engine.connect()
        got = self.connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
        if not got.scalar():
            self.connection.close()
            self.connection = None
            return False
        return True

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            self.connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            self.connection.commit()
            self.connection.close()


def tick(now: dt.datetime | None = None) -> TickReport:
    """One pass: due jobs, due scheduled reports, requested reports. Needs an app context."""
    now = now or dt.datetime.now(dt.UTC)
    report = TickReport()
    with _Leader() as leader:
        if not leader:
            report.leader = False
            return report
        run_due_jobs(now, report)
        storage = reporting.storage_for(current_app)
        run_ids = reporting.claim_due(db.session, now) + reporting.claim_queued(db.session)
        for run_id in run_ids:
            run = reporting.execute(db.session, run_id, storage, today=now.date())
            report.reports.append(run_id)
            if run.status == "failed":
                report.failed.append(f"report run {run_id}")
    db.session.remove()
    return report


def _tick_in(app: Flask) -> None:
    with app.app_context():
        try:
            result = tick()
        except Exception:  # noqa: BLE001 - the scheduler thread must survive a bad tick
            log.exception("Job runner tick failed")
            db.session.rollback()
            return
        if result.jobs or result.reports:
            log.info("Ran jobs %s and reports %s", result.jobs, result.reports)


def serve(app: Flask, seconds: int = TICK_SECONDS) -> None:
    """Run ticks forever in this process (the dedicated `flask jobs run` process)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=dt.UTC)
    scheduler.add_job(
        _tick_in, "interval", seconds=seconds, args=[app], id="tick", coalesce=True,
        max_instances=1, next_run_time=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    scheduler.start()


def start_in_process(app: Flask, seconds: int = TICK_SECONDS):
    """Tick in a background thread of the web process (`make run` only)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=dt.UTC, daemon=True)
    scheduler.add_job(
        _tick_in, "interval", seconds=seconds, args=[app], id="tick", coalesce=True,
        max_instances=1, next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5),
    )  # fmt: skip
    scheduler.start()
    return scheduler
