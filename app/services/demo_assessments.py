"""Demo questionnaires: catalogs, shipped templates, certificates and assessments in every status.

Run by app.services.demo.build_demo once the network exists. The scenarios (the rows of
demo_data.ASSESSMENTS) go through the real use cases (catalog and template sync,
certifications, send, invitation links, answering, review, reassessment), so the audit trail
tells the story a newcomer reads in the app. The approved past rounds of
demo_data.APPROVED_HISTORY are backdated (sent, submitted and approved weeks or months ago,
each approval scored on its day inside risk.batch), so the risk history and the portfolio
trend show the network improving; their answers are written in one go with one audit event
per round (see _record_past_round), their approval goes through review.approve.

Idempotent on natural keys: a certificate on (supplier, standard, certificate number), a
scenario on (supplier, template, connection); when one exists it is left alone, whatever
happened to it since. Answers are picked from the template definition with a
random.Random seeded by the seed and the scenario, and always pass
questionnaires.engine.clean_answer; evidence files are tiny PDFs built here.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    Answer,
    Assessment,
    Certification,
    Connection,
    Evidence,
    RiskSnapshot,
    Supplier,
    TemplateVersion,
    User,
)
from app.models.base import utcnow
from app.services import Actor, ServiceError, answering, invitations, review, risk
from app.services import assessments as assessment_service
from app.services import catalog as catalog_service
from app.services import certifications as cert_service
from app.services import demo_data as data
from app.services import files as file_store
from app.services import templates as template_service
from app.services.audit import record
from questionnaires import catalog as catalog_files
from questionnaires import engine
from questionnaires.fields import AnswerError
from questionnaires.schema import Question, Template
from risk_models.certifications import STANDARDS

EXCLUSIVE = ("none", "dont_know")  # options that do not go with others
FRAMEWORK_OPTIONS = {  # certification standard -> gov_frameworks option
    "iso27001": "iso27001",
    "iso28000": "iso28000",
    "soc2_type2": "soc2",
    "tisax": "tisax",
    "iec62443": "iec62443",
}
CERT_QUESTIONS = {"gov_cert_file": None, "iso_certified": "iso28000"}  # key -> standard asked
IN_PROGRESS_SHARE = 0.4  # of the visible questions answered in an "in progress" scenario


class Scenario(NamedTuple):
    """One row of demo_data.ASSESSMENTS."""

    code: str
    template: str
    connection: str | None
    outcome: str
    invitee: str | None
    quality: float
    due_in: int
    message: str


@dataclass
class QuestionnaireResult:
    """What one run added (all zero on a repeated run)."""

    controls: int = 0  # catalog controls added or changed
    templates: int = 0  # shipped template versions created or published
    certifications: int = 0
    assessments: int = 0
    answers: int = 0
    evidence: int = 0
    users: int = 0  # contacts who made their account through an invitation link

    @property
    def changed(self) -> bool:
        return any(
            (
                self.controls,
                self.templates,
                self.certifications,
                self.assessments,
                self.answers,
                self.evidence,
                self.users,
            )
        )


@dataclass(frozen=True)
class Storage:
    """Where stored files go and how large they may be."""

    root: Path
    max_bytes: int = file_store.DEFAULT_MAX_BYTES

    @classmethod
    def from_app(cls) -> Storage:
        from flask import current_app

        return cls(
            Path(current_app.config["CHAINLIGHT_UPLOAD_DIR"]),
            int(current_app.config.get("CHAINLIGHT_MAX_FILE_BYTES", file_store.DEFAULT_MAX_BYTES)),
        )


@dataclass
class _Run:
    session: Session
    actor: Actor
    today: dt.date
    seed: int
    storage: Storage
    result: QuestionnaireResult


def build_questionnaires(
    session: Session,
    actor: Actor,
    *,
    today: dt.date,
    seed: int,
    storage: Storage | None = None,
    synced: tuple[int, int] | None = None,
) -> QuestionnaireResult:
    """Sync catalogs and shipped templates, add the demo certificates and assessments.

    `synced` is what an earlier sync_shipped() call returned (then no sync is done here).
    """
    run = _Run(session, actor, today, seed, storage or Storage.from_app(), QuestionnaireResult())
    if synced is None:
        synced = sync_shipped(session, actor)
    run.result.controls, run.result.templates = synced
    before = _totals(session)
    codes = {row[0] for row in data.CERTIFICATIONS} | {row[0] for row in data.ASSESSMENTS}
    codes |= {row[0] for row in data.APPROVED_HISTORY}
    suppliers = {
        s.code: s
        for s in session.scalars(select(Supplier).where(Supplier.code.in_(sorted(codes))))
        if not s.archived
    }
    # The past first (these suppliers hold no certificate, so the history stays in order).
    # A supplier's rounds approved the same day are scored once, dated that day.
    for (code, ago), group in groupby(history_scenarios(seed), lambda r: (r[0].code, r[1])):
        if code in suppliers:
            when = utcnow() - dt.timedelta(days=ago)
            scored = session.scalar(
                select(RiskSnapshot.computed_at).where(
                    RiskSnapshot.supplier_id == suppliers[code].id, RiskSnapshot.latest.is_(True)
                )
            )
            if scored is not None and scored > when:  # scored since (an older demo): now
                ago, when = 0, utcnow()
            with risk.batch(session, now=when, trigger="assessment_approved"):
                for scenario, _ago in group:
                    _record_past_round(run, suppliers[code], scenario, ago, when)
    for row in data.CERTIFICATIONS:
        _ensure_certification(run, suppliers, row)
    for scenario in map(Scenario._make, data.ASSESSMENTS):
        if scenario.code in suppliers:
            _ensure_scenario(run, suppliers[scenario.code], scenario)
    after = _totals(session)
    result = run.result
    result.certifications = after["certifications"] - before["certifications"]
    result.assessments = after["assessments"] - before["assessments"]
    result.answers = after["answers"] - before["answers"]
    result.evidence = after["evidence"] - before["evidence"]
    return result


def _totals(session: Session) -> dict[str, int]:
    models = {
        "certifications": Certification,
        "assessments": Assessment,
        "answers": Answer,
        "evidence": Evidence,
    }
    return {k: session.scalar(select(func.count()).select_from(m)) or 0 for k, m in models.items()}


def sync_shipped(session: Session, actor: Actor) -> tuple[int, int]:
    """What `flask catalog sync` and `flask template sync` do (both idempotent).

    Returns (controls added or changed, template versions created or published).
    """
    try:
        synced = catalog_service.sync_catalogs(session, actor)
    except catalog_files.CatalogError as exc:
        raise ServiceError(f"The control catalogs could not be loaded: {exc}") from exc
    controls = synced.added + synced.changed

    def published() -> int:
        stmt = select(func.count()).where(TemplateVersion.status == "published")
        return session.scalar(stmt) or 0

    before = published()
    loaded = template_service.sync_shipped(session, actor)
    new = sum(r.outcome in ("created", "new_version") for _, r in loaded)
    return controls, max(new, published() - before)


# -- people ---------------------------------------------------------------------------


def _user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def analyst_for(session: Session, supplier: Supplier) -> Actor | None:
    """The supplier's owner when an active analyst, else the first active demo analyst."""
    candidates = [session.get(User, supplier.owner_id)] if supplier.owner_id else []
    candidates += [_user(session, e) for e, role, _, _ in data.STAFF_USERS if role == "analyst"]
    for user in candidates:
        if user is not None and user.active and user.role in ("admin", "analyst"):
            return Actor.for_user(user)
    return None


