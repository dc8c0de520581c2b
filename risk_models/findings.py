"""Which control scores become findings, and how severe they are (pure)."""

from __future__ import annotations

import datetime as dt

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
