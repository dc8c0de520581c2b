"""Synthetic report contexts (tests, previews, the builder's benchmark); no database.

    python -m reports.sample [--suppliers 1000] [--out-dir /tmp]

writes sample-portfolio.pdf and sample-supplier.pdf to look at.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

from reports.context import (
    BANDS,
    AnswerRow,
    AnswerSection,
    AppendixRow,
    AssessmentAnswers,
    Change,
    Concentration,
    ConnectionRow,
    CoverageRow,
    ExplanationStep,
    Factor,
    FindingRow,
    FrameworkCoverage,
    HeatCell,
    KeyFigures,
    Milestone,
    PortfolioContext,
    RiskySupplier,
    SupplierContext,
    SupplierProfile,
    SupplierScore,
    TrendPoint,
)

VIETNAMESE = "Công ty TNHH Thép Việt"
CHINESE = "深圳精密电子有限公司"
NAMES = [
    VIETNAMESE,
    CHINESE,
    "株式会社浜松精機",
    "창원정밀 주식회사",
    "Müller Feinguss Augsburg GmbH",
    "İzmir Döküm San. ve Tic. A.Ş.",
    "Obróbka Metali Łódź Sp. z o.o.",
    "Acme Precision Inc.",
]
COUNTRIES = [
    "Viet Nam",
    "China",
    "Japan",
    "Korea, Republic of",
    "Germany",
    "Türkiye",
    "Poland",
    "United States",
]
NOW = dt.datetime(2026, 3, 31, 6, 0)


def band_of(likelihood: int, impact: int) -> str:
    """The default appetite (low ≤ 4, medium ≤ 9, high ≤ 15, else critical)."""
    product = likelihood * impact
    return (
        "low"
        if product <= 4
        else "medium"
        if product <= 9
        else "high"
        if product <= 15
        else ("critical")
    )


def appendix_rows(n: int, seed: int = 7) -> list[AppendixRow]:
    """n suppliers in many scripts, highest score first, the last few unscored."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        name = f"{NAMES[i % len(NAMES)]} {i}" if i >= len(NAMES) else NAMES[i]
        if i % 50 == 49:
            rows.append(AppendixRow(f"V{i:06d}", name, COUNTRIES[i % 8], None, None, None, 0))
            continue
        lik, imp = rng.randint(1, 5), rng.randint(1, 5)
        score = round(lik * imp * rng.uniform(0.4, 1.0), 1)
        rows.append(
            AppendixRow(
                f"V{i:06d}",
                name,
                COUNTRIES[i % 8],
                rng.randint(1, 4),
                band_of(lik, imp),
                score,
                rng.randint(0, 6),
            )
        )
    rows.sort(key=lambda r: (r.residual_score is None, -(r.residual_score or 0), r.name))
    return rows


