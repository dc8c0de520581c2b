"""Answering an assessment in the supplier portal: autosaved answers, evidence, submission.

Every save names the version of the answer it was based on (`expected_version`, 0 for an
answer never saved). When that is not the saved version, someone else (another tab, a
colleague) saved in between: `ConflictError` carries what is saved now and nothing is
overwritten. On PostgreSQL the answer row is locked while it is checked; the version
column (Answer.lock_version) still catches a race the lock cannot see (two first saves,
SQLite), as a StaleDataError or IntegrityError at flush that the caller turns into a
conflict after rolling back.

Evidence counts for completeness only while it has not expired, so an expired file has
to be replaced before the assessment can be submitted again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Answer, Assessment, Evidence, TemplateVersion
from app.models.assessment import ASSESSMENT_STATUSES, OPEN_FOR_SUPPLIER, TRANSITIONS
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import files as file_store
from app.services.audit import record
from app.services.validation import FieldError, date, has_control_chars, long_text
from questionnaires import engine
from questionnaires.fields import AnswerError
from questionnaires.schema import Question, Template, content_hash, load_template

EXPIRING_DAYS = 30
MAX_COMMENT = 5000
_TEMPLATE_CACHE: dict[str, Template] = {}
_CACHE_SIZE = 64


class ConflictError(ServiceError):
    """The answer changed since the version the save was based on; nothing was written."""

    def __init__(self, question_key: str, value: Any, comment: str, version: int, display: str):
        super().__init__(
            "This answer was changed in another tab or by a colleague since you opened it.",
            {question_key: "Changed elsewhere."},
        )
        self.question_key = question_key
        self.value = value
        self.comment = comment
        self.version = version
        self.display = display


class ClosedError(ServiceError):
    """The assessment is not open for the supplier (submitted, approved, cancelled)."""


class IncompleteError(ServiceError):
    """A submission with something missing; `missing` lists each item in order."""

    def __init__(self, missing: list[engine.Missing]):
        count = len(missing)
        noun = "item is" if count == 1 else "items are"
        super().__init__(
            f"{count} {noun} still missing: complete them, then submit.",
            {m.question: m.message for m in missing},
        )
        self.missing = missing


# --- reading ---------------------------------------------------------------------------


def template_of(assessment: Assessment) -> Template:
    """The questionnaire the assessment was sent with (parsed once per content)."""
    definition = assessment.template_version.definition
    key = content_hash(definition)
    template = _TEMPLATE_CACHE.get(key)
    if template is None:
        template = load_template(definition)
        if len(_TEMPLATE_CACHE) >= _CACHE_SIZE:
            _TEMPLATE_CACHE.clear()
        _TEMPLATE_CACHE[key] = template
    return template


def is_open(assessment: Assessment) -> bool:
    """Whether the supplier may still change answers and evidence."""
    return assessment.status in OPEN_FOR_SUPPLIER


def evidence_flag(evidence: Evidence, today: dt.date | None = None) -> str | None:
    """expired | expiring (within 30 days) | None: files to ask for again."""
    today = today or dt.date.today()
    if evidence.expires_on is None:
        return None
    if evidence.expires_on < today:
        return "expired"
    if evidence.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return None


def _current_evidence(answer: Answer, today: dt.date) -> int:
    return sum(1 for e in answer.evidence if e.expires_on is None or e.expires_on >= today)


def load_answers(
    assessment: Assessment, today: dt.date | None = None
) -> dict[str, engine.AnswerData]:
    """The saved answers as the engine reads them (expired evidence does not count)."""
    today = today or dt.date.today()
    return {
        a.question_key: engine.AnswerData(a.value, a.comment or "", _current_evidence(a, today))
        for a in assessment.answers
    }


@dataclass(frozen=True)
class Overview:
    """An assessment's questionnaire, answers, visibility and progress at one moment."""

    template: Template
    answers: dict[str, Answer]
    data: dict[str, engine.AnswerData]
    visible: set[str]
    progress: engine.Progress
    sections: dict[str, engine.Progress] = field(default_factory=dict)

    def section_keys(self) -> list[str]:
        return [s.key for s in self.template.sections]


def overview(assessment: Assessment, today: dt.date | None = None) -> Overview:
    """Everything the portal pages need to draw an assessment."""
    template = template_of(assessment)
    data = load_answers(assessment, today)
    return Overview(
        template=template,
        answers={a.question_key: a for a in assessment.answers},
        data=data,
        visible=engine.visible_keys(template, data),
        progress=engine.progress(template, data),
        sections={s.key: engine.progress(template, data, section=s.key) for s in template.sections},
    )


