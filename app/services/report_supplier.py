"""One supplier's report context (reports.context.SupplierContext) from the database.

About a dozen queries whatever the supplier's size: its row and owner, its 4th parties and
dependants, open assessments, connections (with their data classes), the current snapshot,
its latest approved assessments with their answers, and its findings with milestones and
acceptances. Import it through app.services.report_data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session, aliased, selectinload

from app.models import (
    Answer,
    Assessment,
    Connection,
    Finding,
    FindingMilestone,
    QuestionnaireTemplate,
    RiskAcceptance,
    RiskSnapshot,
    Supplier,
    TemplateVersion,
    User,
    supplier_links,
)
from app.models.assessment import ASSESSMENT_STATUSES
from app.models.base import utcnow
from app.models.finding import FINDING_STATUSES, PLAN_STATUSES
from app.services import ServiceError, findings_views, risk_views
from app.services.answering import display_value
from app.services.review import VERDICTS
from app.services.risk_inputs import appetite
from app.services.templates import template_of
from app.services.validation import country_name, record_id
from reports import context as rc
from risk_models import vocab
from risk_models.explain import tier_rule
from risk_models.inherent import TIER_LABELS, is_critical_connection
from risk_models.residual import BANDS, num
from risk_models.types import ConnectionInput

OPEN_ASSESSMENTS = ("sent", "in_progress", "submitted", "under_review", "changes_requested")
# The unfinished findings first (as findings_views.supplier_plan orders them).
PLAN_ORDER = case(
    {"open": 0, "in_progress": 1, "resolved": 2, "accepted": 3}, value=Finding.status, else_=4
)


def _factors(items: Iterable[dict]) -> tuple[rc.Factor, ...]:
    return tuple(rc.Factor(f["label"], f.get("effect", ""), f.get("detail", "")) for f in items)


def explanation(r: dict[str, Any]) -> tuple[rc.ExplanationStep, ...]:
    """A stored result's explanation as steps (the same as risk_models.explain.as_text)."""
    cell_l, cell_i = r["cell"]
    rl = num(r["residual_likelihood"])
    return (
        rc.ExplanationStep(f"1. Impact {r['impact']}/5", _factors(r["impact_factors"])),
        rc.ExplanationStep(
            f"2. Inherent likelihood {r['likelihood']}/5", _factors(r["likelihood_factors"])
        ),
        rc.ExplanationStep(
            f"3. {TIER_LABELS[r['tier']]}: inherent score {r['impact']} × {r['likelihood']} = "
            f"{r['inherent_score']}",
            (rc.Factor(tier_rule()),),
        ),
        rc.ExplanationStep(
            f"4. Control effectiveness {round(100 * r['effectiveness'])}%",
            _factors(r["effectiveness_factors"]),
        ),
        rc.ExplanationStep(
            f"5. Residual likelihood {rl} → grid row {cell_l} (halves round up)",
            _factors(r["residual_factors"]),
        ),
        rc.ExplanationStep(
            f"6. Residual score {rl} × {r['impact']} = {num(r['residual_score'])}/25; grid cell "
            f"{cell_l} × {cell_i} = {cell_l * cell_i}: band {BANDS[r['band']]}"
        ),
    )


def _score(session: Session, supplier_id: int) -> rc.SupplierScore | None:
    snapshot = session.scalar(
        select(RiskSnapshot).where(
            RiskSnapshot.supplier_id == supplier_id, RiskSnapshot.latest.is_(True)
        )
    )
    if snapshot is None:
        return None
    result = dict(snapshot.result or {})
    cell = (snapshot.cell_likelihood, snapshot.cell_impact)
    grid = risk_views.position_grid(cell, appetite(session))
    return rc.SupplierScore(
        tier=snapshot.tier,
        band=snapshot.band,
        residual_score=snapshot.residual_score,
        impact=snapshot.impact,
        likelihood=snapshot.likelihood,
        inherent_score=result.get("inherent_score", snapshot.impact * snapshot.likelihood),
        effectiveness_percent=round(100 * snapshot.effectiveness),
        cell=cell,
        computed_at=snapshot.computed_at,
        steps=explanation(result) if result.get("impact_factors") is not None else (),
        coverage=tuple(
            rc.FrameworkCoverage(c.label, c.total, c.assessed, c.met, c.score)
            for c in risk_views.coverage_rows(result)
        ),
        grid=tuple(
            tuple(rc.HeatCell(c.likelihood, c.impact, c.count, c.band) for c in row) for row in grid
        ),
        model_version=snapshot.model_version,
    )