def _invitee_ok(session: Session, email: str, supplier: Supplier) -> bool:
    """Whether the address can be invited to and accept an assessment of this supplier."""
    try:
        invitations.check_invitable_email(session, email, supplier.id)
    except ServiceError:
        return False
    user = _user(session, email)
    return user is None or (user.active and not user.is_locked())


def _accept(run: _Run, issued: invitations.IssuedInvitation) -> Actor:
    """The contact follows the link: an existing account logs in, a new one is made."""
    email = issued.invitation.email
    existed = _user(run.session, email) is not None
    name = next((n for e, _, n, _ in data.INVITED_CONTACTS if e == email), "")
    user = invitations.accept(run.session, issued.token, data.DEMO_PASSWORD, name=name)
    run.result.users += not existed
    return Actor.for_user(user)


# -- certificates ----------------------------------------------------------------------


def _ensure_certification(run: _Run, suppliers: dict[str, Supplier], row: tuple) -> None:
    code, standard, number, body, scope, start, end, with_file = row
    supplier = suppliers.get(code)
    if supplier is None:
        return
    exists = run.session.scalar(
        select(Certification.id)
        .where(
            Certification.supplier_id == supplier.id,
            Certification.standard == standard,
            func.lower(Certification.certificate_number) == number.lower(),
        )
        .limit(1)
    )
    if exists is not None:
        return
    values = {
        "standard": standard,
        "certificate_number": number,
        "certification_body": body,
        "scope": scope,
        "valid_from": run.today + dt.timedelta(days=start),
        "valid_until": run.today + dt.timedelta(days=end),
    }
    upload = None
    if with_file:
        pdf = certificate_pdf(supplier.legal_name, values)
        upload = file_store.Upload(f"{standard}-certificate-{number}.pdf", pdf)
    storage = cert_service.StorageOptions(run.storage.root, run.storage.max_bytes)
    actor = analyst_for(run.session, supplier) or run.actor
    cert_service.create_certification(
        run.session, actor, supplier, values, upload, storage, today=run.today
    )


