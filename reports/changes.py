"""What changed since the last report, from two small sets of facts.

Each report run stores its facts: a JSON-serialisable dict of ids (supplier tiers, critical
connections, 4th-party links, overdue findings, lapsed acceptances). The next run compares
its own facts with them: `diff(previous, current, labels)` lists the changes, worded with
labels the caller looks up only for the ids that changed (`wanted(previous, current)`).
No previous facts (the first report), or facts of an unknown version, give no changes: the
report says there is nothing to compare with instead of listing everything as new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reports.context import CHANGE_KINDS, Change

FACTS_VERSION = 1


def facts_of(
    *,
    as_of: dt.date,
    tiers: Iterable[tuple[int, int]],
    critical_connections: Iterable[int] = (),
    fourth_party_links: Iterable[tuple[int, int]] = (),
    overdue_findings: Iterable[int] = (),
    lapsed_acceptances: Iterable[int] = (),
) -> dict[str, Any]:
    """The facts to store with a run: `tiers` as (supplier id, tier) pairs, the rest as ids
    (4th-party links as (supplier id, sub-supplier id) pairs)."""
    by_tier: dict[str, list[int]] = {}
    for supplier_id, tier in tiers:
        by_tier.setdefault(str(tier), []).append(int(supplier_id))
    return {
        "version": FACTS_VERSION,
        "as_of": as_of.isoformat(),
        "tiers": {t: sorted(ids) for t, ids in sorted(by_tier.items())},
        "critical_connections": sorted({int(i) for i in critical_connections}),
        "fourth_party_links": [
            list(p) for p in sorted({(int(a), int(b)) for a, b in fourth_party_links})
        ],
        "overdue_findings": sorted({int(i) for i in overdue_findings}),
        "lapsed_acceptances": sorted({int(i) for i in lapsed_acceptances}),
    }


def usable(facts: Mapping[str, Any] | None) -> bool:
    """Facts this version can compare with."""
    return isinstance(facts, Mapping) and facts.get("version") == FACTS_VERSION


def as_of(facts: Mapping[str, Any] | None) -> dt.date | None:
    """The day the facts were taken (None when unknown)."""
    try:
        return dt.date.fromisoformat(facts["as_of"]) if usable(facts) else None
    except (KeyError, TypeError, ValueError):
        return None


def _tiers(facts: Mapping[str, Any]) -> dict[int, int]:
    return {int(sid): int(t) for t, ids in (facts.get("tiers") or {}).items() for sid in ids}


def _ids(facts: Mapping[str, Any], key: str) -> set[int]:
    return {int(i) for i in facts.get(key) or ()}


def _links(facts: Mapping[str, Any]) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in facts.get("fourth_party_links") or ()}


@dataclass(frozen=True)
class Labels:
    """How to name the ids in the changes (whatever is missing is named by its id)."""

    suppliers: Mapping[int, str] = field(default_factory=dict)
    connections: Mapping[int, str] = field(default_factory=dict)
    findings: Mapping[int, str] = field(default_factory=dict)
    acceptances: Mapping[int, str] = field(default_factory=dict)

    def supplier(self, sid: int) -> str:
        return self.suppliers.get(sid) or f"Supplier #{sid}"


def wanted(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> dict[str, set[int]]:
    """The ids `diff` will name, by label kind, so the caller can look up just those."""
    out: dict[str, set[int]] = {
        k: set() for k in ("suppliers", "connections", "findings", "acceptances")
    }
    if not usable(previous):
        return out
    before, now = _tiers(previous), _tiers(current)
    out["suppliers"] = {s for s, t in now.items() if s in before and before[s] != t}
    new_links = _links(current) - _links(previous)
    out["suppliers"] |= {s for pair in new_links for s in pair}
    out["connections"] = _ids(current, "critical_connections") - _ids(
        previous, "critical_connections"
    )
    out["findings"] = _ids(current, "overdue_findings") - _ids(previous, "overdue_findings")
    out["acceptances"] = _ids(current, "lapsed_acceptances") - _ids(previous, "lapsed_acceptances")
    return out


def diff(
    previous: Mapping[str, Any] | None,
    current: Mapping[str, Any],
    labels: Labels | None = None,
) -> list[Change]:
    """The changes from `previous` to `current` facts, by kind (CHANGE_KINDS order); empty
    when there is no usable previous."""
    if not usable(previous):
        return []
    labels = labels or Labels()
    changes: list[Change] = []
    before, now = _tiers(previous), _tiers(current)
    moved = [(s, before[s], t) for s, t in now.items() if s in before and before[s] != t]
    moved.sort(key=lambda m: (m[2] - m[1], labels.supplier(m[0]).casefold(), m[0]))
    for sid, old, new in moved:
        way = "more critical" if new < old else "less critical"
        changes.append(
            Change("tier_change", f"{labels.supplier(sid)}: tier {old} → tier {new} ({way})")
        )
    for cid in sorted(wanted(previous, current)["connections"]):
        name = labels.connections.get(cid) or f"Connection #{cid}"
        changes.append(Change("new_critical_connection", f"{name} is now a critical connection"))
    new_links = sorted(_links(current) - _links(previous))
    new_links.sort(key=lambda p: (labels.supplier(p[0]).casefold(), labels.supplier(p[1])))
    for sid, sub in new_links:
        changes.append(
            Change(
                "new_fourth_party",
                f"{labels.supplier(sid)} now depends on {labels.supplier(sub)} (4th party)",
            )
        )
    for fid in sorted(_ids(current, "overdue_findings") - _ids(previous, "overdue_findings")):
        name = labels.findings.get(fid) or f"Finding #{fid}"
        changes.append(Change("newly_overdue_finding", f"{name} is now overdue"))
    lapsed = _ids(current, "lapsed_acceptances") - _ids(previous, "lapsed_acceptances")
    for aid in sorted(lapsed):
        name = labels.acceptances.get(aid) or f"Risk acceptance #{aid}"
        changes.append(Change("lapsed_acceptance", f"{name} lapsed; the finding is open again"))
    order = list(CHANGE_KINDS)
    return sorted(changes, key=lambda c: order.index(c.kind))  # stable: keeps each kind's order
