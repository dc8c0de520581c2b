"""Portfolio views over many suppliers' results: heat map, breakdowns, concentration.

The database aggregates (counts per cell, per tier and category, ...); these functions turn
those counts into what the dashboard and the reports show, so the same rules serve both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from risk_models.residual import band
from risk_models.types import Appetite

TIERS = (1, 2, 3, 4)
# A party is a concentration risk when this many critical links run through it ...
MIN_CRITICAL_CONNECTIONS = 3
# ... or when this many of our suppliers depend on the same 4th party.
MIN_SHARED_CUSTOMERS = 2
SHOWN_CUSTOMERS = 5  # names shown for a shared 4th party


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    count: int
    band: str


def heatmap(counts: Mapping[tuple[int, int], int], appetite: Appetite) -> list[list[HeatCell]]:
    """Rows from likelihood 5 (top) to 1, columns impact 1..5, each cell banded."""
    return [
        [
            HeatCell(lik, imp, counts.get((lik, imp), 0), band(lik, imp, appetite))
            for imp in range(1, 6)
        ]
        for lik in range(5, 0, -1)
    ]


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    by_tier: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_tier.values())


def breakdown(
    rows: Iterable[tuple[str | None, int, int]], labels: Mapping[str, str], limit: int | None = None
) -> list[BreakdownRow]:
    """(key, tier, count) rows -> one row per key with counts per tier, largest first."""
    table: dict[str, dict[int, int]] = defaultdict(lambda: dict.fromkeys(TIERS, 0))
    for key, tier, count in rows:
        table[key or ""][tier] += count
    result = [BreakdownRow(k, labels.get(k, k) or "—", dict(v)) for k, v in table.items()]
    result.sort(key=lambda r: (-r.by_tier[1], -r.total, r.label))
    return result[:limit] if limit else result


@dataclass(frozen=True)
class Concentration:
    kind: str  # critical_links | shared_fourth_party
    party_id: int
    party: str
    count: int
    detail: str


def concentration(
    critical_links: Iterable[tuple[int, str, int]],
    shared_fourth_parties: Iterable[tuple[int, str, int, list[str]]],
    *,
    min_links: int = MIN_CRITICAL_CONNECTIONS,
    min_customers: int = MIN_SHARED_CUSTOMERS,
) -> list[Concentration]:
    """Parties many critical links run through, and 4th parties several suppliers share.

    `shared_fourth_parties` holds (id, name, how many of our suppliers use it, the first
    few of their names)."""
    found = [
        Concentration(
            "critical_links",
            sid,
            name,
            n,
            f"{n} critical connections run through this one supplier",
        )
        for sid, name, n in critical_links
        if n >= min_links
    ]
    for pid, name, count, customers in shared_fourth_parties:
        if count >= min_customers:
            shown = ", ".join(customers[:SHOWN_CUSTOMERS])
            shown += " …" if count > min(len(customers), SHOWN_CUSTOMERS) else ""
            found.append(
                Concentration(
                    "shared_fourth_party",
                    pid,
                    name,
                    count,
                    f"{count} of our suppliers depend on it: {shown}",
                )
            )
    found.sort(key=lambda c: (-c.count, c.kind, c.party))
    return found


def share(part: int, whole: int) -> int:
    """Whole-number percentage, 0 for an empty whole."""
    return 0 if whole == 0 else round(100 * part / whole)