def _live_certificates(session: Session, supplier: Supplier, today: dt.date) -> list:
    return list(
        session.scalars(
            select(Certification)
            .where(
                Certification.supplier_id == supplier.id,
                Certification.archived_at.is_(None),
                Certification.valid_until >= today,
            )
            .order_by(Certification.id)
        )
    )


# -- scenarios -------------------------------------------------------------------------


def _version(session: Session, key: str) -> TemplateVersion | None:
    template = template_service.get_by_key(session, key)
    if template is None or template.archived_at is not None:
        return None
    return template_service.current_published(template)


def _connection(session: Session, supplier: Supplier, name: str | None) -> Connection | None:
    return session.scalar(
        select(Connection).where(
            Connection.supplier_id == supplier.id,
            Connection.name == name,
            Connection.archived_at.is_(None),
        )
    )


def scenario_exists(
    session: Session, supplier: Supplier, template_id: int, connection: Connection | None
) -> bool:
    """Whether any assessment of this template was sent to this supplier (and connection)."""
    stmt = (
        select(Assessment.id)
        .join(TemplateVersion, Assessment.template_version_id == TemplateVersion.id)
        .where(Assessment.supplier_id == supplier.id, TemplateVersion.template_id == template_id)
    )
    if connection is not None:
        stmt = stmt.where(Assessment.connection_id == connection.id)
    else:
        stmt = stmt.where(Assessment.connection_id.is_(None))
    return session.scalar(stmt.limit(1)) is not None


def history_scenarios(seed: int) -> list[tuple[Scenario, int]]:
    """The rows of demo_data.APPROVED_HISTORY as approved scenarios, oldest first, with how
    many days ago each was approved. Each supplier's answer profile comes from the seed:
    PROFILE_MIX shuffled over the suppliers (so every seed gives the same spread)."""
    codes = list(dict.fromkeys(row[0] for row in data.APPROVED_HISTORY))
    mix = [data.PROFILE_MIX[i % len(data.PROFILE_MIX)] for i in range(len(codes))]
    random.Random(f"{seed}:answer-profiles").shuffle(mix)
    profile = dict(zip(codes, mix, strict=True))
    rows = sorted(data.APPROVED_HISTORY, key=lambda row: -row[3])
    return [
        (
            Scenario(
                code,
                template,
                connection,
                "approved",
                None,
                data.ANSWER_PROFILES[profile[code]],
                30,
                data.HISTORY_MESSAGES.get(template, ""),
            ),
            ago,
        )
        for code, template, connection, ago in rows
    ]


