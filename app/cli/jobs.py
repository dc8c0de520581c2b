"""`flask --app wsgi jobs list|run-once NAME`: the periodic jobs of app/jobs/definitions.py."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from app.extensions import db
from app.jobs.definitions import BY_NAME, JOBS
from app.services import Actor

jobs_cli = AppGroup("jobs", help="Periodic jobs: list them, or run one now.")


@jobs_cli.command("list")
def list_command() -> None:
    """Every job with its schedule and what it does."""
    for job in JOBS:
        click.echo(f"{job.name:<24} {job.schedule:<8} {job.description}")


@jobs_cli.command("run-once")
@click.argument("name")
def run_once_command(name: str) -> None:
    """Run one job now (idempotent: a second run changes nothing)."""
    job = BY_NAME.get(name)
    if job is None:
        raise click.ClickException(
            f"Unknown job {name!r}; `flask --app wsgi jobs list` shows the jobs."
        )
    summary = job.run(db.session, Actor.system(f"job:{name}"), dt.date.today())
    db.session.commit()
    click.echo(f"{name}: {summary}")


@jobs_cli.command("run")
@click.option("--once", is_flag=True, help="One tick, then exit (for cron or a test).")
@click.option("--seconds", default=30, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds between ticks.")  # fmt: skip
def run_command(once: bool, seconds: int) -> None:
    """The job runner: periodic jobs and scheduled reports, exactly once each (run ONE
    such process in production; gunicorn workers never run jobs)."""
    from flask import current_app

    from app.jobs import runner

    if once:
        result = runner.tick()
        if not result.leader:
            click.echo("Another job runner holds the lock; nothing done.")
            return
        click.echo(
            f"Jobs run: {', '.join(result.jobs) or 'none due'}; "
            f"reports made: {len(result.reports)}"
            + (f"; failed: {', '.join(result.failed)}" if result.failed else "")
        )
        if result.failed:
            raise SystemExit(1)
        return
    click.echo(f"Job runner started (a tick every {seconds} s); Ctrl+C stops it.")
    runner.serve(current_app._get_current_object(), seconds)


def register(app) -> None:
    app.cli.add_command(jobs_cli)
