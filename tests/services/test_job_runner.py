"""The job runner: periodic jobs once per period, scheduled reports once per fire time
(the latest only, after downtime), requested reports, failures recorded, and several
runners started at once against PostgreSQL making each run exactly once."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import runner
from app.jobs.definitions import JOBS, Job
from app.models import JobRun, ReportRun, ReportSchedule
from app.services import Actor, reporting
from tests import factories
from tests.jobs_child import FAKE_PDF

ADMIN = Actor(user_id=None, email="admin@example.com", role="admin")
MONDAY = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)  # 07:00 in Berlin


@pytest.fixture
def fake_pdf(monkeypatch):
    """Reports made with a stand-in PDF (the PDFs themselves are tested in tests/unit)."""
    calls = []

    def build(session, kind, **kwargs):
        calls.append((kind, kwargs))
        return FAKE_PDF, {"kind": kind}

    monkeypatch.setattr(reporting, "build", build)
    return calls


def weekly(created: dt.datetime, **overrides) -> ReportSchedule:
    schedule = reporting.create_schedule(
        db.session,
        ADMIN,
        {"name": "Weekly portfolio", "kind": "portfolio", "cadence": "weekly",
         "timezone": "Europe/Berlin", "recipients": "ceo@example.com", **overrides},
    )  # fmt: skip
    schedule.created_at = created.replace(tzinfo=None)
    db.session.commit()
    return schedule


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_each_periodic_job_runs_once_a_day(app, fake_pdf):
    with app.app_context():
        first = runner.tick(MONDAY)
        assert sorted(first.jobs) == sorted(job.name for job in JOBS)
        assert runner.tick(MONDAY + dt.timedelta(hours=5)).jobs == []
        assert sorted(runner.tick(MONDAY + dt.timedelta(days=1)).jobs) == sorted(
            job.name for job in JOBS
        )
        rows = db.session.scalars(select(JobRun)).all()
        assert len(rows) == 2 * len(JOBS)
        assert {r.status for r in rows} == {"succeeded"}
        assert {r.period_key for r in rows} == {"2026-11-02", "2026-11-03"}


def test_a_failing_job_is_recorded_and_the_others_still_run(app, fake_pdf, monkeypatch):
    def boom(session, actor, today):
        raise RuntimeError("disk full")

    jobs = [Job("broken", "Always fails.", "daily", boom), *JOBS[:1]]
    monkeypatch.setattr(runner, "JOBS", jobs)
    with app.app_context():
        result = runner.tick(MONDAY)
        assert result.failed == ["broken"] and result.jobs == ["broken", JOBS[0].name]
        broken = db.session.scalar(select(JobRun).where(JobRun.job == "broken"))
        assert (broken.status, broken.error) == ("failed", "RuntimeError: disk full")


def test_a_schedule_fires_once_per_fire_time_and_catches_up_once(app, fake_pdf):
    with app.app_context():
        schedule = weekly(MONDAY - dt.timedelta(days=3))
        assert runner.tick(MONDAY - dt.timedelta(minutes=1)).reports == []  # not yet due
        (run_id,) = runner.tick(MONDAY).reports
        assert runner.tick(MONDAY + dt.timedelta(hours=1)).reports == []
        run = db.session.get(ReportRun, run_id)
        assert (run.period_key, run.trigger, run.status) == (
            "2026-11-02T06:00Z", "schedule", "succeeded"
        )  # fmt: skip
        assert (run.period_start, run.period_end) == (dt.date(2026, 10, 26), dt.date(2026, 11, 2))
        assert run.pages == 1 and run.size == len(FAKE_PDF) and run.file is not None
        # Five weeks of downtime: one run, for the latest Monday only.
        later = MONDAY + dt.timedelta(weeks=5, hours=3)
        (caught_up,) = runner.tick(later).reports
        assert db.session.get(ReportRun, caught_up).period_key == "2026-12-07T06:00Z"
        assert runner.tick(later + dt.timedelta(minutes=5)).reports == []
        assert count(ReportRun, ReportRun.schedule_id == schedule.id) == 2


def test_a_schedule_does_not_run_for_times_before_it_existed(app, fake_pdf):
    with app.app_context():
        weekly(MONDAY + dt.timedelta(hours=1))
        assert runner.tick(MONDAY + dt.timedelta(days=2)).reports == []


def test_inactive_schedules_do_not_run(app, fake_pdf):
    with app.app_context():
        weekly(MONDAY - dt.timedelta(days=3), active="")
        assert runner.tick(MONDAY).reports == []


def test_a_requested_run_is_made_by_the_next_tick(app, fake_pdf):
    with app.app_context():
        run = reporting.request_run(db.session, ADMIN, kind="portfolio")
        db.session.commit()
        run_id = run.id
        assert run.status == "queued"
        assert runner.tick(MONDAY).reports == [run_id]
        run = db.session.get(ReportRun, run_id)
        assert run.status == "succeeded" and run.trigger == "request"
        assert runner.tick(MONDAY).reports == []


def test_a_failed_report_keeps_its_reason(app, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("font missing")

    monkeypatch.setattr(reporting, "build", broken)
    with app.app_context():
        run_id = reporting.request_run(db.session, ADMIN, kind="portfolio").id
        db.session.commit()
        result = runner.tick(MONDAY)
        assert result.failed == [f"report run {run_id}"]
        run = db.session.get(ReportRun, run_id)
        assert (run.status, run.error) == ("failed", "ValueError: font missing")


def test_the_cli_ticks_once(app, runner_cli, fake_pdf):
    result = runner_cli.invoke(args=["jobs", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "Jobs run: mark-overdue-findings" in result.output
    again = runner_cli.invoke(args=["jobs", "run", "--once"])
    assert "Jobs run: none due" in again.output


@pytest.fixture
def runner_cli(app):
    return app.test_cli_runner()


def test_several_runners_at_once_make_each_run_exactly_once(app, backend, tmp_path):
    name, url = backend
    if name != "postgresql":
        pytest.skip("several runner processes need PostgreSQL (SQLite runs one process)")
    with app.app_context():
        weekly(MONDAY - dt.timedelta(days=3))
        weekly(MONDAY - dt.timedelta(days=3), name="Second schedule", cadence="monthly")
        factories.make_supplier(db.session)
        db.session.commit()
    start_at = time.time() + 4
    root = Path(__file__).resolve().parents[2]
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.jobs_child",
                url,
                str(tmp_path),
                (MONDAY + dt.timedelta(days=30)).isoformat(),
                str(start_at),
            ],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(4)
    ]
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-2000:]
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    with app.app_context():
        job_rows = db.session.execute(
            select(JobRun.job, JobRun.period_key, func.count()).group_by(
                JobRun.job, JobRun.period_key
            )
        ).all()
        assert sorted(r[0] for r in job_rows) == sorted(job.name for job in JOBS)
        assert {r[2] for r in job_rows} == {1}
        report_rows = db.session.execute(
            select(ReportRun.schedule_id, func.count()).group_by(ReportRun.schedule_id)
        ).all()
        assert len(report_rows) == 2 and {r[1] for r in report_rows} == {1}
    # Every job and report was done by exactly one of the runners.
    assert sum(len(o["jobs"]) for o in outputs) == len(JOBS)
    assert sum(len(o["reports"]) for o in outputs) == 2


def test_make_run_ticks_in_the_web_process_and_gunicorn_never_does(backend):
    from app import create_app
    from tests.conftest import base_config

    _name, url = backend
    plain = create_app(base_config(url))
    plain.test_client().get("/healthz")
    assert "chainlight_jobs" not in plain.extensions  # gunicorn: no scheduler in a worker
    in_process = create_app({**base_config(url), "CHAINLIGHT_JOBS_IN_PROCESS": True})
    in_process.test_cli_runner().invoke(args=["jobs", "list"])
    assert "chainlight_jobs" not in in_process.extensions  # CLI commands never start it
    in_process.test_client().get("/healthz")
    scheduler = in_process.extensions["chainlight_jobs"]
    try:
        assert scheduler.running and scheduler.get_job("tick") is not None
    finally:
        scheduler.shutdown(wait=False)
