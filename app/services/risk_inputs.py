"""Gather the risk model's plain inputs from the database, in bulk.

A fixed number of queries whatever the number of suppliers: suppliers, live connections,
their data classes, sub-supplier counts, the latest approved assessment per questionnaire
(and connection), valid ISO 28000 certificates, the catalog and the appetite.

An approved assessment never changes, so its answers are read once through the
questionnaire engine (visibility, scores), reduced to an AnswerSummary and kept in
`assessment_score`. Scoring then needs only each summary's digest to decide whether a
supplier's inputs changed, and loads the summaries themselves only for those that did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, null, or_, select
from sqlalchemy.orm import Session

from app.models import (
    Answer,
    Assessment,
    AssessmentScore,
    Certification,
    Connection,
    ConnectionDataClass,
    Control,
    Finding,
    OrgSettings,
    QuestionnaireTemplate,
    Supplier,
    TemplateVersion,
    supplier_links,
)
from app.models.base import utcnow
from app.services.templates import template_of
from questionnaires.engine import AnswerData, score_answer, visible_keys
from questionnaires.fields import FIELD_TYPES
from questionnaires.schema import Template
from risk_models.controls import COUNTING_VERSION, Catalog, summarise
from risk_models.types import (
    AnswerSummary,
    Appetite,
    ConnectionInput,
    MitigationInput,
    QuestionResult,
    SupplierInput,
)

CHUNK = 900  # ids per IN (...) list, well inside every engine's parameter limit


def chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while scoring builds millions of small,
    acyclic objects: its repeated full passes over them cost more than the work itself
    (a 10,000-supplier recompute took 22 s with it running and 6 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def appetite(session: Session) -> Appetite:
    """The organisation's appetite (defaults until an admin sets it)."""
    row = session.get(OrgSettings, 1)
    if row is None:
        return Appetite()
    return Appetite(row.appetite_low_max, row.appetite_medium_max, row.appetite_high_max)


def catalog(session: Session) -> Catalog:
    """Live control identifiers per framework; the version is a hash of them."""
    rows = session.execute(
        select(Control.framework, Control.identifier)
        .where(Control.withdrawn.is_(False))
        .order_by(Control.framework, Control.sort_key, Control.identifier)
    ).all()
    frameworks: dict[str, list[str]] = defaultdict(list)
    for framework, identifier in rows:
        frameworks[framework].append(identifier)
    digest = hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:12]
    return Catalog({k: tuple(v) for k, v in frameworks.items()}, digest)


def _where_ids(column, ids: list[int] | None):
    return column.in_(ids) if ids is not None else True


def _in_chunks(session: Session, make_stmt, ids: list[int] | None) -> list:
    if ids is None:
        return list(session.execute(make_stmt(None)).all())
    rows: list = []
    for part in chunks(ids):
        rows.extend(session.execute(make_stmt(part)).all())
    return rows


def question_results(
    template: Template, answers: dict[str, tuple], source: str
) -> list[QuestionResult]:
    """The visible, scored questions of one assessment as the model's QuestionResults.

    `answers` maps question key -> (value, verdict).
    """
    data = {k: AnswerData(value=v[0]) for k, v in answers.items()}
    shown = visible_keys(template, data)
    results = []
    for q in template.questions:
        if q.key not in shown or not FIELD_TYPES[q.type].scored:
            continue
        value, verdict = answers.get(q.key, (None, None))
        if value in (None, "", []):
            status, score = "unanswered", None
        elif value == "na":
            status, score = "na", None
        else:
            status, score = "answered", score_answer(q, value)
        results.append(
            QuestionResult(
                key=q.key,
                controls=q.controls,
                weight=q.weight,
                required=q.required,
                status=status,
                score=score,
                accepted=verdict == "accepted",
                source=source,
                text=q.text,
            )
        )
    return results


def _latest_approved(session: Session, ids: list[int] | None) -> list:
    """(assessment id, supplier id, version id, label) of the newest approved round per
    supplier, questionnaire and connection."""

    def stmt(part):
        return (
            select(
                Assessment.id,
                Assessment.supplier_id,
                Assessment.template_version_id,
                Assessment.connection_id,
                Assessment.round,
                Assessment.approved_at,
                QuestionnaireTemplate.id,
                QuestionnaireTemplate.name,
                TemplateVersion.number,
            )
            .join(TemplateVersion, TemplateVersion.id == Assessment.template_version_id)
            .join(QuestionnaireTemplate, QuestionnaireTemplate.id == TemplateVersion.template_id)
            .where(Assessment.status == "approved", _where_ids(Assessment.supplier_id, part))
        )

    newest: dict[tuple, tuple] = {}
    for row in _in_chunks(session, stmt, ids):
        key = (row[1], row[6], row[3])
        if key not in newest or (row[5], row[0]) > (newest[key][5], newest[key][0]):
            newest[key] = tuple(row)
    return [
        (r[0], r[1], r[2], _label(r[7], r[8], r[4]))
        for r in sorted(newest.values(), key=lambda r: r[0])
    ]


