"""The columns of the supplier and connection import files (and of the exports).

One ImportFormat per kind: each column's field, label, help text, whether a new
record needs it, and the other names an ERP export may give it (SAP, Oracle,
Dynamics, German SAP screens). Header names are compared after header_key()
folds case, spaces, punctuation and `*` markers away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from risk_models import vocab


@dataclass(frozen=True)
class Column:
    """One column of an import file: its field, whether it is needed, what else it may be called."""

    field: str
    label: str
    help: str
    required: bool = False  # needed to create a record
    key: bool = False  # identifies the record: every file must have it
    aliases: tuple[str, ...] = ()
    vocabulary: dict[str, str] | None = None
    is_date: bool = False


def header_key(text: str) -> str:
    """'Vendor Number*' -> 'vendor number': how column names are compared."""
    return " ".join(re.sub(r"[\W_]+", " ", str(text).casefold()).split())


@dataclass(frozen=True)
class ImportFormat:
    """The columns of one kind of import file (and of its export)."""

    kind: str
    noun: str
    columns: tuple[Column, ...]

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Normalised column name -> field, for the field name, its label and every alias."""
        names: dict[str, str] = {}
        for column in self.columns:
            for name in (column.field, column.label, *column.aliases):
                names.setdefault(header_key(name), column.field)
        return names


SUPPLIERS = ImportFormat(
    "suppliers",
    "supplier",
    (
        Column(
            "code",
            "Code",
            "The ERP vendor-master key; existing suppliers are matched on it.",
            required=True,
            key=True,
            aliases=(
                "Vendor", "Vendor Number", "Vendor No.", "Vendor ID", "Vendor Code",
                "Vendor Account", "Supplier Code", "Supplier Number", "Supplier No.",
                "Supplier ID", "LIFNR", "Kreditor", "Lieferant", "Lieferantennummer",
            ),
        ),
        Column(
            "legal_name",
            "Legal name",
            "The registered company name, in any script.",
            required=True,
            aliases=("Name", "Name 1", "NAME1", "Vendor Name", "Supplier Name", "Company Name",
                     "Company", "Name des Lieferanten"),
        ),
        Column(
            "country",
            "Country",
            "ISO 3166 code (DE, VN, CN, TR) or English country name.",
            required=True,
            aliases=("Country Key", "Country Code", "Country/Region", "Country/Region Key",
                     "LAND1", "Land", "Länderschlüssel"),
        ),
        Column("category", "Category", "What the supplier provides.", required=True,
               aliases=("Vendor Category", "Supplier Category", "Supplier Type", "Vendor Type"),
               vocabulary=vocab.SUPPLIER_CATEGORIES),
        Column("criticality", "Criticality", "How much the business depends on it.",
               required=True, aliases=("Business Criticality", "Criticality Level"),
               vocabulary=vocab.CRITICALITIES),
        Column("single_source", "Single source", "yes or no (blank = no).",
               aliases=("Sole Source", "Single-sourced", "Single-source supplier")),
        Column("status", "Status", "Blank = active.",
               aliases=("Vendor Status", "Supplier Status"),
               vocabulary=vocab.SUPPLIER_STATUSES),
        Column("owner", "Owner", "E-mail of the analyst or admin who owns the supplier.",
               aliases=("Owner Email", "Owner e-mail", "Relationship Owner", "Responsible")),
        Column("website", "Website", "Full address starting with http:// or https://.",
               aliases=("URL", "Homepage", "Web Site", "Web")),
        Column("contact_email", "Contact e-mail", "The supplier's security contact.",
               aliases=("Contact", "Email", "E-mail", "Email Address", "E-mail Address",
                        "SMTP_ADDR")),
        Column("next_reassessment_on", "Next reassessment", "YYYY-MM-DD (or DD.MM.YYYY); "
               "not in the past unless unchanged.",
               aliases=("Next Review", "Reassessment Due", "Next Assessment"),
               is_date=True),
        Column("notes", "Notes", "Free text.", aliases=("Comments", "Comment", "Remarks", "Note")),
        Column("sub_suppliers", "Sub-suppliers", "Codes of its own suppliers (4th parties), "
               "separated by ; — each must exist or be in the same file.",
               aliases=("Sub-supplier codes", "Sub suppliers", "4th parties",
                        "Fourth parties", "Sub-tier suppliers")),
    ),
)  # fmt: skip

CONNECTIONS = ImportFormat(
    "connections",
    "connection",
    (
        Column("supplier", "Supplier", "Code of an existing supplier.", required=True, key=True,
               aliases=("Supplier Code", "Vendor", "Vendor Number", "Vendor Code",
                        "Supplier Number")),
        Column("name", "Name", "Unique per supplier; existing connections are matched on "
               "supplier and name.", required=True, key=True,
               aliases=("Connection", "Connection Name", "Interface", "Interface Name")),
        Column("kind", "Kind", "How the link is made.", required=True,
               aliases=("Type", "Connection Type", "Connection Kind", "Channel"),
               vocabulary=vocab.CONNECTION_KINDS),
        Column("direction", "Direction", "Which way data flows.", required=True,
               aliases=("Flow", "Data Flow"), vocabulary=vocab.DIRECTIONS),
        Column("internal_system", "Internal system", "Our system at this end.", required=True,
               aliases=("System", "Our System"), vocabulary=vocab.INTERNAL_SYSTEMS),
        Column("data_classes", "Data classes", "What crosses, separated by ;.", required=True,
               aliases=("Data", "Data Class", "Data Types"), vocabulary=vocab.DATA_CLASSES),
        Column("authentication", "Authentication", "How the supplier proves who it is.",
               required=True, aliases=("Auth", "Authentication Method"),
               vocabulary=vocab.AUTHENTICATIONS),
        Column("encryption", "Encryption", "In transit.", required=True,
               aliases=("Encryption in transit", "Transport Encryption"),
               vocabulary=vocab.ENCRYPTIONS),
        Column("integration_layer", "Integration layer", "What the link lands on.",
               required=True, aliases=("Integration", "Layer"),
               vocabulary=vocab.INTEGRATION_LAYERS),
        Column("access_level", "Access level", "Blank = read.", aliases=("Access",),
               vocabulary=vocab.ACCESS_LEVELS),
        Column("endpoint", "Endpoint", "Host, URL or mailbox.",
               aliases=("URL", "Host", "Address", "Endpoint URL")),
        Column("credential_expires_on", "Credential expires", "YYYY-MM-DD (or DD.MM.YYYY).",
               aliases=("Credential Expiry", "Certificate Expiry", "Cert Expiry", "Expires On"),
               is_date=True),
        Column("owner", "Owner", "E-mail of the analyst or admin responsible.",
               aliases=("Owner Email", "Owner e-mail", "Responsible")),
        Column("status", "Status", "Blank = active.", aliases=("Connection Status",),
               vocabulary=vocab.CONNECTION_STATUSES),
        Column("last_reviewed_on", "Last reviewed", "YYYY-MM-DD, not in the future.",
               aliases=("Last Review", "Reviewed On"), is_date=True),
        Column("notes", "Notes", "Free text.", aliases=("Comments", "Comment", "Remarks")),
    ),
)  # fmt: skip

FORMATS: dict[str, ImportFormat] = {"suppliers": SUPPLIERS, "connections": CONNECTIONS}
