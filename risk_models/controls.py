"""Control effectiveness from reviewed answers, per control and per framework.

Counting rules (docs/risk-model.md, "Control effectiveness"):
- hidden questions never reach the model (the engine leaves them out);
- an accepted answer counts its score (0..1) times its weight;
- a required question that is unanswered, or answered but not accepted, counts 0;
- N/A is left out only when the reviewer accepted it; otherwise it counts 0;
- unscored types (text, date, number, file) and unanswered optional questions are left out.

An approved assessment never changes, so `summarise` reduces its questions once to sums
(an AnswerSummary); effectiveness and control scores add those sums up, which gives
exactly what counting every question again would.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from risk_models.types import AnswerSummary, ControlScore, Coverage, Factor, Gap, QuestionResult

MET_THRESHOLD = 0.7
FRAMEWORK_LABELS: dict[str, str] = {
    "csf2": "NIST CSF 2.0 (GV.SC)",
    "sp800-53r5": "NIST SP 800-53r5 (SR and C-SCRM overlay)",
    "iso28000": "ISO 28000:2022",
}
TOP_GAPS = 5
COUNTING_VERSION = "1"  # change with the rules above: stored summaries are then rebuilt


@dataclass(frozen=True)
class Catalog:
    """Control identifiers per framework (what coverage is measured against)."""

    frameworks: Mapping[str, tuple[str, ...]]
    version: str = ""


def counted(q: QuestionResult) -> float | None:
    """The score a question counts with, or None when it is left out (see module rules)."""
    if q.status == "na":
        return None if q.accepted else 0.0
    if q.status == "unanswered":
        return 0.0 if q.required else None
    if q.score is None:
        return None
    if q.accepted:
        return q.score
    return 0.0 if q.required else None


def _why(q: QuestionResult, s: float) -> str:
    if s == 0:
        if q.status == "na":
            return "N/A not accepted by a reviewer"
        if q.status == "unanswered":
            return "required, unanswered"
        if not q.accepted:
            return "not accepted by a reviewer"
    return f"scored {round(100 * s)}%"


def summarise(questions: Iterable[QuestionResult], source: str) -> AnswerSummary:
    """One assessment's counted questions reduced to sums, its largest gaps and per-control
    sums (pure and deterministic: the digest depends only on the content)."""
    earned = possible = 0.0
    excluded = 0
    gaps: list[Gap] = []
    per_control: dict[str, list] = {}
    for q in questions:
        s = counted(q)
        if s is None:
            excluded += 1
            continue
        earned += q.weight * s
        possible += q.weight
        if s < 1:
            gaps.append(Gap(q.key, q.weight, s, _why(q, s), q.text))
        for control in q.controls:
            entry = per_control.get(control)
            if entry is None:
                per_control[control] = [q.weight * s, q.weight, [q.key]]
            else:
                entry[0] += q.weight * s
                entry[1] += q.weight
                entry[2].append(q.key)
    gaps.sort(key=lambda g: (-g.lost, g.key))
    ordered = sorted(per_control.items())
    controls = tuple((c, round(v[0], 6), round(v[1], 6)) for c, v in ordered)
    keys = tuple((c, tuple(v[2])) for c, v in ordered)
    content = (source, round(earned, 6), round(possible, 6), excluded, tuple(gaps[:TOP_GAPS]))
    digest = hashlib.sha256(repr((content, controls, keys)).encode()).hexdigest()[:32]
    return AnswerSummary(*content, controls, digest, keys)


def effectiveness(answers: Iterable[AnswerSummary]) -> tuple[float, list[Factor]]:
    """Weighted mean score of the counted questions (0..1) and what moved it most."""
    answers = list(answers)
    earned = sum(a.earned for a in answers)
    possible = sum(a.possible for a in answers)
    excluded = sum(a.excluded for a in answers)
    if possible == 0:
        what = "No approved assessment" if not answers else "No scored answer"
        return 0.0, [Factor(f"{what}: no control credit", "= 0%")]
    value = earned / possible
    factors = [
        Factor(
            f"Reviewed answers earn {_num(earned)} of {_num(possible)} weighted points",
            f"= {round(100 * value)}%",
            "; ".join(a.source for a in answers),
        )
    ]
    gaps = sorted((g for a in answers for g in a.gaps), key=lambda g: (-g.lost, g.key))
    for g in gaps[:TOP_GAPS]:
        share = 100 * g.lost / possible
        label = f"{g.key}: {g.reason} (weight {_num(g.weight)})"
        factors.append(Factor(label, f"−{share:.1f} pts", g.text))
    if excluded:
        factors.append(
            Factor(
                f"{excluded} question(s) left out",
                "",
                "accepted N/A, unscored or optional unanswered",
            )
        )
    return value, factors


def control_scores(
    answers: Iterable[AnswerSummary], catalog: Catalog | None = None, *, certified: bool = False
) -> list[ControlScore]:
    """Score per control from its counted questions; with a valid ISO 28000 certificate the
    ISO clauses no answer reached count as met by the certificate."""
    earned: dict[str, float] = defaultdict(float)
    weight: dict[str, float] = defaultdict(float)
    for a in answers:
        for control, e, w in a.controls:
            earned[control] += e
            weight[control] += w
    result = [ControlScore(c, earned[c] / weight[c], weight[c]) for c in sorted(weight)]
    if certified and catalog is not None:
        for control in catalog.frameworks.get("iso28000", ()):
            if control not in weight:
                result.append(ControlScore(control, 1.0, 1.0, by_certificate=True))
    return result


def coverage(scores: Iterable[ControlScore], catalog: Catalog) -> list[Coverage]:
    """Per framework: controls reached by the answers, how many are met, and the mean score."""
    by_id = {s.control: s for s in scores}
    result = []
    for framework, ids in catalog.frameworks.items():
        reached = [by_id[c] for c in ids if c in by_id and by_id[c].score is not None]
        w = sum(s.weight for s in reached)
        mean = sum(s.score * s.weight for s in reached) / w if w else None
        met = sum(1 for s in reached if s.score >= MET_THRESHOLD)
        result.append(Coverage(framework, len(ids), len(reached), met, mean))
    return result


def _num(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.1f}"