def _label(template_name: str, version: int, round_: int) -> str:
    """How an assessment is named in explanations: "C-SCRM Core v1, round 2"."""
    return f"{template_name} v{version}, round {round_}"


@dataclass
class Gathered:
    """The inputs of many suppliers, their answers still as digests (see `with_answers`)."""

    inputs: dict[int, SupplierInput]  # answers not loaded yet
    assessments: dict[int, list[int]]  # supplier id -> its latest approved assessments
    digests: dict[int, str]  # assessment id -> digest of its summary
    catalog: Catalog

    def answer_digests(self, supplier_id: int) -> list[str]:
        return [self.digests[a] for a in self.assessments.get(supplier_id, ())]


def gather(
    session: Session, supplier_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> Gathered:
    """The inputs of each live (not archived) supplier, or of the given ones."""
    today = today or dt.date.today()
    ids = sorted(set(supplier_ids)) if supplier_ids is not None else None
    suppliers = _in_chunks(
        session,
        lambda part: select(
            Supplier.id,
            Supplier.legal_name,
            Supplier.category,
            Supplier.criticality,
            Supplier.single_source,
        ).where(Supplier.archived_at.is_(None), _where_ids(Supplier.id, part)),
        ids,
    )
    live = and_(Connection.archived_at.is_(None), Connection.status != "retired")
    conn_rows = _in_chunks(
        session,
        lambda part: (
            select(
                Connection.id,
                Connection.supplier_id,
                Connection.name,
                Connection.kind,
                Connection.direction,
                Connection.internal_system,
                Connection.authentication,
                Connection.encryption,
                Connection.integration_layer,
                Connection.access_level,
            )
            .where(live, _where_ids(Connection.supplier_id, part))
            .order_by(Connection.id)
        ),
        ids,
    )
    classes: dict[int, list[str]] = defaultdict(list)
    for conn_id, data_class in _in_chunks(
        session,
        lambda part: (
            select(ConnectionDataClass.connection_id, ConnectionDataClass.data_class)
            .join(Connection, Connection.id == ConnectionDataClass.connection_id)
            .where(live, _where_ids(Connection.supplier_id, part))
            .order_by(ConnectionDataClass.connection_id, ConnectionDataClass.data_class)
        ),
        ids,
    ):
        classes[conn_id].append(data_class)
    connections: dict[int, list[ConnectionInput]] = defaultdict(list)
    for row in conn_rows:
        connections[row[1]].append(
            ConnectionInput(row[0], row[2], *row[3:10], data_classes=tuple(classes[row[0]]))
        )
    subs = dict(
        _in_chunks(
            session,
            lambda part: (
                select(supplier_links.c.supplier_id, func.count())
                .join(Supplier, Supplier.id == supplier_links.c.sub_supplier_id)
                .where(
                    Supplier.archived_at.is_(None), _where_ids(supplier_links.c.supplier_id, part)
                )
                .group_by(supplier_links.c.supplier_id)
            ),
            ids,
        )
    )
    certified = {
        row[0]
        for row in _in_chunks(
            session,
            lambda part: select(Certification.supplier_id).where(
                Certification.standard == "iso28000",
                Certification.archived_at.is_(None),
                Certification.valid_until >= today,
                or_(Certification.valid_from.is_(None), Certification.valid_from <= today),
                _where_ids(Certification.supplier_id, part),
            ),
            ids,
        )
    }
    mitigations: dict[int, list[MitigationInput]] = defaultdict(list)
    for fid, sid, title, level in _in_chunks(
        session,
        lambda part: (
            select(Finding.id, Finding.supplier_id, Finding.title, Finding.severity)
            .where(Finding.status == "verified", _where_ids(Finding.supplier_id, part))
            .order_by(Finding.id)
        ),
        ids,
    ):
        mitigations[sid].append(MitigationInput(fid, title, level, True))
    chosen = _latest_approved(session, ids)
    digests = _summary_digests(session, chosen)
    assessments: dict[int, list[int]] = defaultdict(list)
    for assessment_id, supplier_id, _version, _label in chosen:
        assessments[supplier_id].append(assessment_id)
    app_ = appetite(session)
    result = {}
    for sid, name, category, criticality, single_source in suppliers:
        result[sid] = SupplierInput(
            id=sid,
            name=name,
            category=category,
            criticality=criticality,
            single_source=bool(single_source),
            connections=tuple(connections.get(sid, ())),
            sub_supplier_count=subs.get(sid, 0),
            iso28000_certified=sid in certified,
            mitigations=tuple(mitigations.get(sid, ())),
            appetite=app_,
        )
    return Gathered(result, dict(assessments), digests, catalog(session))


def with_answers(
    session: Session, gathered: Gathered, supplier_ids: Iterable[int]
) -> dict[int, SupplierInput]:
    """The full inputs of these suppliers: their answer summaries loaded."""
    wanted = [a for sid in supplier_ids for a in gathered.assessments.get(sid, ())]
    summaries = load_summaries(session, wanted)
    return {
        sid: dataclasses.replace(
            gathered.inputs[sid],
            answers=tuple(summaries[a] for a in gathered.assessments.get(sid, ())),
        )
        for sid in supplier_ids
    }


def summary_of(session: Session, assessment: Assessment) -> AnswerSummary:
    """The approved assessment's summary, made now if it has not been yet."""
    found = load_summaries(session, [assessment.id]).get(assessment.id)
    if found is None:
        version = assessment.template_version
        label = _label(version.template.name, version.number, assessment.round)
        _summary_digests(session, [(assessment.id, assessment.supplier_id, version.id, label)])
        found = load_summaries(session, [assessment.id])[assessment.id]
    return found


def current_summaries(session: Session, supplier_id: int) -> list[AnswerSummary]:
    """The summaries of the supplier's latest approved assessments (those scoring it now),
    with the questions behind each control."""
    chosen = _latest_approved(session, [supplier_id])
    found = load_summaries(session, [a[0] for a in chosen], questions=True)
    return [found[a[0]] for a in chosen if a[0] in found]


def load_summaries(
    session: Session, assessment_ids: list[int], *, questions: bool = False
) -> dict[int, AnswerSummary]:
    """Stored summaries by assessment id (`questions`: with the keys behind each control)."""
    found: dict[int, AnswerSummary] = {}
    keys = AssessmentScore.questions if questions else null()
    for part in chunks(sorted(set(assessment_ids))):
        for assessment_id, summary, control_questions in session.execute(
            select(AssessmentScore.assessment_id, AssessmentScore.summary, keys).where(
                AssessmentScore.assessment_id.in_(part)
            )
        ):
            found[assessment_id] = AnswerSummary.from_json(summary, control_questions)
    return found


def _summary_digests(session: Session, chosen: list) -> dict[int, str]:
    """Digest of each chosen assessment's summary, summarising those not done yet."""
    digests: dict[int, str] = {}
    ids = [a[0] for a in chosen]
    for part in chunks(ids):
        for assessment_id, digest in session.execute(
            select(AssessmentScore.assessment_id, AssessmentScore.digest).where(
                AssessmentScore.assessment_id.in_(part),
                AssessmentScore.counting_version == COUNTING_VERSION,
            )
        ):
            digests[assessment_id] = digest
    missing = [a for a in chosen if a[0] not in digests]
    with collector_paused():
        for part in range(0, len(missing), CHUNK):
            digests.update(summarise_assessments(session, missing[part : part + CHUNK]))
    return digests


def summarise_assessments(session: Session, chosen: list) -> dict[int, str]:
    """Read these approved assessments' answers once and store their summaries.

    `chosen` holds (assessment id, supplier id, template version id, label) rows.
    """
    ids = [a[0] for a in chosen]
    answers: dict[int, dict[str, tuple]] = defaultdict(dict)
    for assessment_id, key, value, verdict in session.execute(
        select(Answer.assessment_id, Answer.question_key, Answer.value, Answer.verdict).where(
            Answer.assessment_id.in_(ids)
        )
    ):
        answers[assessment_id][key] = (value, verdict)
    versions = {
        v.id: v
        for v in session.scalars(
            select(TemplateVersion).where(TemplateVersion.id.in_({a[2] for a in chosen}))
        )
    }
    rows = []
    for assessment_id, _supplier_id, version_id, label in chosen:
        template = template_of(versions[version_id])
        summary = summarise(
            question_results(template, answers.get(assessment_id, {}), label), label
        )
        rows.append(
            {
                "assessment_id": assessment_id,
                "counting_version": COUNTING_VERSION,
                "digest": summary.digest,
                "summary": summary.to_json(),
                "questions": summary.questions_json(),
                "computed_at": utcnow(),
            }
        )
    session.execute(delete(AssessmentScore).where(AssessmentScore.assessment_id.in_(ids)))
    session.execute(insert(AssessmentScore), rows)
    return {r["assessment_id"]: r["digest"] for r in rows}
