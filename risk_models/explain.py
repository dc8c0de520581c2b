"""The explanation of a result as plain text (the CLI and the docs' worked example)."""

from __future__ import annotations

from typing import Any

from risk_models.controls import FRAMEWORK_LABELS
from risk_models.inherent import TIER_FLOORS, TIER_LABELS
from risk_models.residual import BANDS, num


def _factors(lines: list[str], factors: list[dict[str, Any]]) -> None:
    for f in factors:
        lines.append(f"  - {f['label']}" + (f"  [{f['effect']}]" if f["effect"] else ""))
        if f.get("detail"):
            lines.append(f"      {f['detail']}")


def tier_rule() -> str:
    """How inherent scores map to tiers, in words."""
    parts = [f"tier {t} from {floor}" for floor, t in TIER_FLOORS]
    return "Tiers by inherent score: " + ", ".join(parts) + ", tier 4 below."


def as_text(result: dict[str, Any]) -> str:
    """A RiskResult (as its dict) explained step by step."""
    r = result
    cell_l, cell_i = r["cell"]
    lines = [f"Model {r['model_version']}", f"1. Impact {r['impact']}/5"]
    _factors(lines, r["impact_factors"])
    lines.append(f"2. Inherent likelihood {r['likelihood']}/5")
    _factors(lines, r["likelihood_factors"])
    lines.append(
        f"3. {TIER_LABELS[r['tier']]}: inherent score {r['impact']} × {r['likelihood']}"
        f" = {r['inherent_score']}"
    )
    lines.append(f"  - {tier_rule()}")
    lines.append(f"4. Control effectiveness {round(100 * r['effectiveness'])}%")
    _factors(lines, r["effectiveness_factors"])
    lines.append(
        f"5. Residual likelihood {num(r['residual_likelihood'])} → grid row {cell_l}"
        " (halves round up)"
    )
    _factors(lines, r["residual_factors"])
    lines.append(
        f"6. Residual score {num(r['residual_likelihood'])} × {r['impact']}"
        f" = {num(r['residual_score'])}/25; grid cell {cell_l} × {cell_i} = {cell_l * cell_i}:"
        f" band {BANDS[r['band']]}"
    )
    if r["coverage"]:
        lines.append("Coverage per framework:")
    for cov in r["coverage"]:
        score = "—" if cov["score"] is None else f"{round(100 * cov['score'])}%"
        lines.append(
            f"  - {FRAMEWORK_LABELS.get(cov['framework'], cov['framework'])}:"
            f" {cov['assessed']}/{cov['total']} assessed, {cov['met']} met, mean {score}"
        )
    return "\n".join(lines)
