"""The plain data the risk model reads and writes.

The web layer gathers these from the database (app/services/risk.py); tests, the benchmark
and the PDF builder build them by hand. Every input is a frozen dataclass of plain values,
so `inputs_hash` is stable and the model is a pure function of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any


def plain(value: Any) -> Any:
    """Dataclasses -> dicts, tuples -> lists, recursively (a fast `asdict`: our values are
    immutable, so nothing needs copying)."""
    names = getattr(type(value), "__plain_fields__", None)
    if names is None and hasattr(value, "__dataclass_fields__"):
        names = type(value).__plain_fields__ = tuple(f.name for f in fields(value))
    if names is not None:
        return {n: plain(getattr(value, n)) for n in names}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class ConnectionInput:
    """One partner connection as the model sees it (retired or archived ones are left out)."""

    id: int
    name: str
    kind: str
    direction: str
    internal_system: str
    authentication: str
    encryption: str
    integration_layer: str
    access_level: str
    data_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionResult:
    """One visible, scored question of an approved assessment, after the engine has read it.

    `score` is the engine's 0..1 for the answer (None: blank, N/A or an unscored type);
    `status` is answered | unanswered | na; `accepted` is True when a reviewer accepted the
    answer as it stands now.
    """

    key: str
    controls: tuple[str, ...]
    weight: float
    required: bool
    status: str
    score: float | None
    accepted: bool
    source: str = ""  # which questionnaire, e.g. "C-SCRM Core v3, round 2"
    text: str = ""


@dataclass(frozen=True)
class Gap:
    """A counted question that fell short: what it cost, and why."""

    key: str
    weight: float
    score: float  # what it counted with (0..1, below 1)
    reason: str
    text: str = ""

    @property
    def lost(self) -> float:
        return self.weight * (1 - self.score)


@dataclass(frozen=True)
class AnswerSummary:
    """One approved assessment's reviewed answers, reduced to the sums the model adds up.

    An approved assessment never changes, so its summary is computed once (see
    controls.summarise) and kept; `digest` identifies its content for the inputs' hash.
    `controls` holds (control, earned, weight); `gaps` the largest shortfalls;
    `control_questions` which questions reached each control (for people, not for scoring:
    stored apart so scoring does not load it).
    """

    source: str
    earned: float
    possible: float
    excluded: int
    gaps: tuple[Gap, ...] = ()
    controls: tuple[tuple[str, float, float], ...] = ()
    digest: str = ""
    control_questions: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "earned": self.earned,
            "possible": self.possible,
            "excluded": self.excluded,
            "gaps": [[g.key, g.weight, g.score, g.reason, g.text] for g in self.gaps],
            "controls": [[c, e, w] for c, e, w in self.controls],
            "digest": self.digest,
        }

    def questions_json(self) -> dict[str, list[str]]:
        return {c: list(keys) for c, keys in self.control_questions}

    @classmethod
    def from_json(
        cls, data: dict[str, Any], questions: dict[str, list[str]] | None = None
    ) -> AnswerSummary:
        return cls(
            data["source"],
            data["earned"],
            data["possible"],
            data["excluded"],
            tuple(Gap(*g) for g in data["gaps"]),
            tuple((c, e, w) for c, e, w in data["controls"]),
            data["digest"],
            tuple((c, tuple(k)) for c, k in (questions or {}).items()),
        )


@dataclass(frozen=True)
class MitigationInput:
    """A finding's mitigation; only verified ones lower residual risk (issue #5 supplies them)."""

    id: int
    title: str
    severity: str  # critical | high | medium | low
    verified: bool


@dataclass(frozen=True)
class Appetite:
    """The organisation's risk appetite: a 5 x 5 cell (likelihood x impact) is `low` up to
    `low_max`, `medium` up to `medium_max`, `high` up to `high_max`, else `critical`."""

    low_max: int = 4
    medium_max: int = 9
    high_max: int = 15

    def problems(self) -> list[str]:
        """Why these thresholds cannot be used (empty when they can)."""
        values = (self.low_max, self.medium_max, self.high_max)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
            return ["Thresholds must be whole numbers."]
        if not 1 <= self.low_max < self.medium_max < self.high_max < 25:
            return ["Thresholds must rise: 1 ≤ low < medium < high < 25."]
        return []