def history_profile(seed: int, code: str) -> str | None:
    """strong | average | weak: how a supplier of APPROVED_HISTORY answers (None if not one)."""
    by_quality = {q: name for name, q in data.ANSWER_PROFILES.items()}
    for scenario, _ago in history_scenarios(seed):
        if scenario.code == code:
            return by_quality[scenario.quality]
    return None


def _new_scenario(
    session: Session, supplier: Supplier, sc: Scenario
) -> tuple[TemplateVersion, Connection | None] | None:
    """The version and connection of a scenario not made yet (None: exists, or cannot be)."""
    version = _version(session, sc.template)
    if version is None:
        return None
    connection = None
    if sc.connection is not None:
        connection = _connection(session, supplier, sc.connection)
        if connection is None:
            return None
    if scenario_exists(session, supplier, version.template_id, connection):
        return None
    return version, connection


def _ensure_scenario(run: _Run, supplier: Supplier, sc: Scenario) -> None:
    session = run.session
    found = _new_scenario(session, supplier, sc)
    if found is None:
        return
    version, connection = found
    analyst = analyst_for(session, supplier)
    email = sc.invitee or supplier.contact_email
    if analyst is None or not email or not _invitee_ok(session, email, supplier):
        return
    today, now = run.today, utcnow()
    if sc.outcome == "overdue":  # sent weeks ago: its due date (and link) have passed
        today -= dt.timedelta(days=data.OVERDUE_SENT_DAYS)
        now -= dt.timedelta(days=data.OVERDUE_SENT_DAYS)
    sent = assessment_service.send(
        session,
        analyst,
        {
            "supplier": supplier.id,
            "connection": connection.id if connection else None,
            "template_version": version.id,
            "due_on": run.today + dt.timedelta(days=sc.due_in),
            "email": email,
            "message": sc.message,
        },
        today=today,
        now=now,
    )
    assessment = sent.assessment
    if sc.outcome in ("sent", "overdue"):
        return
    if sc.outcome == "cancelled":
        assessment_service.cancel(session, analyst, assessment)
        return
    contact = _accept(run, sent.invitation)
    template = answering.template_of(assessment)
    rng = random.Random(f"{run.seed}:{sc.code}:{sc.template}:{sc.connection}")
    certs = _live_certificates(session, supplier, run.today)
    plan = plan_answers(
        template,
        rng,
        quality=sc.quality,
        today=run.today,
        fixed=_fixed_answers(session, template, supplier, sc, connection, certs),
        comments={k: c for (code, k), c in data.COMMENTS.items() if code == sc.code},
        persona=data.PERSONAS.get(sc.code, {}),
    )
    if sc.outcome == "in_progress":
        plan = plan[: max(1, int(len(plan) * IN_PROGRESS_SHARE))]
    expiring = sc.outcome != "approved"  # (approval checks evidence against the real date)
    for item in plan:
        _answer(run, contact, assessment, template, item, certs, rng, expiring)
    if sc.outcome == "in_progress":
        return
    answering.submit(session, contact, assessment, today=run.today)
    if sc.outcome == "submitted":
        return
    _review(run, analyst, contact, assessment, sc)
    if sc.outcome == "approved":
        review.approve(session, analyst, assessment, today=run.today)
        _round_two(run, analyst, assessment)


