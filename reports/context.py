"""What a report shows, as plain frozen dataclasses (no database, no Flask).

The app gathers these (app/services/report_data.py); tests and the benchmark build them by
hand. Every value is already what the page prints or a small key the builder styles
(bands `low|medium|high|critical`, severities `critical|high|medium|low`, tiers 1-4):
the builders look nothing up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

BANDS = ("low", "medium", "high", "critical")
BAND_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
SEVERITIES = ("critical", "high", "medium", "low")
TIER_LABELS = {
    1: "Tier 1 (critical)",
    2: "Tier 2 (high)",
    3: "Tier 3 (moderate)",
    4: "Tier 4 (low)",
}
# The kinds of change a report lists since the previous one, in the order it lists them.
CHANGE_KINDS = {
    "tier_change": "Tier changes",
    "new_critical_connection": "New critical connections",
    "new_fourth_party": "New 4th parties",
    "newly_overdue_finding": "Newly overdue findings",
    "lapsed_acceptance": "Lapsed risk acceptances",
}


@dataclass(frozen=True)
class Change:
    """One change since the last report; `kind` is a key of CHANGE_KINDS."""

    kind: str
    text: str


@dataclass(frozen=True)
class HeatCell:
    """One cell of the 5 x 5 grid: how many suppliers sit there, and the cell's band."""

    likelihood: int
    impact: int
    count: int
    band: str


@dataclass(frozen=True)
class KeyFigures:
    """The headline numbers of the portfolio report."""

    suppliers: int  # live suppliers
    scored: int  # of those, with a current risk score
    by_tier: dict[int, int] = field(default_factory=dict)  # tier -> scored suppliers
    by_band: dict[str, int] = field(default_factory=dict)  # band -> scored suppliers
    assessments_approved: int = 0  # approved within the report's period
    assessments_overdue: int = 0  # waiting for the supplier past their due date, now
    findings_open: int = 0  # open or in progress
    findings_overdue: int = 0
    findings_by_severity: dict[str, int] = field(default_factory=dict)  # open ones
    acceptances_in_force: int = 0
    acceptances_expiring: int = 0  # in force and lapsing within 30 days

    @property
    def severe(self) -> int:
        """Scored suppliers in the high or critical band."""
        return self.by_band.get("high", 0) + self.by_band.get("critical", 0)


@dataclass(frozen=True)
class TrendPoint:
    """The portfolio at one month end: mean residual score and how many high/critical."""

    label: str  # "2026-03"
    mean_score: float | None
    severe: int
    scored: int = 0


@dataclass(frozen=True)
class RiskySupplier:
    """One of the riskiest suppliers, with the main factors behind its score."""

    code: str
    name: str
    country: str
    tier: int
    band: str
    residual_score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoverageRow:
    """Mean coverage of one framework over the suppliers that have it in scope."""

    label: str
    suppliers: int
    assessed_percent: int
    met_percent: int
    mean_score_percent: int | None = None


@dataclass(frozen=True)
class Concentration:
    """A concentration risk: many suppliers (or critical links) sharing one party,
    country or kind of connection. `kind`: critical_links | shared_fourth_party |
    country | connection_kind."""

    kind: str
    party: str
    count: int
    detail: str


@dataclass(frozen=True)
class AppendixRow:
    """One supplier in the portfolio appendix (tier, band and score None when unscored)."""

    code: str
    name: str
    country: str
    tier: int | None
    band: str | None
    residual_score: float | None
    open_findings: int = 0


@dataclass(frozen=True)
class PortfolioContext:
    """Everything the portfolio report shows."""

    org_name: str
    period_start: dt.date
    period_end: dt.date
    generated_at: dt.datetime
    figures: KeyFigures
    heatmap: tuple[tuple[HeatCell, ...], ...] = ()  # rows likelihood 5..1, cells impact 1..5
    trend: tuple[TrendPoint, ...] = ()  # oldest first
    top_risks: tuple[RiskySupplier, ...] = ()
    changes: tuple[Change, ...] = ()
    first_report: bool = True  # no previous report to compare with
    previous_as_of: dt.date | None = None  # the date the compared report was made
    coverage: tuple[CoverageRow, ...] = ()
    concentrations: tuple[Concentration, ...] = ()
    appendix: tuple[AppendixRow, ...] = ()
    title: str = "Supplier cyber risk report"


