"""What about a connection needs someone's attention now (pure: plain values in, flags out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CREDENTIAL_WARNING_DAYS = 30
REVIEW_INTERVAL_DAYS = 365

FLAGS: dict[str, str] = {
    "credential_expired": "Credential expired",
    "credential_expiring": f"Credential expires within {CREDENTIAL_WARNING_DAYS} days",
    "no_encryption": "No encryption in transit",
    "direct_core": "Direct access to the ERP core",
    "not_reviewed": "Not reviewed within a year",
}


@dataclass(frozen=True)
class ConnectionFacts:
    """The few facts of a connection that attention flags read."""

    encryption: str
    integration_layer: str
    credential_expires_on: dt.date | None
    last_reviewed_on: dt.date | None
    status: str = "active"


def connection_flags(facts: ConnectionFacts, today: dt.date) -> list[str]:
    """Flag keys (see FLAGS) for one connection, most urgent first; retired links raise none."""
    if facts.status == "retired":
        return []
    flags: list[str] = []
    if facts.credential_expires_on is not None:
        if facts.credential_expires_on < today:
            flags.append("credential_expired")
        elif facts.credential_expires_on <= today + dt.timedelta(days=CREDENTIAL_WARNING_DAYS):
            flags.append("credential_expiring")
    if facts.encryption == "none":
        flags.append("no_encryption")
    if facts.integration_layer == "direct_core":
        flags.append("direct_core")
    if facts.last_reviewed_on is None or facts.last_reviewed_on < today - dt.timedelta(
        days=REVIEW_INTERVAL_DAYS
    ):
        flags.append("not_reviewed")
    return flags
