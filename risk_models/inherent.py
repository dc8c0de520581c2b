"""Inherent risk: what a supplier touches, before any control is counted.

Impact (1-5) comes from the most sensitive data crossing its connections, the supplier's
criticality and single-source status, and write access into the ERP core. Likelihood (1-5)
comes from exposure: the riskiest connection kind, the weakest authentication, missing
encryption, direct access to the core, how many links there are, its own suppliers and its
category. Every step records a Factor, so the UI can say why. Each rule only ever raises a
value, so adding a connection can never lower inherent risk.
"""

from __future__ import annotations

from risk_models.types import ConnectionInput, Factor, SupplierInput
from risk_models.vocab import (
    AUTHENTICATIONS,
    CONNECTION_KINDS,
    CRITICALITIES,
    DATA_CLASSES,
    SUPPLIER_CATEGORIES,
    label,
)

# How much harm a leak or misuse of each data class does (NIST CSF 2.0 GV.SC-04: data
# sensitivity, degree of access and importance to the mission).
DATA_SENSITIVITY: dict[str, int] = {
    "credentials": 5,
    "ot_commands": 5,
    "design_ip": 4,
    "pii": 4,
    "pricing": 3,
    "orders": 2,
    "forecasts": 2,
    "public": 1,
}
# The least impact a supplier has, from how much we depend on it.
CRITICALITY_FLOOR: dict[str, int] = {"low": 1, "medium": 1, "high": 2, "critical": 3}
# How exposed each kind of link is (interactive and network-level access first).
KIND_EXPOSURE: dict[str, int] = {
    "vendor_remote_access": 5,
    "vpn_site_to_site": 4,
    "rest_api": 3,
    "sftp": 3,
    "edi_as2": 2,
    "edi_van": 2,
    "email": 2,
    "supplier_portal": 1,
}
# Extra likelihood for the weakest way a connection authenticates.
AUTH_PENALTY: dict[str, int] = {
    "none": 2,
    "password": 1,
    "api_key": 1,
    "certificate": 0,
    "oauth2_client_credentials": 0,
    "mtls": 0,
}
MANY_CONNECTIONS = 5
MANY_SUB_SUPPLIERS = 3
# Categories whose product runs inside our environment (software updates, SaaS).
CATEGORY_PENALTY: dict[str, int] = {"software": 1}
WRITE_ACCESS = ("write", "admin")

# Tier from inherent impact x likelihood: at least 20 is tier 1, 12 tier 2, 6 tier 3.
TIER_FLOORS: tuple[tuple[int, int], ...] = ((20, 1), (12, 2), (6, 3))
TIER_LABELS: dict[int, str] = {
    1: "Tier 1 (critical)",
    2: "Tier 2 (high)",
    3: "Tier 3 (moderate)",
    4: "Tier 4 (low)",
}


def _cap(value: int) -> int:
    return max(1, min(5, value))


def writes_into_core(conn: ConnectionInput) -> bool:
    """Write or admin access straight into the ERP core (not through a gateway or translator)."""
    return conn.integration_layer == "direct_core" and conn.access_level in WRITE_ACCESS


def sensitivity(conn: ConnectionInput) -> int:
    """The most sensitive data class crossing the connection (1 when none is recorded)."""
    return max((DATA_SENSITIVITY.get(d, 1) for d in conn.data_classes), default=1)


def is_critical_connection(conn: ConnectionInput) -> bool:
    """A link whose compromise hurts most: sensitive data (≥ 4), core write access, or
    interactive/network access (vendor remote access, site-to-site VPN)."""
    return sensitivity(conn) >= 4 or writes_into_core(conn) or KIND_EXPOSURE.get(conn.kind, 3) >= 4


def impact(supplier: SupplierInput) -> tuple[int, list[Factor]]:
    """Inherent impact 1..5 and the factors that set it."""
    factors: list[Factor] = []
    value = 1
    conns = supplier.connections
    if conns:
        top = max(conns, key=lambda c: (sensitivity(c), -c.id))
        value = sensitivity(top)
        worst = max(top.data_classes, key=lambda d: DATA_SENSITIVITY.get(d, 1), default=None)
        what = label(DATA_CLASSES, worst) if worst else "no data class recorded"
        factors.append(Factor(f"Most sensitive data crossing: {what} ({top.name})", f"= {value}"))
    else:
        factors.append(Factor("No active connection: no data crosses", "= 1"))
    floor = CRITICALITY_FLOOR.get(supplier.criticality, 1)
    why = f"Criticality {label(CRITICALITIES, supplier.criticality).lower()}"
    if supplier.single_source:
        floor += 1
        why += ", single source"
    if floor > value:
        factors.append(Factor(why, f"raised to {floor}", "how much we depend on the supplier"))
        value = floor
    core = [c for c in conns if writes_into_core(c)]
    if core:
        raised = _cap(value + 1)
        effect = "+1" if raised > value else "+1 (already at 5)"
        factors.append(Factor(f"Write access into the ERP core ({core[0].name})", effect))
        value = raised
    return value, factors


def likelihood(supplier: SupplierInput) -> tuple[int, list[Factor]]:
    """Inherent likelihood 1..5 and the factors that set it."""
    factors: list[Factor] = []
    conns = supplier.connections
    if conns:
        top = max(conns, key=lambda c: (KIND_EXPOSURE.get(c.kind, 3), -c.id))
        value = KIND_EXPOSURE.get(top.kind, 3)
        factors.append(
            Factor(
                f"Most exposed link: {label(CONNECTION_KINDS, top.kind)} ({top.name})", f"= {value}"
            )
        )
        weakest = max(conns, key=lambda c: (AUTH_PENALTY.get(c.authentication, 1), -c.id))
        penalty = AUTH_PENALTY.get(weakest.authentication, 1)
        if penalty:
            factors.append(
                Factor(
                    f"Weakest authentication: {label(AUTHENTICATIONS, weakest.authentication)}"
                    f" ({weakest.name})",
                    f"+{penalty}",
                )
            )
            value += penalty
        plain = [c for c in conns if c.encryption == "none"]
        if plain:
            factors.append(Factor(f"No encryption in transit ({plain[0].name})", "+1"))
            value += 1
        direct = [c for c in conns if c.integration_layer == "direct_core"]
        if direct:
            factors.append(
                Factor(f"Direct to the ERP core, no integration layer ({direct[0].name})", "+1")
            )
            value += 1
        if len(conns) >= MANY_CONNECTIONS:
            factors.append(Factor(f"{len(conns)} active connections", "+1"))
            value += 1
    else:
        value = 1
        factors.append(Factor("No active connection", "= 1"))
    if supplier.sub_supplier_count >= MANY_SUB_SUPPLIERS:
        factors.append(Factor(f"{supplier.sub_supplier_count} sub-suppliers (4th parties)", "+1"))
        value += 1
    penalty = CATEGORY_PENALTY.get(supplier.category, 0)
    if penalty:
        factors.append(
            Factor(
                f"Category {label(SUPPLIER_CATEGORIES, supplier.category).lower()}",
                f"+{penalty}",
                "its product runs inside our environment",
            )
        )
        value += penalty
    if value > 5:
        factors.append(Factor("Capped at the top of the scale", "= 5"))
    return _cap(value), factors


def tier(score: int) -> int:
    """Tier 1 (critical) .. 4 (low) from inherent impact x likelihood."""
    for floor, result in TIER_FLOORS:
        if score >= floor:
            return result
    return 4