def _record_past_round(
    run: _Run, supplier: Supplier, sc: Scenario, ago: int, approved_at: dt.datetime
) -> None:
    """An approved round from before the demo started, recorded as it ended up.

    Sent HISTORY_SENT_DAYS and submitted HISTORY_SUBMITTED_DAYS before its approval `ago`
    days ago (at `approved_at`). The answers (picked like every scenario's, valid and
    complete for the engine) and their files are written in one go with ONE audit event
    saying so, instead of one save per answer through the portal by a contact account made
    for it: that path costs about a third of a second per round (argon2 for each new
    account, ~70 audited saves), too slow for a seed that should take seconds. The analyst
    then approves it through review.approve; the caller's risk.batch dates the supplier's
    snapshot that day.
    """
    session = run.session
    found = _new_scenario(session, supplier, sc)
    analyst = analyst_for(session, supplier)
    if found is None or analyst is None:
        return
    version, connection = found
    sent_at = approved_at - dt.timedelta(days=data.HISTORY_SENT_DAYS)
    answered_on = run.today - dt.timedelta(days=ago + data.HISTORY_SUBMITTED_DAYS)
    sent_on = run.today - dt.timedelta(days=ago + data.HISTORY_SENT_DAYS)
    assessment = Assessment(
        supplier=supplier,
        connection=connection,
        template_version=version,
        round=1,
        status="submitted",
        due_on=sent_on + dt.timedelta(days=sc.due_in),
        message=sc.message,
        sent_by_id=analyst.user_id,
        sent_at=sent_at,
        submitted_at=approved_at - dt.timedelta(days=data.HISTORY_SUBMITTED_DAYS),
    )
    session.add(assessment)
    template = answering.template_of(assessment)
    rng = random.Random(f"{run.seed}:{sc.code}:{sc.template}:{sc.connection}")
    plan = plan_answers(
        template,
        rng,
        quality=sc.quality,
        today=answered_on,
        fixed=_fixed_answers(session, template, supplier, sc, connection, []),
        comments={k: c for (code, k), c in data.COMMENTS.items() if code == sc.code},
        persona=data.PERSONAS.get(sc.code, {}),
    )
    contact = Actor(None, supplier.contact_email or "", "supplier", supplier.id)
    files = 0
    for item in plan:
        question = template.question(item.key)
        # Files only where the questionnaire asks for one (the portal path adds optional ones).
        needed = engine.evidence_needed(question, engine.AnswerData(item.value, item.comment))
        if item.value is None and not item.comment and not needed:
            continue  # an optional file question left without a file
        answer = Answer(assessment=assessment, question_key=item.key, value=item.value)
        answer.comment = item.comment
        session.add(answer)
        if needed:
            title = data.EVIDENCE_TITLES.get(item.key) or (
                f"{_section_title(template, question)} evidence"
            )
            pdf = document_pdf(title, supplier.legal_name, question.text)
            stored = file_store.store(
                session,
                contact,
                file_store.Upload(_filename(title), pdf),
                root=run.storage.root,
                supplier_id=supplier.id,
                max_bytes=run.storage.max_bytes,
            )
            effective = answered_on - dt.timedelta(days=rng.randint(10, 300))
            session.add(Evidence(answer=answer, file=stored, effective_on=effective))
            files += 1
    session.flush()
    gaps = engine.missing(template, review.answer_data(review.answers_by_key(assessment)))
    if gaps:  # the picked answers always pass; a template that changes them must too
        raise ServiceError(f"Demo history for {supplier.code} misses {gaps[0].question}.")
    scope = f" ({connection.name})" if connection is not None else ""
    record(
        session,
        analyst,
        "record_past_round",
        "assessment",
        assessment.id,
        f"Recorded a past round of {version.template.name} v{version.number} for "
        f"{supplier.code}{scope}: sent {sent_at:%Y-%m-%d}, submitted with {len(plan)} answers "
        f"and {files} files (demo history)",
        after={
            "supplier_id": supplier.id,
            "connection_id": connection.id if connection else None,
            "template_version_id": version.id,
            "answers": len(plan),
            "files": files,
        },
    )
    # Its findings open on the seeding day, like a first findings run over past approvals
    # (dated on approval day, most would be long overdue before the demo starts).
    review.approve(session, analyst, assessment, today=run.today)
    assessment.approved_at = approved_at
    for answer in assessment.answers:
        answer.reviewed_at = approved_at
    session.flush()


