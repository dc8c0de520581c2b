"""Which control scores become findings, and how severe they are (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from risk_models.controls import MET_THRESHOLD

SEVERITIES: dict[str, str] = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}
# Days to fix, by severity, until an admin sets the organisation's own SLA.
DEFAULT_SLA_DAYS: dict[str, int] = {"critical": 30, "high": 60, "medium": 90, "low": 180}


def needs_finding(score: float | None) -> bool:
    """A control scoring below the "met" threshold becomes a finding."""
    return score is not None and score < MET_THRESHOLD


def severity(weight: float, tier: int, score: float) -> str:
    """From how much the control weighs (the weight of its questions), the supplier's
    inherent tier and how far short it falls: a heavy control at a tier-1 supplier that
    scored nothing is critical; a light one at a tier-4 supplier that nearly passed is low."""
    points = 0
    points += 2 if weight >= 8 else 1 if weight >= 4 else 0
    points += {1: 2, 2: 1}.get(tier, 0)
    points += 1 if score < 0.3 else 0
    if points >= 4:
        return "critical"
    if points == 3:
        return "high"
    if points >= 1:
        return "medium"
    return "low"


def due_date(opened: dt.date, severity_key: str, sla_days: dict[str, int] | None = None) -> dt.date:
    """When a finding of this severity must be fixed."""
    days = (sla_days or DEFAULT_SLA_DAYS).get(severity_key, DEFAULT_SLA_DAYS["low"])
    return opened + dt.timedelta(days=days)


# Which framework a control identifier belongs to (as the catalogs spell them).
FRAMEWORK_LABELS: dict[str, str] = {
    "csf2": "NIST CSF 2.0 (GV.SC)",
    "sp800-53r5": "NIST SP 800-53 Rev. 5",
    "iso28000": "ISO 28000:2022",
}
_CSF = re.compile(r"^[A-Z]{2}\.[A-Z]{2}-\d{2}$")
_ISO = re.compile(r"^ISO28000-")


def framework_of(control: str) -> str:
    """'csf2', 'iso28000' or 'sp800-53r5' for a control identifier; '' for none."""
    if not control:
        return ""
    if _CSF.match(control):
        return "csf2"
    if _ISO.match(control):
        return "iso28000"
    return "sp800-53r5"


MAX_MILESTONES = 20


@dataclass(frozen=True)
class Milestone:
    due_on: dt.date
    title: str


def parse_milestones(
    text: str, *, not_before: dt.date, not_after: dt.date | None = None
) -> tuple[list[Milestone], list[str]]:
    """Milestones written one per line as `YYYY-MM-DD what will be done` (a dash or colon
    after the date is allowed). Returns the milestones and one message per bad line."""
    milestones: list[Milestone] = []
    problems: list[str] = []
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) > MAX_MILESTONES:
        return [], [f"At most {MAX_MILESTONES} milestones (got {len(lines)})."]
    for number, line in lines:
        head, _, rest = line.partition(" ")
        title = rest.strip().lstrip("-–—:").strip()
        try:
            due = dt.date.fromisoformat(head.rstrip(":"))
        except ValueError:
            problems.append(f"Line {number}: start with the date as YYYY-MM-DD, then the step.")
            continue
        if not title:
            problems.append(f"Line {number}: say what will be done by {due.isoformat()}.")
        elif len(title) > 255:
            problems.append(f"Line {number}: at most 255 characters.")
        elif due < not_before:
            problems.append(f"Line {number}: {due.isoformat()} is before {not_before.isoformat()}.")
        elif not_after is not None and due > not_after:
            problems.append(
                f"Line {number}: {due.isoformat()} is after the plan's target date "
                f"{not_after.isoformat()}."
            )
        else:
            milestones.append(Milestone(due, title))
    milestones.sort(key=lambda m: m.due_on)
    return milestones, problems


REMIND_DAYS_BEFORE = 7  # remind an owner this many days before a finding falls due
REMIND_EVERY_DAYS = 7  # and not more often than this for the same finding


def needs_reminder(
    due_on: dt.date,
    reminded_on: dt.date | None,
    today: dt.date,
    days_before: int = REMIND_DAYS_BEFORE,
) -> bool:
    """Something due within `days_before` days (or overdue) whose owner was not reminded
    this week."""
    if due_on - today > dt.timedelta(days=days_before):
        return False
    return reminded_on is None or today - reminded_on >= dt.timedelta(days=REMIND_EVERY_DAYS)