def sample_portfolio(suppliers: int = 200, *, first_report: bool = False) -> PortfolioContext:
    """A portfolio of `suppliers` with every section filled."""
    appendix = appendix_rows(suppliers)
    scored = [r for r in appendix if r.band]
    cells: dict[tuple[int, int], int] = {}
    rng = random.Random(3)
    for _ in scored:
        key = (rng.randint(1, 5), rng.randint(1, 5))
        cells[key] = cells.get(key, 0) + 1
    heat = tuple(
        tuple(
            HeatCell(lik, imp, cells.get((lik, imp), 0), band_of(lik, imp)) for imp in range(1, 6)
        )
        for lik in range(5, 0, -1)
    )
    by_band = {b: sum(1 for r in scored if r.band == b) for b in BANDS}
    figures = KeyFigures(
        suppliers=len(appendix),
        scored=len(scored),
        by_tier={t: sum(1 for r in scored if r.tier == t) for t in (1, 2, 3, 4)},
        by_band=by_band,
        assessments_approved=42,
        assessments_overdue=7,
        findings_open=318,
        findings_overdue=57,
        findings_by_severity={"critical": 12, "high": 80, "medium": 150, "low": 76},
        acceptances_in_force=9,
        acceptances_expiring=3,
    )
    trend = tuple(
        TrendPoint(f"2025-{m:02d}" if m > 3 else f"2026-{m:02d}", 9.5 - 0.2 * i, 40 - i, 200)
        for i, m in enumerate([4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3])
    )
    top = tuple(
        RiskySupplier(
            r.code,
            r.name,
            r.country,
            r.tier or 1,
            r.band or "critical",
            r.residual_score or 0,
            (
                "Most sensitive data crossing: OT commands (Mill maintenance VPN)",
                "Most exposed link: vendor remote access",
                "Controls 35% effective",
            ),
        )
        for r in scored[:10]
    )
    changes = (
        ()
        if first_report
        else (
            Change("tier_change", f"{VIETNAMESE}: tier 3 → tier 1 (more critical)"),
            Change("tier_change", f"{CHINESE}: tier 2 → tier 3 (less critical)"),
            Change(
                "new_critical_connection",
                f"{VIETNAMESE} · Mill maintenance VPN (VPN site-to-site) is now a critical "
                "connection",
            ),
            Change("new_fourth_party", f"Acme Precision Inc. now depends on {CHINESE} (4th party)"),
            Change(
                "newly_overdue_finding",
                f"{CHINESE}: SR-6 scored 20% in C-SCRM Core v1, round 1 (high, due 2026-03-01) "
                "is now overdue",
            ),
            Change(
                "lapsed_acceptance",
                "Acme Precision Inc.: MFA on the EDI gateway (acceptance "
                "until 2026-03-10) lapsed; the finding is open again",
            ),
        )
    )
    return PortfolioContext(
        org_name="Hanseatic Motors AG",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        generated_at=NOW,
        figures=figures,
        heatmap=heat,
        trend=trend,
        top_risks=top,
        changes=changes,
        first_report=first_report,
        previous_as_of=None if first_report else dt.date(2026, 2, 28),
        coverage=(
            CoverageRow("NIST CSF 2.0 GV.SC", 180, 72, 55, 64),
            CoverageRow("NIST SP 800-53r5 SR", 180, 68, 49, 61),
            CoverageRow("ISO 28000:2022", 120, 40, 31, None),
        ),
        concentrations=(
            Concentration(
                "shared_fourth_party",
                "EDI-Net Services GmbH",
                1480,
                f"1,480 of our suppliers depend on it: {VIETNAMESE}, {CHINESE} …",
            ),
            Concentration(
                "critical_links",
                VIETNAMESE,
                5,
                "5 critical connections run through this one supplier",
            ),
            Concentration("country", "China", 2210, "22% of scored suppliers, 31% of tier 1"),
        ),
        appendix=tuple(appendix),
    )


