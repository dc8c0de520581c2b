"""Read-only views of a supplier's risk: the supplier page's card, the risk page, the CLI text.

Everything here reads stored snapshots (app.services.risk writes them) in a fixed number of
queries: the current snapshot, the history's columns (not its full results), the titles of
the scored controls and the appetite. No lazy loads: views get plain dataclasses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Control, RiskSnapshot, Supplier
from app.services.risk import TRIGGERS
from app.services.risk_inputs import appetite as current_appetite
from app.services.risk_inputs import current_summaries
from risk_models.controls import FRAMEWORK_LABELS, MET_THRESHOLD
from risk_models.explain import as_text
from risk_models.inherent import TIER_LABELS
from risk_models.portfolio import HeatCell, heatmap
from risk_models.residual import BANDS, band
from risk_models.types import Appetite

HISTORY_LIMIT = 50
MAX_SCORE = 25


def trigger_label(trigger: str) -> str:
    return TRIGGERS.get(trigger, trigger.replace("_", " ").capitalize())


def tier_label(tier: int) -> str:
    return TIER_LABELS.get(tier, f"Tier {tier}")


def band_label(band: str) -> str:
    return BANDS.get(band, band.capitalize())


def percent(value: float | None) -> int | None:
    """0..1 as a whole percentage (None stays None)."""
    return None if value is None else round(100 * value)


def score_text(value: float) -> str:
    """A residual score as shown: at most one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class RiskCard:
    """The supplier page's summary of the current snapshot."""

    snapshot_id: int
    tier: int
    tier_label: str
    band: str
    band_label: str
    residual_score: float
    impact: int
    likelihood: int
    effectiveness: int  # percent
    computed_at: dt.datetime
    trigger_label: str

    @property
    def score_text(self) -> str:
        return score_text(self.residual_score)


def card(session: Session, supplier_id: int) -> RiskCard | None:
    """The current snapshot's headline figures, or None before the first score (one query)."""
    row = session.execute(
        select(
            RiskSnapshot.id,
            RiskSnapshot.tier,
            RiskSnapshot.band,
            RiskSnapshot.residual_score,
            RiskSnapshot.impact,
            RiskSnapshot.likelihood,
            RiskSnapshot.effectiveness,
            RiskSnapshot.computed_at,
            RiskSnapshot.trigger,
        ).where(RiskSnapshot.supplier_id == supplier_id, RiskSnapshot.latest.is_(True))
    ).first()
    if row is None:
        return None
    return _card(row)


def _card(row: Any) -> RiskCard:
    """A card from a snapshot, or a row with the snapshot's columns."""
    return RiskCard(
        snapshot_id=row.id,
        tier=row.tier,
        tier_label=tier_label(row.tier),
        band=row.band,
        band_label=band_label(row.band),
        residual_score=row.residual_score,
        impact=row.impact,
        likelihood=row.likelihood,
        effectiveness=percent(row.effectiveness) or 0,
        computed_at=row.computed_at,
        trigger_label=trigger_label(row.trigger),
    )


@dataclass(frozen=True)
class ControlRow:
    control: str
    title: str
    framework: str
    framework_label: str
    score: int | None  # percent
    met: bool
    questions: tuple[str, ...]
    by_certificate: bool


@dataclass(frozen=True)
class CoverageRow:
    framework: str
    label: str
    total: int
    assessed: int
    met: int
    score: int | None  # percent

    @property
    def percent_assessed(self) -> int:
        return 0 if self.total == 0 else round(100 * self.assessed / self.total)


@dataclass(frozen=True)
class HistoryRow:
    snapshot_id: int
    computed_at: dt.datetime
    trigger_label: str
    tier: int
    tier_label: str
    band: str
    band_label: str
    residual_score: float
    moved: tuple[str, ...]
    latest: bool

    @property
    def score_text(self) -> str:
        return score_text(self.residual_score)


@dataclass(frozen=True)
class RiskPage:
    """Everything the risk page shows; `result` is the stored RiskResult dictionary."""

    card: RiskCard
    result: dict[str, Any]
    appetite: Appetite
    grid: list[list[HeatCell]]
    coverage: list[CoverageRow]
    controls: list[ControlRow]
    history: list[HistoryRow]  # newest first
    chart_points: list[tuple[str, float]]  # oldest first
    chart_bands: list[tuple[float, float, str]]
    band_changed_since: bool = False  # the appetite now bands the cell differently
    current_band: str = ""


def chart_label(when: dt.datetime) -> str:
    """A short date for the chart's x axis (at most 9 characters)."""
    return f"{when.day} {when:%b %y}"


def appetite_bands(appetite: Appetite) -> list[tuple[float, float, str]]:
    """The score ranges of the appetite's bands, for stripes behind the history chart."""
    return [
        (0, appetite.low_max, "low"),
        (appetite.low_max, appetite.medium_max, "medium"),
        (appetite.medium_max, appetite.high_max, "high"),
        (appetite.high_max, MAX_SCORE, "critical"),
    ]


def position_grid(cell: tuple[int, int] | None, appetite: Appetite) -> list[list[HeatCell]]:
    """The 5 x 5 grid coloured by the appetite, with only `cell` (likelihood, impact) counted."""
    counts = {tuple(cell): 1} if cell else {}
    return heatmap(counts, appetite)


