"""Residual risk: inherent likelihood reduced by control effectiveness and verified
mitigations, placed on the 5 x 5 grid and banded by the organisation's risk appetite.

Controls mostly reduce how likely a compromise is, not how much it would hurt, so impact
stays as it is and only likelihood moves: L_res = 1 + (L - 1) x (1 - E).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from risk_models.types import Appetite, Factor, MitigationInput

BANDS: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
# Steps of likelihood one verified mitigation takes away, by the finding's severity.
MITIGATION_CREDIT: dict[str, float] = {"critical": 1.0, "high": 0.75, "medium": 0.5, "low": 0.25}
SEVERITY_ORDER = ("critical", "high", "medium", "low")


def num(x: float) -> str:
    """A likelihood for people: at most three decimals, no trailing zeros."""
    return f"{round(x, 3):g}"


def band(cell_likelihood: int, cell_impact: int, appetite: Appetite) -> str:
    """The appetite's band for one grid cell."""
    value = cell_likelihood * cell_impact
    if value <= appetite.low_max:
        return "low"
    if value <= appetite.medium_max:
        return "medium"
    if value <= appetite.high_max:
        return "high"
    return "critical"


def grid_row(value: float) -> int:
    """The grid row (1..5) of a likelihood, halves rounding up."""
    return max(1, min(5, math.floor(value + 0.5)))


def residual_likelihood(
    inherent: int, effectiveness: float, mitigations: Iterable[MitigationInput]
) -> tuple[float, list[Factor]]:
    """Likelihood after controls and verified mitigations (1..inherent) and why."""
    e = max(0.0, min(1.0, effectiveness))
    value = 1 + (inherent - 1) * (1 - e)
    factors = [
        Factor(
            f"Controls {round(100 * e)}% effective",
            f"{inherent} → {num(value)}",
            "likelihood = 1 + (inherent − 1) × (1 − effectiveness)",
        )
    ]
    verified = sorted(
        (m for m in mitigations if m.verified),
        key=lambda m: (
            SEVERITY_ORDER.index(m.severity) if m.severity in SEVERITY_ORDER else 9,
            m.id,
        ),
    )
    for m in verified:
        credit = MITIGATION_CREDIT.get(m.severity, 0.25)
        new = max(1.0, value - credit)
        effect = f"−{num(value - new)}" if new < value else "no further effect (already 1)"
        factors.append(Factor(f"Verified mitigation: {m.title} ({m.severity})", effect))
        value = new
    return value, factors