def missing(assessment: Assessment, today: dt.date | None = None) -> list[engine.Missing]:
    """What still stops a submission, in questionnaire order."""
    return engine.missing(template_of(assessment), load_answers(assessment, today))


def display_value(question: Question | None, value: Any) -> str:
    """An answer in words, as the person answering chose it (option labels)."""
    if value in (None, "", []):
        return "(no answer)"
    if question is not None and question.options:
        items = value if isinstance(value, list) else [value]
        labels = []
        for item in items:
            option = question.option(item) if isinstance(item, str) else None
            labels.append(option.label if option else str(item))
        return ", ".join(labels)
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def for_supplier(session: Session, supplier_id: int) -> list[Assessment]:
    """A supplier's assessments: open ones first (soonest due), then the rest, newest first."""
    rows = session.scalars(
        select(Assessment)
        .where(Assessment.supplier_id == supplier_id)
        .options(
            selectinload(Assessment.answers),
            selectinload(Assessment.template_version).selectinload(TemplateVersion.template),
            selectinload(Assessment.connection),
        )
        .order_by(Assessment.sent_at.desc(), Assessment.id.desc())
    ).all()
    open_ = sorted((a for a in rows if is_open(a)), key=lambda a: (a.due_on, a.id))
    return open_ + [a for a in rows if not is_open(a)]


def get_for_supplier(session: Session, assessment_id: int, supplier_id: int) -> Assessment | None:
    """The assessment if it belongs to this supplier, else None."""
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.supplier_id != supplier_id:
        return None
    return assessment


def get_evidence(session: Session, assessment: Assessment, evidence_id: int) -> Evidence | None:
    """An evidence file of this assessment, else None."""
    return session.scalar(
        select(Evidence)
        .join(Answer, Evidence.answer_id == Answer.id)
        .where(Evidence.id == evidence_id, Answer.assessment_id == assessment.id)
    )


def expiring_evidence(
    assessment: Assessment, today: dt.date | None = None
) -> list[tuple[str, Evidence, str]]:
    """(question key, evidence, flag) for each file expired or expiring within 30 days."""
    today = today or dt.date.today()
    result = []
    for answer in assessment.answers:
        for evidence in answer.evidence:
            flag = evidence_flag(evidence, today)
            if flag:
                result.append((answer.question_key, evidence, flag))
    return result


# --- checks ----------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return ASSESSMENT_STATUSES.get(status, status).lower()


def _require_contact(actor: Actor, assessment: Assessment) -> None:
    if actor.role == "supplier" and actor.supplier_id != assessment.supplier_id:
        raise ServiceError("This questionnaire belongs to another company.")


def closed_message(assessment: Assessment) -> str:
    return (
        f"This questionnaire is {_status_label(assessment.status)}: "
        "its answers can no longer be changed."
    )


def _require_open(assessment: Assessment) -> None:
    if not is_open(assessment):
        raise ClosedError(closed_message(assessment))


def _question(template: Template, key: Any) -> Question:
    question = template.question(key) if isinstance(key, str) else None
    if question is None:
        message = "There is no such question in this questionnaire."
        raise ServiceError(message, {"question": message})
    return question


def _version(raw: Any) -> int:
    if raw is None or raw == "":
        return 0
    if isinstance(raw, bool):
        raise ServiceError("The answer's version is not a number; reload the page.")
    try:
        number = int(str(raw).strip())
    except ValueError as exc:
        raise ServiceError("The answer's version is not a number; reload the page.") from exc
    if number < 0:
        raise ServiceError("The answer's version is not a number; reload the page.")
    return number


def _comment(raw: Any, key: str) -> str:
    if raw is not None and not isinstance(raw, str):
        raise ServiceError("The comment must be text.", {key: "The comment must be text."})
    try:
        return long_text(raw, max_len=MAX_COMMENT)
    except FieldError as exc:
        raise ServiceError(str(exc), {key: str(exc)}) from exc


def _clean(question: Question, value: Any) -> Any:
    texts = value if isinstance(value, list) else [value]
    if any(has_control_chars(v) for v in texts):
        message = "Remove the invisible control characters from this answer."
        raise ServiceError(message, {question.key: message})
    try:
        return engine.clean_answer(question, value)
    except AnswerError as exc:
        raise ServiceError(str(exc), {question.key: str(exc)}) from exc


