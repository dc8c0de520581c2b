"""The risk model: one pure function from a supplier's inputs to its explained result.

`MODELS` is the registry of model versions (one entry per version); `evaluate` runs the
current one. A stored snapshot keeps the version and the inputs' hash, so a score is always
traceable to the rules and the data that made it. Change the rules, change MODEL_VERSION,
and say what changed in docs/risk-model.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from risk_models import controls as ctl
from risk_models import inherent, residual
from risk_models.types import RiskResult, SupplierInput, inputs_hash

MODEL_VERSION = "2026.1"


def evaluate_2026_1(supplier: SupplierInput, catalog: ctl.Catalog | None = None) -> RiskResult:
    """Inherent impact and likelihood, tier, effectiveness, residual likelihood and band."""
    catalog = catalog or ctl.Catalog({})
    impact, impact_factors = inherent.impact(supplier)
    likelihood, likelihood_factors = inherent.likelihood(supplier)
    score = impact * likelihood
    effectiveness, effectiveness_factors = ctl.effectiveness(supplier.answers)
    scores = ctl.control_scores(supplier.answers, catalog, certified=supplier.iso28000_certified)
    cover = ctl.coverage(scores, catalog)
    res_l, res_factors = residual.residual_likelihood(
        likelihood, effectiveness, supplier.mitigations
    )
    cell = (residual.grid_row(res_l), impact)
    return RiskResult(
        model_version=MODEL_VERSION,
        impact=impact,
        impact_factors=tuple(impact_factors),
        likelihood=likelihood,
        likelihood_factors=tuple(likelihood_factors),
        inherent_score=score,
        tier=inherent.tier(score),
        effectiveness=round(effectiveness, 4),
        effectiveness_factors=tuple(effectiveness_factors),
        residual_likelihood=round(res_l, 4),
        residual_factors=tuple(res_factors),
        residual_score=round(res_l * impact, 2),
        cell=cell,
        band=residual.band(cell[0], cell[1], supplier.appetite),
        critical_connections=sum(
            1 for c in supplier.connections if inherent.is_critical_connection(c)
        ),
        controls=tuple(scores),
        coverage=tuple(cover),
        connection_kinds=tuple(sorted({c.kind for c in supplier.connections})),
        internal_systems=tuple(sorted({c.internal_system for c in supplier.connections})),
    )


MODELS: dict[str, Callable[..., RiskResult]] = {MODEL_VERSION: evaluate_2026_1}


def evaluate(supplier: SupplierInput, catalog: ctl.Catalog | None = None) -> RiskResult:
    """Score one supplier with the current model version."""
    return MODELS[MODEL_VERSION](supplier, catalog)


def fingerprint(
    supplier: SupplierInput,
    catalog: ctl.Catalog | None = None,
    digests: Iterable[str] | None = None,
) -> str:
    """The hash stored with a snapshot: model version, catalog version and every input.

    `digests` stands in for the answer summaries' digests when the caller has not loaded
    the summaries themselves (they must be the digests of what `supplier.answers` would be).
    """
    version = f"{MODEL_VERSION}/{ctl.COUNTING_VERSION}/{catalog.version if catalog else ''}"
    if digests is None:
        digests = [a.digest for a in supplier.answers]
    return inputs_hash(supplier, digests, version)
