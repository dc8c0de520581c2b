"""Why a supplier's score moved between two snapshots (stored result dictionaries)."""

from __future__ import annotations

from typing import Any

from risk_models.inherent import TIER_LABELS
from risk_models.residual import BANDS


def _labels(result: dict[str, Any], key: str) -> list[str]:
    return [f["label"] for f in result.get(key) or []]


def what_moved(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Plain sentences, most important first; empty when nothing that matters changed."""
    if before is None:
        return ["First score."]
    lines: list[str] = []
    if before.get("model_version") != after.get("model_version"):
        lines.append(f"Model {before.get('model_version')} → {after.get('model_version')}.")
    if before["tier"] != after["tier"]:
        lines.append(f"{TIER_LABELS[before['tier']]} → {TIER_LABELS[after['tier']]}.")
    if before["band"] != after["band"]:
        lines.append(f"Residual band {BANDS[before['band']]} → {BANDS[after['band']]}.")
    for key, name, factors in (
        ("impact", "Impact", "impact_factors"),
        ("likelihood", "Inherent likelihood", "likelihood_factors"),
    ):
        if before[key] != after[key]:
            lines.append(f"{name} {before[key]} → {after[key]}.")
        old, new = set(_labels(before, factors)), set(_labels(after, factors))
        lines += [f"{name}: now {x}." for x in _labels(after, factors) if x not in old]
        lines += [f"{name}: no longer {x}." for x in _labels(before, factors) if x not in new]
    e0, e1 = before["effectiveness"], after["effectiveness"]
    if round(100 * e0) != round(100 * e1):
        lines.append(f"Control effectiveness {round(100 * e0)}% → {round(100 * e1)}%.")
    old_m = {f["label"] for f in before.get("residual_factors", [])[1:]}
    new_m = {f["label"] for f in after.get("residual_factors", [])[1:]}
    lines += [f"{x}." for x in sorted(new_m - old_m)]
    lines += [f"No longer: {x}." for x in sorted(old_m - new_m)]
    if not lines and before["residual_score"] != after["residual_score"]:
        lines.append(f"Residual score {before['residual_score']} → {after['residual_score']}.")
    return lines


def trend(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """worse | better | same, by residual score."""
    if before is None:
        return "same"
    delta = after["residual_score"] - before["residual_score"]
    if abs(delta) < 0.05:
        return "same"
    return "worse" if delta > 0 else "better"
