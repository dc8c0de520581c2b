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


def register(app) -> None:
    app.cli.add_command(jobs_cli)
