"""A supplier's risk page: the explained score, its place on the grid, coverage and history.

Staff only: a supplier contact never sees risk scores (its own or another's; 403 by role).
The page reads stored snapshots through app.services.risk_views; nothing is scored here.
"""

from __future__ import annotations

from flask import render_template

from app.charts import heatmap_svg, line_chart_svg
from app.extensions import db
from app.security import STAFF, roles_allowed
from app.services import risk_views
from app.suppliers import bp
from app.suppliers.routes import _supplier_or_404
from risk_models.explain import tier_rule


@bp.route("/<int:supplier_id>/risk")
@roles_allowed(*STAFF)
def risk(supplier_id: int):
    """How the supplier's residual risk was reached, step by step, and how it moved."""
    supplier = _supplier_or_404(supplier_id)
    view = risk_views.page(db.session, supplier.id)
    charts = {}
    if view is not None:
        charts["grid"] = heatmap_svg(
            view.grid, title=f"{supplier.legal_name} on the likelihood × impact grid"
        )
        charts["history"] = line_chart_svg(
            view.chart_points,
            title=f"Residual score of {supplier.legal_name} over time",
            y_max=risk_views.MAX_SCORE,
            y_label="Residual score",
            bands=view.chart_bands,
            width=1000,  # the history card spans the page
        )
    return render_template(
        "suppliers/risk.html",
        supplier=supplier,
        view=view,
        charts=charts,
        tier_rule=tier_rule(),
    )