def _locked_answer(session: Session, assessment: Assessment, key: str) -> Answer | None:
    """The saved answer, re-read (and row-locked on PostgreSQL) so its version is current."""
    return session.scalar(
        select(Answer)
        .where(Answer.assessment_id == assessment.id, Answer.question_key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def current_answer(session: Session, assessment: Assessment, key: str) -> ConflictError:
    """What is saved now for a question, as a ConflictError (after a lost race)."""
    template = template_of(assessment)
    answer = session.scalar(
        select(Answer)
        .where(Answer.assessment_id == assessment.id, Answer.question_key == key)
        .execution_options(populate_existing=True)
    )
    value = answer.value if answer else None
    return ConflictError(
        key,
        value,
        answer.comment if answer else "",
        answer.lock_version if answer else 0,
        display_value(template.question(key), value),
    )


# --- status ----------------------------------------------------------------------------


def _move(session: Session, actor: Actor, assessment: Assessment, to: str, summary: str) -> None:
    """Change the status along models.assessment.TRANSITIONS (refused otherwise), audited."""
    try:
        from app.services.assessments import transition
    except ImportError:
        transition = None
    if transition is not None:
        transition(session, actor, assessment, to)
        return
    before = assessment.status
    if to not in TRANSITIONS.get(before, ()):
        raise ServiceError(
            f"A questionnaire that is {_status_label(before)} cannot become {_status_label(to)}."
        )
    assessment.status = to
    session.flush()
    record(
        session,
        actor,
        "status",
        "assessment",
        assessment.id,
        summary,
        {"status": before},
        {"status": to},
    )


def _started(session: Session, actor: Actor, assessment: Assessment) -> None:
    """The first change after sending (or after a change request) puts it in progress."""
    if assessment.status in ("sent", "changes_requested"):
        _move(
            session,
            actor,
            assessment,
            "in_progress",
            f"Supplier started answering assessment #{assessment.id}",
        )


# --- saving answers --------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: the answer as stored now and the assessment's new state."""

    question_key: str
    value: Any
    comment: str
    version: int
    changed: bool
    overview: Overview


def save_answer(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    question_key: Any,
    value: Any,
    comment: Any,
    expected_version: Any,
    *,
    today: dt.date | None = None,
) -> Saved:
    """Save one answer if it is still the version the person saw; audited. Flushes.

    Raises ClosedError (not open), ServiceError (unknown question, wrong type of value,
    comment too long) or ConflictError (changed elsewhere; nothing written).
    """
    _require_contact(actor, assessment)
    _require_open(assessment)
    template = template_of(assessment)
    question = _question(template, question_key)
    key = question.key
    cleaned = _clean(question, value)
    comment = _comment(comment, key)
    expected = _version(expected_version)
    answer = _locked_answer(session, assessment, key)
    saved_version = answer.lock_version if answer is not None else 0
    if answer is None:
        unchanged = cleaned is None and not comment
    else:
        unchanged = answer.value == cleaned and (answer.comment or "") == comment
    if unchanged:
        # What is saved is already exactly this (a repeat, or two tabs that agree): nothing
        # to overwrite, so no conflict whatever version the save was based on.
        return Saved(key, cleaned, comment, saved_version, False, overview(assessment, today))
    if expected != saved_version:
        current = answer.value if answer is not None else None
        raise ConflictError(
            key,
            current,
            answer.comment if answer is not None else "",
            saved_version,
            display_value(question, current),
        )
    before = {"value": answer.value, "comment": answer.comment} if answer is not None else None
    if answer is None:
        answer = Answer(
            assessment=assessment,
            question_key=key,
            value=cleaned,
            comment=comment,
            updated_by_id=actor.user_id,
        )
        session.add(answer)
    else:
        answer.value = cleaned
        answer.comment = comment
        answer.updated_by_id = actor.user_id
    _started(session, actor, assessment)
    session.flush()
    record(
        session,
        actor,
        "answer_save",
        "answer",
        answer.id,
        f"Answered {key} in assessment #{assessment.id}",
        before,
        {"value": cleaned, "comment": comment},
    )
    return Saved(key, cleaned, comment, answer.lock_version, True, overview(assessment, today))


@dataclass(frozen=True)
class Entry:
    """One question of a section form as posted."""

    question_key: str
    value: Any
    comment: Any
    version: Any


@dataclass
class SectionResult:
    saved: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, ConflictError] = field(default_factory=dict)


def save_section(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    entries: list[Entry],
    *,
    today: dt.date | None = None,
) -> SectionResult:
    """Save every changed answer of a section form, each checked on its own version.

    Answers that are fine are saved; the others are reported (errors, conflicts) so the
    form can show them again with what the person typed.
    """
    result = SectionResult()
    for entry in entries:
        try:
            outcome = save_answer(
                session,
                actor,
                assessment,
                entry.question_key,
                entry.value,
                entry.comment,
                entry.version,
                today=today,
            )
        except ConflictError as exc:
            result.conflicts[entry.question_key] = exc
        except ClosedError:
            raise
        except ServiceError as exc:
            result.errors[entry.question_key] = exc.errors.get(entry.question_key, exc.message)
        else:
            result.saved += outcome.changed
    return result


# --- evidence --------------------------------------------------------------------------


def takes_evidence(question: Question) -> bool:
    """Whether files can be attached to this question."""
    return question.type == "file" or question.evidence != "none"


def _evidence_dates(
    effective_on: Any, expires_on: Any, today: dt.date
) -> tuple[dt.date, dt.date | None]:
    errors: dict[str, str] = {}
    effective = expires = None
    try:
        effective = date(effective_on) or today
    except FieldError as exc:
        errors["effective_on"] = str(exc)
    else:
        if effective > today:
            errors["effective_on"] = "The effective date cannot be in the future."
    try:
        expires = date(expires_on)
    except FieldError as exc:
        errors["expires_on"] = str(exc)
    else:
        if expires is not None and effective is not None and expires <= effective:
            errors["expires_on"] = "The expiry date must be after the effective date."
        elif expires is not None and expires < today:
            errors["expires_on"] = "This file has already expired: upload a current one."
    if errors:
        raise ServiceError(" ".join(errors.values()), errors)
    return effective, expires


def add_evidence(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    question_key: Any,
    upload: file_store.Upload,
    effective_on: Any = None,
    expires_on: Any = None,
    *,
    root: Path,
    max_bytes: int = file_store.DEFAULT_MAX_BYTES,
    today: dt.date | None = None,
) -> Evidence:
    """Attach a checked file to a question's answer (created if needed); audited. Flushes."""
    today = today or dt.date.today()
    _require_contact(actor, assessment)
    _require_open(assessment)
    question = _question(template_of(assessment), question_key)
    if not takes_evidence(question):
        raise ServiceError("This question takes no files.", {"file": "No files here."})
    effective, expires = _evidence_dates(effective_on, expires_on, today)
    stored = file_store.store(
        session, actor, upload, root=root, supplier_id=assessment.supplier_id, max_bytes=max_bytes
    )
    answer = _locked_answer(session, assessment, question.key)
    if answer is None:
        answer = Answer(
            assessment=assessment, question_key=question.key, updated_by_id=actor.user_id
        )
        session.add(answer)
    evidence = Evidence(answer=answer, file=stored, effective_on=effective, expires_on=expires)
    session.add(evidence)
    _started(session, actor, assessment)
    session.flush()
    record(
        session,
        actor,
        "evidence_add",
        "answer",
        answer.id,
        f"Attached {stored.original_name} to {question.key} in assessment #{assessment.id}",
        None,
        {
            "evidence_id": evidence.id,
            "file": stored.original_name,
            "sha256": stored.sha256,
            "effective_on": effective,
            "expires_on": expires,
        },
    )
    return evidence


def remove_evidence(
    session: Session, actor: Actor, assessment: Assessment, evidence_id: Any
) -> None:
    """Detach a file while the assessment is open (the stored file is kept); audited."""
    _require_contact(actor, assessment)
    _require_open(assessment)
    try:
        number = int(str(evidence_id))
    except ValueError:
        number = 0
    evidence = get_evidence(session, assessment, number) if number > 0 else None
    if evidence is None:
        raise ServiceError("That file is not attached to this questionnaire.")
    answer = evidence.answer
    name = evidence.file.original_name
    answer.evidence.remove(evidence)
    _started(session, actor, assessment)
    session.flush()
    record(
        session,
        actor,
        "evidence_remove",
        "answer",
        answer.id,
        f"Removed {name} from {answer.question_key} in assessment #{assessment.id}",
        {"evidence_id": number, "file": name},
        None,
    )


# --- submitting ------------------------------------------------------------------------


def submit(
    session: Session, actor: Actor, assessment: Assessment, *, today: dt.date | None = None
) -> None:
    """Hand the answers to the reviewer: refused with the list of what is missing. Flushes."""
    _require_contact(actor, assessment)
    _require_open(assessment)
    gaps = missing(assessment, today)
    if gaps:
        raise IncompleteError(gaps)
    assessment.submitted_at = utcnow()
    _move(
        session,
        actor,
        assessment,
        "submitted",
        f"Supplier submitted assessment #{assessment.id} (round {assessment.round})",
    )