def _connections(session: Session, supplier_id: int) -> tuple[rc.ConnectionRow, ...]:
    rows = session.scalars(
        select(Connection)
        .where(Connection.supplier_id == supplier_id, Connection.archived_at.is_(None))
        .options(selectinload(Connection.data_class_rows))
        .order_by(Connection.status == "retired", Connection.name, Connection.id)
    ).all()
    out = []
    for c in rows:
        critical = c.status != "retired" and is_critical_connection(
            ConnectionInput(
                c.id,
                c.name,
                c.kind,
                c.direction,
                c.internal_system,
                c.authentication,
                c.encryption,
                c.integration_layer,
                c.access_level,
                tuple(c.data_classes),
            )
        )
        out.append(
            rc.ConnectionRow(
                name=c.name,
                kind=vocab.label(vocab.CONNECTION_KINDS, c.kind),
                direction=vocab.label(vocab.DIRECTIONS, c.direction),
                internal_system=vocab.label(vocab.INTERNAL_SYSTEMS, c.internal_system),
                data_classes=tuple(vocab.label(vocab.DATA_CLASSES, d) for d in c.data_classes),
                authentication=vocab.label(vocab.AUTHENTICATIONS, c.authentication),
                encryption=vocab.label(vocab.ENCRYPTIONS, c.encryption),
                integration_layer=vocab.label(vocab.INTEGRATION_LAYERS, c.integration_layer),
                access_level=vocab.label(vocab.ACCESS_LEVELS, c.access_level),
                status=vocab.label(vocab.CONNECTION_STATUSES, c.status),
                critical=critical,
                credential_expires_on=c.credential_expires_on,
                last_reviewed_on=c.last_reviewed_on,
            )
        )
    return tuple(out)


def _assessment_label(name: str, version: int, round_: int) -> str:
    return f"{name} v{version}, round {round_}"


def _answers(session: Session, supplier_id: int) -> tuple[rc.AssessmentAnswers, ...]:
    """The newest approved round per questionnaire and connection, answers by section."""
    link = aliased(Connection)
    rows = session.execute(
        select(Assessment, TemplateVersion, QuestionnaireTemplate.name, link.name)
        .join(TemplateVersion, TemplateVersion.id == Assessment.template_version_id)
        .join(QuestionnaireTemplate, QuestionnaireTemplate.id == TemplateVersion.template_id)
        .outerjoin(link, link.id == Assessment.connection_id)
        .where(Assessment.supplier_id == supplier_id, Assessment.status == "approved")
        .order_by(Assessment.approved_at.desc(), Assessment.id.desc())
    ).all()
    chosen: dict[tuple, tuple] = {}
    for a, version, name, connection in rows:
        chosen.setdefault((version.template_id, a.connection_id), (a, version, name, connection))
    if not chosen:
        return ()
    answers: dict[int, dict[str, Answer]] = {}
    for answer in session.scalars(
        select(Answer).where(Answer.assessment_id.in_([a.id for a, *_ in chosen.values()]))
    ):
        answers.setdefault(answer.assessment_id, {})[answer.question_key] = answer
    out = []
    for a, version, name, connection in sorted(chosen.values(), key=lambda c: (c[2], c[3] or "")):
        template = template_of(version)
        given = answers.get(a.id, {})
        sections = []
        for section in template.sections:
            rows_ = tuple(
                rc.AnswerRow(
                    question=q.text,
                    answer=display_value(q, given[q.key].value),
                    comment=given[q.key].comment or "",
                    verdict=VERDICTS.get(given[q.key].verdict or "", ""),
                    verdict_note=given[q.key].verdict_note or "",
                    key=q.key,
                )
                for q in section.questions
                if q.key in given
            )
            if rows_:
                sections.append(rc.AnswerSection(section.title, rows_))
        out.append(
            rc.AssessmentAnswers(
                title=_assessment_label(name, version.number, a.round),
                status=ASSESSMENT_STATUSES.get(a.status, a.status),
                approved_on=a.approved_at.date() if a.approved_at else None,
                connection=connection or "",
                sections=tuple(sections),
            )
        )
    return tuple(out)


