"""The home page (a dashboard per role), the portfolio view and /healthz."""

from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app import charts
from app.extensions import db
from app.main import bp
from app.models.assessment import ASSESSMENT_STATUSES
from app.security import ALL_ROLES, STAFF, public, roles_allowed
from app.services import dashboard, findings_views


@bp.context_processor
def _labels():
    return {
        "bands": dashboard.BANDS,
        "tier_labels": dashboard.TIER_LABELS,
        "assessment_statuses": ASSESSMENT_STATUSES,
    }


def _cell_link(likelihood: int, impact: int) -> str:
    return url_for("suppliers.index", cell=f"{likelihood}-{impact}")


def _heatmap(scores: dashboard.ScoreCounts):
    return charts.heatmap_svg(
        scores.heat, title="Suppliers by residual likelihood and impact", link=_cell_link
    )


def _settings_url() -> str | None:
    """The admin settings page, once it exists (another part of the app adds it)."""
    if current_user.role != "admin" or "admin.settings" not in current_app.view_functions:
        return None
    return url_for("admin.settings")


@bp.route("/")
@roles_allowed(*ALL_ROLES)
def index():
    """Analysts and admins get the risk dashboard, executives the portfolio view;
    supplier contacts go to their portal."""
    if current_user.role == "supplier":
        return redirect(url_for("portal.home"))
    if current_user.role == "executive":
        return _portfolio()
    today = dt.date.today()
    data = dashboard.analyst(db.session, today)
    return render_template(
        "main/dashboard_analyst.html",
        d=data,
        findings=findings_views.counts(db.session, today),
        mine=findings_views.counts(db.session, today, owner_id=current_user.id),
        heatmap=_heatmap(data.scores),
        settings_url=_settings_url(),
    )


@bp.route("/portfolio")
@roles_allowed(*STAFF)
def portfolio():
    """The executive portfolio view: KPIs, trend, breakdowns, coverage, concentration."""
    return _portfolio()


def _portfolio():
    data = dashboard.executive(db.session, dt.date.today())
    a = data.scores.appetite
    trend = charts.line_chart_svg(
        [(p.label, p.mean_score) for p in data.trend],
        title="Mean residual score at each month end",
        y_max=25,
        y_label="Mean residual score",
        x_label="Month end",
        bands=[
            (0, a.low_max, "low"),
            (a.low_max, a.medium_max, "medium"),
            (a.medium_max, a.high_max, "high"),
            (a.high_max, 25, "critical"),
        ],
    )
    severe = charts.line_chart_svg(
        [(p.label, p.severe if p.scored else None) for p in data.trend],
        title="Suppliers in high or critical at each month end",
        y_max=max([p.severe for p in data.trend] + [4]),
        y_label="Suppliers high or critical",
        x_label="Month end",
    )
    by_tier = charts.bar_chart_svg(
        [(dashboard.TIER_LABELS[t], n) for t, n in sorted(data.scores.by_tier.items())],
        title="Suppliers by inherent tier",
    )
    by_band = charts.bar_chart_svg(
        [(dashboard.BANDS.get(b, b), n) for b, n in data.scores.by_band.items()],
        title="Suppliers by residual band",
    )
    return render_template(
        "main/dashboard_executive.html",
        d=data,
        findings=findings_views.counts(db.session, dt.date.today()),
        heatmap=_heatmap(data.scores),
        trend_chart=trend,
        severe_chart=severe,
        tier_chart=by_tier,
        band_chart=by_band,
    )


@bp.route("/healthz")
@public
def healthz():
    """JSON health: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception as exc:  # noqa: BLE001 - any database failure is "unavailable"
        db.session.rollback()
        return jsonify(status="error", database="unavailable", detail=type(exc).__name__), 503