# --- one supplier ------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierProfile:
    """Who the supplier is, as its page shows it (labels, not stored keys)."""

    code: str
    name: str
    country: str
    category: str
    criticality: str
    single_source: bool
    status: str
    owner: str = ""
    website: str = ""
    contact_email: str = ""
    next_reassessment_on: dt.date | None = None
    sub_suppliers: tuple[str, ...] = ()  # its own suppliers (our 4th parties)
    customers: tuple[str, ...] = ()  # our suppliers that depend on it
    open_assessments: tuple[str, ...] = ()  # e.g. "C-SCRM Core, round 2: sent, due 2026-04-01"


@dataclass(frozen=True)
class ConnectionRow:
    """One connection of the supplier to our systems (labels; `critical` as the model counts it)."""

    name: str
    kind: str
    direction: str
    internal_system: str
    data_classes: tuple[str, ...]
    authentication: str
    encryption: str
    integration_layer: str
    access_level: str
    status: str
    critical: bool = False
    credential_expires_on: dt.date | None = None
    last_reviewed_on: dt.date | None = None


@dataclass(frozen=True)
class Factor:
    """One input that moved a step of the score, and how ("+1", "= 66%")."""

    label: str
    effect: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ExplanationStep:
    """One step of the score's explanation ("Impact 5/5") and the inputs that moved it."""

    title: str
    factors: tuple[Factor, ...] = ()


@dataclass(frozen=True)
class FrameworkCoverage:
    """The supplier's coverage of one framework's controls."""

    label: str
    total: int
    assessed: int
    met: int
    score_percent: int | None = None


@dataclass(frozen=True)
class SupplierScore:
    """The supplier's current score and its explanation."""

    tier: int
    band: str
    residual_score: float
    impact: int
    likelihood: int
    inherent_score: int
    effectiveness_percent: int
    cell: tuple[int, int]  # (likelihood, impact) on the grid
    computed_at: dt.datetime
    steps: tuple[ExplanationStep, ...] = ()
    coverage: tuple[FrameworkCoverage, ...] = ()
    grid: tuple[tuple[HeatCell, ...], ...] = ()  # the appetite's bands; count 1 at `cell`
    model_version: str = ""


@dataclass(frozen=True)
class AnswerRow:
    """One answered question with the reviewer's verdict."""

    question: str
    answer: str
    comment: str = ""
    verdict: str = ""  # "Accepted", "Needs clarification", "" (not reviewed)
    verdict_note: str = ""
    key: str = ""


@dataclass(frozen=True)
class AnswerSection:
    """A questionnaire section's answered questions."""

    title: str
    answers: tuple[AnswerRow, ...] = ()


@dataclass(frozen=True)
class AssessmentAnswers:
    """One approved assessment's answers, by questionnaire section."""

    title: str  # "C-SCRM Core v3, round 2"
    status: str
    approved_on: dt.date | None = None
    connection: str = ""
    sections: tuple[AnswerSection, ...] = ()


@dataclass(frozen=True)
class Milestone:
    """A step of a remediation plan."""

    title: str
    due_on: dt.date
    done_on: dt.date | None = None


@dataclass(frozen=True)
class FindingRow:
    """One finding with its plan, milestones and acceptance (status and plan as labels)."""

    title: str
    severity: str
    status: str  # label, e.g. "In progress"
    opened_on: dt.date
    due_on: dt.date
    control: str = ""
    overdue: bool = False
    owner: str = ""
    connection: str = ""
    plan_status: str = ""  # label, e.g. "Plan accepted"
    plan_text: str = ""
    plan_due_on: dt.date | None = None
    milestones: tuple[Milestone, ...] = ()
    accepted_until: dt.date | None = None
    acceptance_reason: str = ""


@dataclass(frozen=True)
class SupplierContext:
    """Everything the supplier report shows."""

    org_name: str
    generated_at: dt.datetime
    profile: SupplierProfile
    connections: tuple[ConnectionRow, ...] = ()
    score: SupplierScore | None = None  # None before the supplier is first scored
    assessments: tuple[AssessmentAnswers, ...] = ()
    findings: tuple[FindingRow, ...] = ()
    title: str = "Supplier risk report"