def _findings(session: Session, supplier_id: int, today: dt.date) -> tuple[rc.FindingRow, ...]:
    owner, link = aliased(User), aliased(Connection)
    rows = session.execute(
        select(Finding, owner.email, link.name)
        .outerjoin(owner, owner.id == Finding.owner_id)
        .outerjoin(link, link.id == Finding.connection_id)
        .where(Finding.supplier_id == supplier_id)
        .order_by(PLAN_ORDER, findings_views.SEVERITY_ORDER, Finding.due_on, Finding.id)
    ).all()
    ids = [f.id for f, *_ in rows]
    milestones: dict[int, list[rc.Milestone]] = {}
    acceptances: dict[int, RiskAcceptance] = {}
    if ids:
        for m in session.scalars(
            select(FindingMilestone)
            .where(FindingMilestone.finding_id.in_(ids))
            .order_by(FindingMilestone.due_on, FindingMilestone.id)
        ):
            milestones.setdefault(m.finding_id, []).append(
                rc.Milestone(m.title, m.due_on, m.done_on)
            )
        for acc in session.scalars(
            select(RiskAcceptance)
            .where(RiskAcceptance.finding_id.in_(ids), RiskAcceptance.lapsed_on.is_(None))
            .order_by(RiskAcceptance.id)
        ):
            acceptances[acc.finding_id] = acc  # the newest in force
    out = []
    for f, owner_email, connection in rows:
        acc = acceptances.get(f.id) if f.status == "accepted" else None
        out.append(
            rc.FindingRow(
                title=f.title,
                severity=f.severity,
                status=FINDING_STATUSES.get(f.status, f.status),
                opened_on=f.opened_on,
                due_on=f.due_on,
                control=f.control,
                overdue=findings_views.is_overdue(f, today),
                owner=owner_email or "",
                connection=connection or "",
                plan_status=PLAN_STATUSES.get(f.plan_status, f.plan_status),
                plan_text=f.plan_text or "",
                plan_due_on=f.plan_due_on,
                milestones=tuple(milestones.get(f.id, ())),
                accepted_until=acc.expires_on if acc else None,
                acceptance_reason=acc.reason if acc else "",
            )
        )
    return tuple(out)


def _names(session: Session, stmt) -> tuple[str, ...]:
    return tuple(f"{name} ({code})" for name, code in session.execute(stmt).all())


def supplier_context(
    session: Session,
    supplier_id: Any,
    *,
    org_name: str,
    today: dt.date,
    now: dt.datetime | None = None,
) -> rc.SupplierContext:
    """One supplier's report context; ServiceError for an unknown supplier."""
    found = record_id(supplier_id)
    supplier = session.get(Supplier, found) if found else None
    if supplier is None:
        raise ServiceError(f"Unknown supplier: {supplier_id!r}.")
    sid = supplier.id
    owner = session.execute(
        select(User.name, User.email).where(User.id == supplier.owner_id)
    ).first()
    subs = _names(
        session,
        select(Supplier.legal_name, Supplier.code)
        .join(supplier_links, supplier_links.c.sub_supplier_id == Supplier.id)
        .where(supplier_links.c.supplier_id == sid)
        .order_by(Supplier.search_key),
    )
    customers = _names(
        session,
        select(Supplier.legal_name, Supplier.code)
        .join(supplier_links, supplier_links.c.supplier_id == Supplier.id)
        .where(supplier_links.c.sub_supplier_id == sid, Supplier.archived_at.is_(None))
        .order_by(Supplier.search_key),
    )
    pending = session.execute(
        select(Assessment.status, Assessment.due_on, Assessment.round, QuestionnaireTemplate.name)
        .join(TemplateVersion, TemplateVersion.id == Assessment.template_version_id)
        .join(QuestionnaireTemplate, QuestionnaireTemplate.id == TemplateVersion.template_id)
        .where(Assessment.supplier_id == sid, Assessment.status.in_(OPEN_ASSESSMENTS))
        .order_by(Assessment.due_on, Assessment.id)
    ).all()
    status = (
        "Archived" if supplier.archived else vocab.label(vocab.SUPPLIER_STATUSES, supplier.status)
    )
    profile = rc.SupplierProfile(
        code=supplier.code,
        name=supplier.legal_name,
        country=country_name(supplier.country),
        category=vocab.label(vocab.SUPPLIER_CATEGORIES, supplier.category),
        criticality=vocab.label(vocab.CRITICALITIES, supplier.criticality),
        single_source=bool(supplier.single_source),
        status=status,
        owner=f"{owner.name} <{owner.email}>"
        if owner and owner.name
        else (owner.email if owner else ""),
        website=supplier.website or "",
        contact_email=supplier.contact_email or "",
        next_reassessment_on=supplier.next_reassessment_on,
        sub_suppliers=subs,
        customers=customers,
        open_assessments=tuple(
            f"{name}, round {round_}: {ASSESSMENT_STATUSES.get(st, st).lower()}, due {due:%Y-%m-%d}"
            + (
                " (overdue)"
                if due < today and st in ("sent", "in_progress", "changes_requested")
                else ""
            )
            for st, due, round_, name in pending
        ),
    )
    return rc.SupplierContext(
        org_name=org_name,
        generated_at=now or utcnow(),
        profile=profile,
        connections=_connections(session, sid),
        score=_score(session, sid),
        assessments=_answers(session, sid),
        findings=_findings(session, sid, today),
    )
