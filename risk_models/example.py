"""The worked example of docs/risk-model.md; a test checks the document shows this output.

python -m risk_models.example
"""

from __future__ import annotations

from risk_models.controls import Catalog, summarise
from risk_models.explain import as_text
from risk_models.model import evaluate
from risk_models.types import (
    Appetite,
    ConnectionInput,
    MitigationInput,
    QuestionResult,
    SupplierInput,
)

CATALOG = Catalog(
    {
        "csf2": ("GV.SC-05", "GV.SC-07", "GV.SC-08"),
        "sp800-53r5": ("SR-3", "SR-6", "SR-8", "IA-2", "AC-17"),
        "iso28000": ("ISO28000-8.1", "ISO28000-8.2"),
    },
    "example",
)

SOURCE = "C-SCRM Core v1, round 1"

QUESTIONS = (
    QuestionResult("contract_security", ("SR-3", "GV.SC-05"), 5, True, "answered", 1.0, True),
    QuestionResult("supplier_reviews", ("SR-6", "GV.SC-07"), 3, True, "answered", 0.5, True),
    QuestionResult("incident_notice", ("SR-8", "GV.SC-08"), 4, True, "answered", 1.0, True),
    QuestionResult("mfa_remote", ("IA-2", "AC-17"), 4, True, "answered", 0.0, True),
    QuestionResult("cloud_hosting", ("SR-3",), 2, True, "na", None, True),
)

SUPPLIER = SupplierInput(
    id=1,
    name="Công ty TNHH Thép Việt",
    category="raw_material",
    criticality="critical",
    single_source=True,
    connections=(
        ConnectionInput(
            1,
            "EDI orders",
            "edi_van",
            "bidirectional",
            "erp",
            "certificate",
            "as2_smime",
            "edi_translator",
            "write",
            ("orders", "forecasts"),
        ),
        ConnectionInput(
            2,
            "Mill maintenance VPN",
            "vpn_site_to_site",
            "inbound",
            "mes",
            "password",
            "ipsec",
            "direct_core",
            "read",
            ("ot_commands",),
        ),
    ),  # fmt: skip
    sub_supplier_count=1,
    answers=(summarise(QUESTIONS, SOURCE),),
    mitigations=(MitigationInput(7, "MFA on the maintenance VPN", "high", True),),
    appetite=Appetite(low_max=4, medium_max=9, high_max=15),
)


def main() -> None:
    print(as_text(evaluate(SUPPLIER, CATALOG).to_dict()))


if __name__ == "__main__":
    main()