def _fixed_answers(
    session: Session,
    template: Template,
    supplier: Supplier,
    sc: Scenario,
    connection: Connection | None,
    certs: list,
) -> dict[str, Any]:
    """The scenario's fixed answers, with what the database knows filled in."""
    fixed: dict[str, Any] = {}
    asked = next((c for c in certs if c.standard == "iso28000"), None)
    values = {
        "$cert_body": asked.certification_body if asked else None,
        "$cert_until": asked.valid_until.isoformat() if asked else None,
        "$cred_expires": (
            connection.credential_expires_on.isoformat()
            if connection is not None and connection.credential_expires_on
            else None
        ),
    }
    for key, value in data.FIXED_ANSWERS.get((sc.code, sc.template), {}).items():
        fixed[key] = values.get(value, value) if isinstance(value, str) else value
    frameworks = sorted(
        {FRAMEWORK_OPTIONS[c.standard] for c in certs if c.standard in FRAMEWORK_OPTIONS}
    )
    fixed.setdefault("gov_frameworks", [*frameworks, "nist_csf"])
    links = session.scalars(select(Connection).where(Connection.supplier_id == supplier.id))
    classes = sorted({dc for c in links for dc in c.data_classes})
    fixed.setdefault("data_classes", classes)
    result = {}
    for key, value in fixed.items():
        question = template.question(key)
        if question is None or value is None:
            continue
        if isinstance(value, list):  # keep what the question offers
            value = [v for v in value if question.option(v)] or (
                ["none"] if question.option("none") else None
            )
        if value is not None:
            result[key] = value
    return result


# -- picking answers ---------------------------------------------------------------------


class Planned(NamedTuple):
    """One answer to give: value (None for a file question), comment, whether files go with it."""

    key: str
    value: Any
    comment: str
    evidence: bool


def plan_answers(
    template: Template,
    rng: random.Random,
    *,
    quality: float,
    today: dt.date,
    fixed: Mapping[str, Any] | None = None,
    comments: Mapping[str, str] | None = None,
    persona: Mapping[str, str] | None = None,
) -> list[Planned]:
    """Answers for every question shown, in order, each valid for its question.

    `quality` is the share of best answers. A fixed value that no longer fits its question
    (the template changed) is replaced by a picked one. With evidence attached where
    `evidence` is set, engine.missing() finds nothing to complain about.
    """
    fixed, comments = fixed or {}, comments or {}
    words = {**_PERSONA_DEFAULTS, **(persona or {})}
    given: dict[str, engine.AnswerData] = {}
    plan = []
    for question in template.questions:
        if question.key not in engine.visible_keys(template, given):
            continue
        value = _pick(question, rng, quality, today, words)
        if question.key in fixed:
            try:
                value = engine.clean_answer(question, fixed[question.key])
            except AnswerError:
                pass
        value = engine.clean_answer(question, value)
        comment = comments.get(question.key, "")
        if value == "na" and not comment:
            comment = data.NA_COMMENT
        answer = engine.AnswerData(value, comment)
        files = engine.evidence_needed(question, answer) or (
            (question.type == "file" or (question.evidence == "optional" and value == "yes"))
            and rng.random() < 0.5
        )
        given[question.key] = engine.AnswerData(value, comment, int(files))
        plan.append(Planned(question.key, value, comment, files))
    return plan


_PERSONA_DEFAULTS = {
    "lead": "Head of Information Security",
    "email": "security@example.com",
    "phone": "+49 30 0000 0000",
    "offshore": "None.",
    "improvement": "Multi-factor authentication for all remote access.",
    "gaps": "None: every site that handles your goods is in scope.",
}


def _score(option) -> float:
    return 0.5 if option.score is None else option.score