def history(session: Session, supplier_id: int, limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The supplier's last `limit` snapshots, newest first, without their full results."""
    rows = session.execute(
        select(
            RiskSnapshot.id,
            RiskSnapshot.computed_at,
            RiskSnapshot.trigger,
            RiskSnapshot.tier,
            RiskSnapshot.band,
            RiskSnapshot.residual_score,
            RiskSnapshot.moved,
            RiskSnapshot.latest,
        )
        .where(RiskSnapshot.supplier_id == supplier_id)
        .order_by(RiskSnapshot.computed_at.desc(), RiskSnapshot.id.desc())
        .limit(limit)
    ).all()
    return [
        HistoryRow(
            snapshot_id=r.id,
            computed_at=r.computed_at,
            trigger_label=trigger_label(r.trigger),
            tier=r.tier,
            tier_label=tier_label(r.tier),
            band=r.band,
            band_label=band_label(r.band),
            residual_score=r.residual_score,
            moved=tuple(r.moved or ()),
            latest=bool(r.latest),
        )
        for r in rows
    ]


def _control_titles(session: Session, identifiers: list[str]) -> dict[str, tuple[str, str]]:
    """identifier -> (framework, title) of live controls (one query)."""
    if not identifiers:
        return {}
    found: dict[str, tuple[str, str]] = {}
    rows = session.execute(
        select(Control.identifier, Control.framework, Control.title)
        .where(Control.identifier.in_(sorted(set(identifiers))))
        .order_by(Control.withdrawn, Control.framework)
    ).all()
    for identifier, framework, title in rows:
        found.setdefault(identifier, (framework, title))
    return found


def _framework_order(framework: str) -> int:
    keys = list(FRAMEWORK_LABELS)
    return keys.index(framework) if framework in keys else len(keys)


def coverage_rows(result: dict[str, Any]) -> list[CoverageRow]:
    rows = [
        CoverageRow(
            framework=c["framework"],
            label=FRAMEWORK_LABELS.get(c["framework"], c["framework"]),
            total=c["total"],
            assessed=c["assessed"],
            met=c["met"],
            score=percent(c.get("score")),
        )
        for c in result.get("coverage") or []
    ]
    rows.sort(key=lambda r: (_framework_order(r.framework), r.label))
    return rows


def control_rows(session: Session, supplier_id: int, result: dict[str, Any]) -> list[ControlRow]:
    """The scored controls with their titles and the questions behind them, grouped by
    framework, then by identifier. Stored controls are [control, score, weight, by_cert]."""
    controls = result.get("controls") or []
    titles = _control_titles(session, [c[0] for c in controls])
    questions: dict[str, list[str]] = {}
    for summary in current_summaries(session, supplier_id):
        for control, keys in summary.control_questions:
            questions.setdefault(control, []).extend(keys)
    rows = []
    for control, score, _weight, by_certificate in controls:
        framework, title = titles.get(control, ("", ""))
        rows.append(
            ControlRow(
                control=control,
                title=title,
                framework=framework,
                framework_label=FRAMEWORK_LABELS.get(framework, framework or "Other"),
                score=percent(score),
                met=score is not None and score >= MET_THRESHOLD,
                questions=tuple(dict.fromkeys(questions.get(control, ()))),
                by_certificate=bool(by_certificate),
            )
        )
    rows.sort(key=lambda r: (_framework_order(r.framework), r.framework, r.control))
    return rows


def page(session: Session, supplier_id: int, limit: int = HISTORY_LIMIT) -> RiskPage | None:
    """What the supplier's risk page shows, or None before the first score (four queries)."""
    snapshot = session.scalar(
        select(RiskSnapshot).where(
            RiskSnapshot.supplier_id == supplier_id, RiskSnapshot.latest.is_(True)
        )
    )
    if snapshot is None:
        return None
    summary = _card(snapshot)
    result = dict(snapshot.result or {})
    app_now = current_appetite(session)
    cell = (snapshot.cell_likelihood, snapshot.cell_impact)
    grid = position_grid(cell, app_now)
    now_band = band(*cell, app_now)
    rows = history(session, supplier_id, limit)
    return RiskPage(
        card=summary,
        result=result,
        appetite=app_now,
        grid=grid,
        coverage=coverage_rows(result),
        controls=control_rows(session, supplier_id, result),
        history=rows,
        chart_points=[(chart_label(r.computed_at), r.residual_score) for r in reversed(rows)],
        chart_bands=appetite_bands(app_now),
        band_changed_since=now_band != snapshot.band,
        current_band=now_band,
    )


# --- finding a supplier and explaining in plain text (the CLI) ---------------------------


def find_supplier(session: Session, key: str) -> Supplier | None:
    """A supplier by id (digits) or by code (any case)."""
    key = (key or "").strip()
    if not key:
        return None
    if key.isascii() and key.isdigit() and len(key) < 12:
        found = session.get(Supplier, int(key))
        if found is not None:
            return found
    return session.scalar(select(Supplier).where(func.lower(Supplier.code) == key.lower()))


def explain_lines(result: dict[str, Any]) -> list[str]:
    """The stored result as plain text, step by step (what `flask risk show` prints)."""
    return as_text(result).splitlines()


# --- the appetite (admin settings) -------------------------------------------------------


def appetite_grid(appetite: Appetite) -> list[list[tuple[int, int, int, str]]]:
    """Rows from likelihood 5 to 1 of (likelihood, impact, product, band) for a preview."""
    return [
        [(c.likelihood, c.impact, c.likelihood * c.impact, c.band) for c in row]
        for row in heatmap({}, appetite)
    ]
