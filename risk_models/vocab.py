"""The controlled vocabularies of the inventory.

Suppliers and connections are described with these values; the web layer shows
their labels, the importer accepts either value or label, and the risk model
(issue #4) reasons over the same values. Each vocabulary is an ordered mapping
of stored value -> human label.
"""

from __future__ import annotations

SUPPLIER_CATEGORIES: dict[str, str] = {
    "raw_material": "Raw material",
    "component": "Component",
    "logistics": "Logistics / 3PL",
    "software": "Software / SaaS",
    "port_customs": "Port / customs broker",
    "contract_manufacturer": "Contract manufacturer",
    "services": "Professional services",
}

CRITICALITIES: dict[str, str] = {
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "critical": "Critical",
}

SUPPLIER_STATUSES: dict[str, str] = {
    "onboarding": "Onboarding",
    "active": "Active",
    "suspended": "Suspended",
    "offboarded": "Offboarded",
}

CONNECTION_KINDS: dict[str, str] = {
    "rest_api": "REST API",
    "edi_as2": "EDI AS2",
    "edi_van": "EDI VAN",
    "sftp": "SFTP",
    "vpn_site_to_site": "VPN site-to-site",
    "vendor_remote_access": "Vendor remote access",
    "supplier_portal": "Supplier portal",
    "email": "E-mail",
}

DIRECTIONS: dict[str, str] = {
    "inbound": "Inbound (they send to us)",
    "outbound": "Outbound (we send to them)",
    "bidirectional": "Both directions",
}

INTERNAL_SYSTEMS: dict[str, str] = {
    "erp": "ERP",
    "wms": "WMS",
    "mes": "MES",
    "tms": "TMS",
    "plm": "PLM",
    "finance": "Finance",
}

DATA_CLASSES: dict[str, str] = {
    "orders": "Orders",
    "forecasts": "Forecasts",
    "pricing": "Pricing",
    "pii": "Personal data (PII)",
    "design_ip": "Design / IP",
    "credentials": "Credentials",
    "ot_commands": "OT commands",
    "public": "Public",
}

AUTHENTICATIONS: dict[str, str] = {
    "mtls": "Mutual TLS",
    "oauth2_client_credentials": "OAuth2 client credentials",
    "certificate": "Certificate",
    "api_key": "API key",
    "password": "Password",
    "none": "None",
}

ENCRYPTIONS: dict[str, str] = {
    "tls13": "TLS 1.3",
    "tls12": "TLS 1.2",
    "ipsec": "IPsec",
    "ssh": "SSH",
    "as2_smime": "AS2 S/MIME",
    "none": "None",
}

INTEGRATION_LAYERS: dict[str, str] = {
    "api_gateway": "API gateway",
    "ipaas": "iPaaS / integration platform",
    "edi_translator": "EDI translator",
    "direct_core": "Direct to ERP core",
}

ACCESS_LEVELS: dict[str, str] = {
    "read": "Read",
    "write": "Write",
    "admin": "Administrative",
}

CONNECTION_STATUSES: dict[str, str] = {
    "planned": "Planned",
    "active": "Active",
    "suspended": "Suspended",
    "retired": "Retired",
}

ROLES: dict[str, str] = {
    "admin": "Administrator",
    "analyst": "Security analyst",
    "executive": "Executive",
    "supplier": "Supplier contact",
}


def label(vocabulary: dict[str, str], value: str | None) -> str:
    """The label of a stored value, or the value itself when it is unknown."""
    if value is None:
        return ""
    return vocabulary.get(value, value)


def lookup(vocabulary: dict[str, str], text: str) -> str | None:
    """Find the stored value for text that is either a value or a label (case-insensitive)."""
    needle = text.strip().casefold()
    for value, lab in vocabulary.items():
        if needle in (value.casefold(), lab.casefold()):
            return value
    return None