def sample_supplier(findings: int = 6, answers: int = 24) -> SupplierContext:
    """One supplier with connections, an explained score, answers and findings."""
    steps = (
        ExplanationStep(
            "1. Impact 5/5",
            (Factor("Most sensitive data crossing: OT commands (Mill maintenance VPN)", "= 5"),),
        ),
        ExplanationStep(
            "2. Inherent likelihood 5/5",
            (
                Factor("Most exposed link: VPN site-to-site (Mill maintenance VPN)", "= 4"),
                Factor("Weakest authentication: Password (Mill maintenance VPN)", "+1"),
            ),
        ),
        ExplanationStep("3. Tier 1 (critical): inherent score 5 × 5 = 25"),
        ExplanationStep(
            "4. Control effectiveness 66%",
            (
                Factor(
                    "Reviewed answers earn 10.5 of 16 weighted points",
                    "= 66%",
                    "C-SCRM Core v1, round 1",
                ),
                Factor("mfa_remote: scored 0% (weight 4)", "−25.0 pts"),
            ),
        ),
        ExplanationStep(
            "5. Residual likelihood 2.4 → grid row 2",
            (
                Factor(
                    "Controls 66% effective",
                    "5 → 2.375",
                    "likelihood = 1 + (inherent − 1) × (1 − effectiveness)",
                ),
            ),
        ),
        ExplanationStep("6. Residual score 2.4 × 5 = 11.9/25; grid cell 2 × 5 = 10: band High"),
    )
    grid = tuple(
        tuple(
            HeatCell(lik, imp, int((lik, imp) == (2, 5)), band_of(lik, imp)) for imp in range(1, 6)
        )
        for lik in range(5, 0, -1)
    )
    sections = tuple(
        AnswerSection(
            title,
            tuple(
                AnswerRow(
                    f"Question {s}.{q}: do you enforce multi-factor authentication for "
                    "remote access to systems that process our data?",
                    "Partially" if q % 3 else "Yes",
                    "Rolled out to 80% of admins." if q % 2 else "",
                    "Accepted" if q % 4 else "Needs clarification",
                    "" if q % 4 else "Which systems are not covered yet?",
                    f"q{s}_{q}",
                )
                for q in range(answers // 3)
            ),
        )
        for s, title in enumerate(["Governance", "Access control", "Incident response"], 1)
    )
    finding_rows = tuple(
        FindingRow(
            f"SR-{i + 3} control scored {20 + i * 5}% in C-SCRM Core v1, round 1",
            ("critical", "high", "medium", "low")[i % 4],
            ("Open", "In progress", "Resolved", "Risk accepted")[i % 4],
            dt.date(2026, 1, 10),
            dt.date(2026, 3, 1 + i),
            control=f"SR-{i + 3}",
            overdue=i % 4 in (0, 1),
            owner="analyst@hanseatic.example",
            plan_status="Plan accepted" if i % 2 else "No plan yet",
            plan_text="Enforce MFA on the maintenance VPN; replace the shared account."
            if i % 2
            else "",
            plan_due_on=dt.date(2026, 4, 30) if i % 2 else None,
            milestones=(
                Milestone("MFA on the gateway", dt.date(2026, 3, 15), dt.date(2026, 3, 14)),
                Milestone("Named engineer accounts", dt.date(2026, 4, 30)),
            )
            if i % 2
            else (),
            accepted_until=dt.date(2026, 6, 30) if i % 4 == 3 else None,
            acceptance_reason="Compensating monitoring in place." if i % 4 == 3 else "",
        )
        for i in range(findings)
    )
    return SupplierContext(
        org_name="Hanseatic Motors AG",
        generated_at=NOW,
        profile=SupplierProfile(
            code="V100101",
            name=VIETNAMESE,
            country="Viet Nam",
            category="Contract manufacturer",
            criticality="Critical",
            single_source=True,
            status="Active",
            owner="Analyst <analyst@hanseatic.example>",
            website="https://thepviet.vn",
            contact_email="it@thepviet.vn",
            next_reassessment_on=dt.date(2026, 9, 1),
            sub_suppliers=(CHINESE, "EDI-Net Services GmbH"),
            customers=(),
            open_assessments=("Connection security v2, round 1: sent, due 2026-04-15",),
        ),
        connections=(
            ConnectionRow(
                "Mill maintenance VPN",
                "VPN site-to-site",
                "Bidirectional",
                "MES",
                ("OT commands", "Credentials"),
                "Password",
                "IPsec",
                "Direct to ERP core",
                "Admin",
                "Active",
                True,
                dt.date(2026, 5, 1),
                dt.date(2026, 1, 20),
            ),
            ConnectionRow(
                "Order EDI",
                "EDI AS2",
                "Inbound",
                "ERP",
                ("Orders", "Forecasts"),
                "Certificate",
                "TLS 1.3",
                "Integration platform",
                "Write",
                "Active",
            ),
        ),
        score=SupplierScore(
            tier=1,
            band="high",
            residual_score=11.9,
            impact=5,
            likelihood=5,
            inherent_score=25,
            effectiveness_percent=66,
            cell=(2, 5),
            computed_at=NOW,
            steps=steps,
            coverage=(
                FrameworkCoverage("NIST CSF 2.0 GV.SC", 10, 6, 4, 71),
                FrameworkCoverage("NIST SP 800-53r5 SR", 12, 5, 3, 58),
            ),
            grid=grid,
            model_version="2026.1",
        ),
        assessments=(
            AssessmentAnswers(
                "C-SCRM Core v1, round 1", "Approved", dt.date(2026, 1, 9), "", sections
            ),
        ),
        findings=finding_rows,
    )


def main() -> None:
    """Write sample-portfolio.pdf and sample-supplier.pdf."""
    from reports.portfolio import build_portfolio
    from reports.supplier import build_supplier

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suppliers", type=int, default=1000)
    parser.add_argument("--out-dir", default=".")
    args = parser.parse_args()
    out = Path(args.out_dir)
    for name, build, ctx in (
        ("portfolio", build_portfolio, sample_portfolio(args.suppliers)),
        ("supplier", build_supplier, sample_supplier()),
    ):
        start = time.perf_counter()
        pdf = build(ctx)
        path = out / f"sample-{name}.pdf"
        path.write_bytes(pdf)
        print(f"{path}: {len(pdf):,} bytes in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
