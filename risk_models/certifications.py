"""Supplier certifications as evidence: which standards, when one is valid, what to flag.

Pure functions over anything with `standard`, `valid_from`, `valid_until` and (optionally)
`archived_at` attributes, such as the Certification model or a plain dataclass, so the
risk model can ask "does a valid ISO 28000 certificate stand in for the clause checklist?"
without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

# Stored value -> label. "other" needs the standard named in the scope.
STANDARDS: dict[str, str] = {
    "iso28000": "ISO 28000",
    "iso27001": "ISO/IEC 27001",
    "tisax": "TISAX",
    "soc2_type2": "SOC 2 Type II",
    "aeo": "AEO (Authorised Economic Operator)",
    "ctpat": "C-TPAT",
    "iec62443": "IEC 62443",
    "other": "Other",
}
EXPIRING_DAYS = 60

# Validity states, in the order a list shows them.
VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
STATE_LABELS: dict[str, str] = {
    VALID: "Valid",
    EXPIRING: "Expiring soon",
    EXPIRED: "Expired",
    NOT_YET_VALID: "Not yet valid",
}


def validity(
    valid_from: dt.date | None, valid_until: dt.date, today: dt.date, *, window: int = EXPIRING_DAYS
) -> str:
    """valid, expiring (ends within `window` days), expired, or not yet valid."""
    if valid_until < today:
        return EXPIRED
    if valid_from is not None and valid_from > today:
        return NOT_YET_VALID
    if (valid_until - today).days <= window:
        return EXPIRING
    return VALID


def _archived(cert: Any) -> bool:
    return getattr(cert, "archived_at", None) is not None or bool(getattr(cert, "archived", False))


def is_valid_on(cert: Any, today: dt.date) -> bool:
    """The certificate is live (not archived) and in force on `today` (expiring still counts)."""
    if _archived(cert):
        return False
    return validity(cert.valid_from, cert.valid_until, today) in (VALID, EXPIRING)


def iso28000_coverage(certifications: Iterable[Any], today: dt.date) -> bool:
    """True when a valid ISO 28000 certificate stands in for the ISO 28000 clause checklist."""
    return any(c.standard == "iso28000" and is_valid_on(c, today) for c in certifications)


def days_left(valid_until: dt.date, today: dt.date) -> int:
    """Days until the certificate ends (negative once it has)."""
    return (valid_until - today).days
