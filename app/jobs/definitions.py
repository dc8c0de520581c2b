"""The periodic jobs, declared as data (redash's style): one entry per job.

Each job takes (session, actor, today), flushes, and returns a one-line summary; the caller
commits. Every job is idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services import Actor, findings, reassessments, remediation, risk


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    schedule: str  # when it is due: "daily" or "hourly" (the runner of #6 reads it)
    run: Callable[[Session, Actor, dt.date], str]


def _mark_overdue(session: Session, actor: Actor, today: dt.date) -> str:
    return f"{findings.mark_overdue(session, today)} finding(s) newly overdue"


def _expire_acceptances(session: Session, actor: Actor, today: dt.date) -> str:
    return f"{findings.expire_acceptances(session, actor, today)} lapsed acceptance(s) reopened"


def _remind_owners(session: Session, actor: Actor, today: dt.date) -> str:
    return f"{remediation.remind_owners(session, actor, today)} finding(s) in reminders sent"


def _remind_reassessments(session: Session, actor: Actor, today: dt.date) -> str:
    return f"{reassessments.remind_owners(session, actor, today)} supplier(s) in reminders sent"


def _recompute(session: Session, actor: Actor, today: dt.date) -> str:
    result = risk.recompute(session, "recompute", today=today)
    return f"{result.checked} supplier(s) scored, {result.changed} changed"


JOBS: list[Job] = [
    Job(
        "mark-overdue-findings", "Date findings that passed their due date.", "daily", _mark_overdue
    ),
    Job(
        "expire-acceptances",
        "Reopen findings whose risk acceptance has lapsed.",
        "daily",
        _expire_acceptances,
    ),
    Job(
        "remind-finding-owners",
        "E-mail owners their findings due within a week or overdue (weekly per finding).",
        "daily",
        _remind_owners,
    ),
    Job(
        "remind-reassessments",
        "E-mail owners their suppliers due for reassessment within 14 days (weekly each).",
        "daily",
        _remind_reassessments,
    ),
    Job(
        "recompute-risk",
        "Score every supplier again (certificates lapse, acceptances end).",
        "daily",
        _recompute,
    ),
]
BY_NAME: dict[str, Job] = {job.name: job for job in JOBS}