def _pick(question: Question, rng: random.Random, quality: float, today: dt.date, words) -> Any:
    kind = question.type
    if kind == "ynp":
        weights = [quality, (1 - quality) * 0.6, (1 - quality) * 0.4]
        return rng.choices(["yes", "partial", "no"], weights)[0]
    if kind == "single_choice":
        ranked = sorted(question.options, key=lambda o: -_score(o))
        rest = [o for o in ranked[1:] if o.value not in EXCLUSIVE] or ranked
        return ranked[0].value if rng.random() < quality else rng.choice(rest).value
    if kind == "multiple_choice":
        normal = sorted(
            (o for o in question.options if o.value not in EXCLUSIVE), key=lambda o: -_score(o)
        )
        if not normal:
            return [question.options[0].value]
        chosen = [o.value for i, o in enumerate(normal) if rng.random() < quality / (1 + i // 2)]
        return chosen or [normal[0].value]
    if kind == "text":
        return data.TEXT_ANSWERS.get(question.key, data.TEXT_FALLBACK).format_map(words)
    if kind == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 1_000_000
        lo, hi = data.NUMBER_RANGES.get(question.key, (low, low + 10))
        first, last = math.ceil(max(lo, low)), math.floor(min(hi, high))
        return rng.randint(first, last) if first <= last else low
    if kind == "date":
        future = any(w in question.key for w in ("until", "expires"))
        lo, hi = data.DATE_RANGES.get(question.key, (60, 400) if future else data.PAST_DATES)
        return (today + dt.timedelta(days=rng.randint(lo, hi))).isoformat()
    return None  # file: the evidence is the answer


# -- giving answers ----------------------------------------------------------------------


def _save(run: _Run, actor: Actor, assessment: Assessment, key: str, value: Any, comment: str):
    saved = next((a for a in assessment.answers if a.question_key == key), None)
    answering.save_answer(
        run.session,
        actor,
        assessment,
        key,
        value,
        comment,
        saved.lock_version if saved is not None else 0,
        today=run.today,
    )


def _attach(
    run: _Run,
    actor: Actor,
    assessment: Assessment,
    key: str,
    filename: str,
    pdf: bytes,
    effective: dt.date,
    expires: dt.date | None,
) -> None:
    answering.add_evidence(
        run.session,
        actor,
        assessment,
        key,
        file_store.Upload(filename, pdf),
        effective,
        expires,
        root=run.storage.root,
        max_bytes=run.storage.max_bytes,
        today=run.today,
    )


def _answer(
    run: _Run,
    actor: Actor,
    assessment: Assessment,
    template: Template,
    item: Planned,
    certs: list,
    rng: random.Random,
    expiring: bool,
) -> None:
    """Save one planned answer, then attach its files, as the contact would in the portal."""
    if item.value is not None or item.comment:
        _save(run, actor, assessment, item.key, item.value, item.comment)
    question = template.question(item.key)
    supplier = assessment.supplier.legal_name
    standard = CERT_QUESTIONS.get(item.key, "-")
    shown = [c for c in certs if standard is None or c.standard == standard]
    # A certificate the supplier holds goes with any answer but "no" (also "partially").
    if not (item.evidence or (shown and item.key in CERT_QUESTIONS and item.value != "no")):
        return
    if item.key in CERT_QUESTIONS and shown:
        for cert in shown:
            values = {f: getattr(cert, f) for f in cert_service.FIELDS}
            name = f"{cert.standard}-certificate-{cert.certificate_number}.pdf"
            expires = cert.valid_until if expiring and cert.valid_until > run.today else None
            effective = min(cert.valid_from or run.today, run.today)
            _attach(
                run,
                actor,
                assessment,
                item.key,
                name,
                certificate_pdf(supplier, values),
                effective,
                expires,
            )
        return
    title = data.EVIDENCE_TITLES.get(item.key) or f"{_section_title(template, question)} evidence"
    effective = run.today - dt.timedelta(days=rng.randint(10, 300))
    pdf = document_pdf(title, supplier, question.text)
    _attach(run, actor, assessment, item.key, _filename(title), pdf, effective, None)


def _section_title(template: Template, question: Question) -> str:
    return next((s.title for s in template.sections if s.key == question.section), "Questionnaire")


def _filename(title: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()
    return f"{slug or 'evidence'}.pdf"


def _review(run: _Run, analyst: Actor, contact: Actor, assessment: Assessment, sc: Scenario):
    """The analyst's verdicts and comments, the contact's replies, and the status they lead to."""
    session = run.session
    notes = data.REVIEW_NOTES.get((sc.code, sc.template), {})
    answers = review.answers_by_key(assessment)
    visible = engine.visible_keys(answering.template_of(assessment), review.answer_data(answers))

    def usable(key: str) -> Answer | None:
        answer = answers.get(key)
        return (
            answer if answer is not None and key in visible and review.has_content(answer) else None
        )

    for verdict in ("accept", "clarify"):
        for key, note in notes.get(verdict, []):
            if (answer := usable(key)) is not None:
                review.set_verdict(
                    session, analyst, answer, "accepted" if verdict == "accept" else "clarify", note
                )
    threads = [(usable(key), asked, reply) for key, asked, reply in notes.get("thread", [])]
    threads = [t for t in threads if t[0] is not None]
    for answer, asked, _ in threads:
        review.add_comment(session, analyst, answer, asked)
    if assessment.status == "submitted":
        review.start_review(session, analyst, assessment)
    if sc.outcome == "changes_requested" and review.clarifications(assessment):
        review.request_changes(session, analyst, assessment)
    for answer, _, reply in threads:
        review.add_comment(session, contact, answer, reply)


def _round_two(run: _Run, analyst: Actor, approved: Assessment) -> None:
    """The next round, started from the approved one; the contact changes a few answers."""
    spec = data.ROUND_TWO
    if approved.supplier.code != spec["supplier"]:
        return
    email = review.last_invited_email(run.session, approved)
    started = review.reassess(
        run.session,
        analyst,
        approved,
        due_on=run.today + dt.timedelta(days=spec["due"]),
        email=email,
        message=spec["message"],
        today=run.today,
    )
    if started.invitation is None:
        return
    contact = _accept(run, started.invitation)
    assessment = started.assessment
    template = answering.template_of(assessment)
    supplier = assessment.supplier.legal_name
    for key, value, comment, title in spec["changes"]:
        question = template.question(key)
        if question is None:
            continue
        if value == "$recent":
            value = (run.today - dt.timedelta(days=12)).isoformat()
        try:
            value = engine.clean_answer(question, value)
        except AnswerError:
            continue
        if key not in engine.visible_keys(template, answering.load_answers(assessment, run.today)):
            continue
        _save(run, contact, assessment, key, value, comment)
        if title:
            effective = run.today - dt.timedelta(days=5)
            pdf = document_pdf(title, supplier, question.text)
            _attach(run, contact, assessment, key, _filename(title), pdf, effective, None)


# -- tiny PDFs -----------------------------------------------------------------------------

_FONT: list[str] = []
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


def _font() -> str:
    """DejaVu Sans when the system has it (Vietnamese, Turkish, Polish ...), else Helvetica."""
    if not _FONT:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        name = "Helvetica"
        for path in _FONT_FILES:
            if Path(path).is_file():
                try:
                    pdfmetrics.registerFont(TTFont("DemoSans", path))
                except Exception:  # noqa: BLE001, S112 - a broken font file: try the next one
                    continue
                name = "DemoSans"
                break
        _FONT.append(name)
    return _FONT[0]


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF: a title and some wrapped lines (deterministic bytes)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor("Chainlight demo data")
    width, height = A4
    pdf.setFont(font, 18)
    pdf.drawString(56, height - 80, title)
    pdf.setFont(font, 11)
    y = height - 120
    for line in lines:
        for part in simpleSplit(line, font, 11, width - 112) or [""]:
            pdf.drawString(56, y, part)
            y -= 16
    pdf.setFont(font, 8)
    pdf.drawString(56, 40, "Demo document generated by Chainlight seed-demo; not a real record.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_pdf(supplier_name: str, values: Mapping[str, Any]) -> bytes:
    """A one-page certificate naming the supplier, the standard, the scope and the dates."""
    label = STANDARDS.get(values["standard"], values["standard"])
    start = values.get("valid_from")
    return _pdf(
        "Certificate",
        [
            f"{values.get('certification_body') or 'The certification body'} certifies that",
            supplier_name,
            f"operates a management system that conforms to {label}.",
            "",
            f"Scope: {values.get('scope') or '-'}",
            f"Certificate number: {values.get('certificate_number') or '-'}",
            f"Valid from {start.isoformat() if start else '-'} until "
            f"{values['valid_until'].isoformat()}.",
        ],
    )


def document_pdf(title: str, supplier_name: str, question: str) -> bytes:
    """An evidence document: its title, the supplier and the question it answers."""
    return _pdf(title, [supplier_name, "", f"Evidence for: {question}"])