@dataclass(frozen=True)
class SupplierInput:
    """Everything the model needs to score one supplier."""

    id: int
    name: str
    category: str
    criticality: str
    single_source: bool
    connections: tuple[ConnectionInput, ...] = ()
    sub_supplier_count: int = 0
    iso28000_certified: bool = False
    mitigations: tuple[MitigationInput, ...] = ()
    appetite: Appetite = field(default_factory=Appetite)
    # The latest approved assessments; they enter the inputs' hash by their digests.
    answers: tuple[AnswerSummary, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)


def inputs_hash(supplier: SupplierInput, digests: Iterable[str], model_version: str) -> str:
    """SHA-256 of the inputs and model version: equal hashes mean an equal result.

    The dataclasses' generated repr names every field and value (frozen, plain types), so
    it is a complete, deterministic and fast serialisation; the answers count through the
    digests of their summaries (`digests`), which callers may know without loading them.
    """
    text = f"{model_version}|{supplier!r}|{','.join(digests)}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Factor:
    """One input that moved a score: what it was, and how it moved the value."""

    label: str
    effect: str  # e.g. "= 4", "+1", "−0.75", "capped at 5"
    detail: str = ""


@dataclass(frozen=True)
class ControlScore:
    """How well one control is implemented according to the reviewed answers."""

    control: str
    score: float | None  # 0..1, None when no counted question maps to it
    weight: float  # the weight of the counted questions behind the score
    by_certificate: bool = False


@dataclass(frozen=True)
class Coverage:
    """One framework: how many of its controls the answers reach, and how well."""

    framework: str
    total: int
    assessed: int
    met: int  # assessed controls scoring at least MET_THRESHOLD
    score: float | None  # weighted mean of the assessed controls' scores

    @property
    def percent_assessed(self) -> int:
        return 0 if self.total == 0 else round(100 * self.assessed / self.total)


@dataclass(frozen=True)
class RiskResult:
    """The model's answer for one supplier, with the factors that explain each step."""

    model_version: str
    impact: int
    impact_factors: tuple[Factor, ...]
    likelihood: int
    likelihood_factors: tuple[Factor, ...]
    inherent_score: int
    tier: int
    effectiveness: float
    effectiveness_factors: tuple[Factor, ...]
    residual_likelihood: float
    residual_factors: tuple[Factor, ...]
    residual_score: float
    cell: tuple[int, int]  # (likelihood 1..5, impact 1..5) on the grid
    band: str
    critical_connections: int
    controls: tuple[ControlScore, ...] = ()
    coverage: tuple[Coverage, ...] = ()
    connection_kinds: tuple[str, ...] = ()  # distinct kinds of its live connections, sorted
    internal_systems: tuple[str, ...] = ()  # distinct internal systems they reach, sorted

    def to_dict(self) -> dict[str, Any]:
        """The stored form; controls as compact [control, score, weight, by_certificate]."""
        data = {
            name: getattr(self, name)
            for name in (
                "model_version", "impact", "likelihood", "inherent_score", "tier",
                "effectiveness", "residual_likelihood", "residual_score", "band",
                "critical_connections",
            )
        }  # fmt: skip
        for name in ("impact_factors", "likelihood_factors", "effectiveness_factors"):
            data[name] = [_factor(f) for f in getattr(self, name)]
        data["residual_factors"] = [_factor(f) for f in self.residual_factors]
        data["cell"] = list(self.cell)
        data["connection_kinds"] = list(self.connection_kinds)
        data["internal_systems"] = list(self.internal_systems)
        data["controls"] = [[c.control, c.score, c.weight, c.by_certificate] for c in self.controls]
        data["coverage"] = [
            {"framework": c.framework, "total": c.total, "assessed": c.assessed,
             "met": c.met, "score": c.score}
            for c in self.coverage
        ]  # fmt: skip
        return data


def _factor(f: Factor) -> dict[str, str]:
    return {"label": f.label, "effect": f.effect, "detail": f.detail}
