"""Reviewing a submitted assessment, and starting the next round from an approved one.

An analyst gives each answer a verdict (accepted, or clarify with a note saying why),
talks with the supplier contact in a thread under each answer, requests changes (the
supplier sees which answers and why) and approves. A verdict remembers a fingerprint of
what it was given on, so an answer the supplier changes afterwards shows as changed.

A reassessment is a new round for the same supplier (and connection) on the latest
published version of the same template, prefilled with the approved round's answers and
evidence; `changes_since_previous` tells the reviewer what the supplier changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Answer, AnswerComment, Assessment, Evidence, TemplateVersion
from app.models.assessment import ASSESSMENT_STATUSES
from app.models.base import utcnow
from app.services import Actor, ServiceError, answering, findings, risk
from app.services.assessments import transition
from app.services.audit import record
from app.services.validation import FieldError, date, long_text
from questionnaires import engine
from questionnaires.fields import AnswerError
from questionnaires.schema import Question, Template, load_template

VERDICTS = {"accepted": "Accepted", "clarify": "Needs clarification"}
REVIEWABLE = ("submitted", "under_review")
CLOSED = ("approved", "cancelled")
STAFF_WRITERS = ("admin", "analyst")
MAX_NOTE = 2000
MAX_COMMENT = 5000
MAX_DUE_DAYS = 730


# --- reading an assessment -------------------------------------------------------------


def template_of(assessment: Assessment) -> Template:
    """The questionnaire an assessment was sent with (its version never changes)."""
    return answering.template_of(assessment)


def answers_by_key(assessment: Assessment) -> dict[str, Answer]:
    return {a.question_key: a for a in assessment.answers}


def answer_data(
    answers: dict[str, Answer], today: dt.date | None = None
) -> dict[str, engine.AnswerData]:
    """The saved answers as the engine reads them; with `today`, expired files do not count."""

    def files(answer: Answer) -> int:
        if today is None:
            return len(answer.evidence)
        return sum(1 for e in answer.evidence if e.expires_on is None or e.expires_on >= today)

    return {
        key: engine.AnswerData(a.value, a.comment or "", files(a)) for key, a in answers.items()
    }


def has_content(answer: Answer | None) -> bool:
    """Whether there is anything to review: a value or at least one evidence file."""
    return answer is not None and (answer.value not in (None, "", []) or bool(answer.evidence))


def fingerprint(answer: Answer) -> str:
    """A hash of what a reviewer sees of an answer: value, comment and evidence files."""
    evidence = sorted(
        (e.file_id, e.effective_on.isoformat(), e.expires_on.isoformat() if e.expires_on else "")
        for e in answer.evidence
    )
    body = {"value": answer.value, "comment": answer.comment or "", "evidence": evidence}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def verdict_outdated(answer: Answer) -> bool:
    """True when the supplier changed the answer after its verdict was given."""
    return answer.verdict is not None and answer.reviewed_fingerprint != fingerprint(answer)


def review_state(answer: Answer | None) -> str:
    """accepted | clarify | none: an acceptance of an answer changed since counts as none."""
    if answer is None or answer.verdict is None:
        return "none"
    if answer.verdict == "accepted" and verdict_outdated(answer):
        return "none"
    return answer.verdict


def evidence_flag(evidence: Evidence, today: dt.date | None = None) -> str | None:
    """expired | expiring (within 30 days) | None, as the supplier's pages flag it."""
    return answering.evidence_flag(evidence, today)


def describe(question: Question | None, value: Any, evidence_count: int = 0) -> str:
    """An answer in words: option labels with their scores, numbers, dates, file counts."""
    if question is not None and question.type == "file":
        return _files(evidence_count) if evidence_count else "No file"
    if value in (None, "", []):
        return "Not answered"
    if question is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if question.type in ("ynp", "single_choice", "multiple_choice"):
        parts = []
        for item in value if isinstance(value, list) else [value]:
            option = question.option(item)
            if option is None:
                parts.append(str(item))
            elif option.score is None:
                parts.append(option.label)
            else:
                parts.append(f"{option.label} (score {option.score:g})")
        return "; ".join(parts)
    return str(value)


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


@dataclass(frozen=True)
class Item:
    """One question on the review page, with its answer (None when never answered)."""

    question: Question
    answer: Answer | None
    state: str  # accepted | clarify | none
    outdated: bool

    @property
    def reviewable(self) -> bool:
        return has_content(self.answer)

    @property
    def words(self) -> str:
        """The answer in words (option label and score, number, date, files)."""
        answer = self.answer
        if answer is None:
            return describe(self.question, None)
        return describe(self.question, answer.value, len(answer.evidence))


@dataclass(frozen=True)
class Summary:
    accepted: int
    clarify: int
    not_reviewed: int
    missing: list[engine.Missing]


def review_items(assessment: Assessment) -> tuple[Template, list[Item], Summary]:
    """The visible questions in order with their answers and review state, and the counts."""
    template = template_of(assessment)
    answers = answers_by_key(assessment)
    data = answer_data(answers)
    shown = engine.visible_keys(template, data)
    items = []
    for question in template.questions:
        if question.key not in shown:
            continue
        answer = answers.get(question.key)
        outdated = answer is not None and verdict_outdated(answer)
        items.append(Item(question, answer, review_state(answer), outdated))
    counts = {"accepted": 0, "clarify": 0, "none": 0}
    for item in items:
        if item.reviewable or item.state == "clarify":
            counts[item.state] += 1
    today = dt.date.today()
    summary = Summary(
        counts["accepted"],
        counts["clarify"],
        counts["none"],
        engine.missing(template, answer_data(answers, today)),
    )
    return template, items, summary


def author_roles(session: Session, items: list[Item]) -> dict[int, str]:
    """{user id: role} of everyone who wrote in the threads of these items."""
    from app.models import User

    ids = {c.author_id for i in items if i.answer for c in i.answer.comments if c.author_id}
    if not ids:
        return {}
    return {u.id: u.role for u in session.scalars(select(User).where(User.id.in_(ids)))}


def clarifications(assessment: Assessment) -> list[Item]:
    """The answers the reviewer asked the supplier to clarify, in questionnaire order."""
    _template, items, _summary = review_items(assessment)
    return [item for item in items if item.state == "clarify"]


# --- status moves ----------------------------------------------------------------------


def _move(session: Session, actor: Actor, assessment: Assessment, to: str) -> None:
    """Change the status along models.assessment.TRANSITIONS (refused otherwise), audited."""
    transition(session, actor, assessment, to)


def _require_reviewable(assessment: Assessment) -> None:
    if assessment.status not in REVIEWABLE:
        status = ASSESSMENT_STATUSES.get(assessment.status, assessment.status).lower()
        raise ServiceError(
            f"This assessment is {status}: only a submitted assessment can be reviewed."
        )


def _require_editor(actor: Actor) -> None:
    if actor.role not in STAFF_WRITERS:
        raise ServiceError("Only an analyst or an administrator can review assessments.")


def start_review(session: Session, actor: Actor, assessment: Assessment) -> None:
    """submitted → under review."""
    _require_editor(actor)
    if assessment.status != "submitted":
        _require_reviewable(assessment)
        raise ServiceError("The review of this assessment has already started.")
    _move(session, actor, assessment, "under_review")


def _name(assessment: Assessment) -> str:
    return f"assessment #{assessment.id} (round {assessment.round})"


def set_verdict(session: Session, actor: Actor, answer: Answer, verdict: str, note: Any) -> None:
    """Accept an answer, or ask for clarification (a note saying why is then required)."""
    _require_editor(actor)
    assessment = answer.assessment
    _require_reviewable(assessment)
    if verdict not in VERDICTS:
        raise ServiceError("Choose accept or needs clarification.", {"verdict": "Unknown verdict."})
    try:
        note = long_text(note, max_len=MAX_NOTE)
    except FieldError as exc:
        raise ServiceError(str(exc), {"note": str(exc)}) from exc
    if verdict == "clarify" and not note:
        message = "Say what the supplier should clarify."
        raise ServiceError(message, {"note": message})
    template = template_of(assessment)
    data = answer_data(answers_by_key(assessment))
    if template.question(answer.question_key) is None:
        raise ServiceError("This answer belongs to no question of the questionnaire.")
    if answer.question_key not in engine.visible_keys(template, data):
        raise ServiceError("This question is hidden by the supplier's other answers.")
    if assessment.status == "submitted":
        _move(session, actor, assessment, "under_review")
    before = {"verdict": answer.verdict, "note": answer.verdict_note}
    answer.verdict = verdict
    answer.verdict_note = note
    answer.reviewed_by_id = actor.user_id
    answer.reviewed_at = utcnow()
    answer.reviewed_fingerprint = fingerprint(answer)
    session.flush()
    record(
        session,
        actor,
        "answer_verdict",
        "answer",
        answer.id,
        f"{VERDICTS[verdict]}: {answer.question_key} in {_name(assessment)}",
        before,
        {"verdict": verdict, "note": note},
    )


def add_comment(session: Session, actor: Actor, answer: Answer, body: Any) -> AnswerComment:
    """Add a message to the thread under an answer (staff, or that supplier's contact)."""
    assessment = answer.assessment
    is_contact = actor.role == "supplier" and actor.supplier_id == assessment.supplier_id
    if actor.role not in STAFF_WRITERS and not is_contact:
        raise ServiceError("You cannot comment on this answer.")
    if assessment.status in CLOSED:
        status = ASSESSMENT_STATUSES[assessment.status].lower()
        raise ServiceError(f"This assessment is {status}: its comments are closed.")
    try:
        body = long_text(body, max_len=MAX_COMMENT)
    except FieldError as exc:
        raise ServiceError(str(exc), {"body": str(exc)}) from exc
    if not body:
        raise ServiceError("Write a comment first.", {"body": "Write a comment first."})
    comment = AnswerComment(
        answer=answer, author_id=actor.user_id, author_email=actor.email[:255], body=body
    )
    session.add(comment)
    session.flush()
    record(
        session,
        actor,
        "answer_comment",
        "answer",
        answer.id,
        f"Commented on {answer.question_key} in {_name(assessment)}",
        None,
        {"comment_id": comment.id, "body": body[:500]},
    )
    return comment


def request_changes(session: Session, actor: Actor, assessment: Assessment) -> list[dict]:
    """Send the assessment back: the answers marked 'clarify' and why. Returns that list."""
    _require_editor(actor)
    _require_reviewable(assessment)
    asked = [
        {"question": item.question.key, "note": item.answer.verdict_note}
        for item in clarifications(assessment)
    ]
    if not asked:
        raise ServiceError("Mark at least one answer as needing clarification (with a note) first.")
    _move(session, actor, assessment, "changes_requested")
    record(
        session,
        actor,
        "review_request_changes",
        "assessment",
        assessment.id,
        f"Asked the supplier to clarify {len(asked)} answer(s) of {_name(assessment)}",
        None,
        {"clarify": asked},
    )
    return asked


def approve(
    session: Session, actor: Actor, assessment: Assessment, today: dt.date | None = None
) -> int:
    """Approve: refused while an answer needs clarification or something required is missing.

    Answers not yet reviewed are accepted with the approval; returns how many. The
    findings it opens are dated `today` (default: the real date).
    """
    _require_editor(actor)
    _require_reviewable(assessment)
    _template, items, summary = review_items(assessment)
    if summary.clarify:
        raise ServiceError(
            f"{summary.clarify} answer(s) still need clarification: accept them, "
            "or request changes from the supplier."
        )
    if summary.missing:
        raise ServiceError(
            f"{len(summary.missing)} required answer(s) or file(s) are missing: "
            "request changes from the supplier."
        )
    now = utcnow()
    accepted = 0
    for item in items:
        if item.reviewable and item.state == "none":
            answer = item.answer
            answer.verdict = "accepted"
            answer.verdict_note = ""
            answer.reviewed_by_id = actor.user_id
            answer.reviewed_at = now
            answer.reviewed_fingerprint = fingerprint(answer)
            accepted += 1
    _move(session, actor, assessment, "approved")
    assessment.approved_at = now
    assessment.reviewed_by_id = actor.user_id
    session.flush()
    record(
        session,
        actor,
        "review_approve",
        "assessment",
        assessment.id,
        f"Approved {_name(assessment)}; {accepted} answer(s) accepted with the approval",
        None,
        {"accepted_with_approval": accepted},
    )
    risk.refresh(session, "assessment_approved", assessment.supplier_id)
    findings.from_assessment(session, actor, assessment, today=today)
    return accepted


# --- reassessment ----------------------------------------------------------------------


def next_round(session: Session, assessment: Assessment) -> Assessment | None:
    """The round started from this one (not cancelled), if any."""
    return session.scalar(
        select(Assessment)
        .where(Assessment.previous_id == assessment.id, Assessment.status != "cancelled")
        .order_by(Assessment.id.desc())
        .limit(1)
    )


def latest_version(session: Session, version: TemplateVersion) -> TemplateVersion:
    """The newest published version of the template (the given one if none is newer)."""
    latest = session.scalar(
        select(TemplateVersion)
        .where(
            TemplateVersion.template_id == version.template_id,
            TemplateVersion.status == "published",
        )
        .order_by(TemplateVersion.number.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.number > version.number else version


def start_reassessment(
    session: Session,
    actor: Actor,
    previous: Assessment,
    due_on: Any,
    today: dt.date | None = None,
    message: Any = "",
) -> Assessment:
    """A new round from an approved one: its answers and evidence carried over, unreviewed."""
    _require_editor(actor)
    today = today or dt.date.today()
    if previous.status != "approved":
        raise ServiceError("Only an approved assessment can be reassessed.")
    if previous.supplier.archived:
        raise ServiceError("This supplier is archived: it is no longer assessed.")
    if next_round(session, previous) is not None:
        raise ServiceError("A later round of this assessment exists already.")
    errors = {}
    try:
        due = date(
            due_on,
            required=True,
            not_before=today,
            not_after=today + dt.timedelta(days=MAX_DUE_DAYS),
        )
    except FieldError as exc:
        errors["due_on"] = str(exc)
    try:
        message = long_text(message, max_len=MAX_COMMENT)
    except FieldError as exc:
        errors["message"] = str(exc)
    if errors:
        raise ServiceError("Please correct the due date.", errors)
    version = latest_version(session, previous.template_version)
    template = load_template(version.definition)
    assessment = Assessment(
        supplier_id=previous.supplier_id,
        connection_id=previous.connection_id,
        template_version_id=version.id,
        previous_id=previous.id,
        round=previous.round + 1,
        status="sent",
        due_on=due,
        message=message,
        sent_by_id=actor.user_id,
        sent_at=utcnow(),
    )
    session.add(assessment)
    session.flush()
    copied = dropped = 0
    for old in previous.answers:
        answer = _carry_over(template.question(old.question_key), old, assessment, actor)
        if answer is None:
            dropped += 1
            continue
        session.add(answer)
        copied += 1
    session.flush()
    session.refresh(assessment, ["answers"])
    record(
        session,
        actor,
        "assessment_reassess",
        "assessment",
        assessment.id,
        f"Started round {assessment.round} from {_name(previous)}",
        None,
        {
            "previous_id": previous.id,
            "round": assessment.round,
            "template_version_id": version.id,
            "due_on": due,
            "answers_copied": copied,
            "answers_dropped": dropped,
        },
    )
    return assessment


def _carry_over(
    question: Question | None, old: Answer, assessment: Assessment, actor: Actor
) -> Answer | None:
    """A copy of an approved answer for the next round, or None when it no longer fits."""
    if question is None:
        return None
    try:
        value = engine.clean_answer(question, old.value)
    except AnswerError:
        value = None  # the question changed: the supplier answers it again
    comment = old.comment or ""
    if value in (None, "", []) and not old.evidence and not comment:
        return None
    answer = Answer(
        assessment_id=assessment.id,
        question_key=old.question_key,
        value=value,
        comment=comment,
        updated_by_id=actor.user_id,
    )
    for evidence in old.evidence:
        answer.evidence.append(
            Evidence(
                file_id=evidence.file_id,
                effective_on=evidence.effective_on,
                expires_on=evidence.expires_on,
            )
        )
    return answer


@dataclass(frozen=True)
class ChangeView:
    """One change since the previous round, in words."""

    question: Question
    kind: str  # added | removed | changed | evidence | comment
    before: str
    after: str


def changes_since_previous(assessment: Assessment) -> list[ChangeView]:
    """What the supplier changed since the previous round (empty for a first round)."""
    previous = assessment.previous
    if previous is None:
        return []
    template = template_of(assessment)
    old_template = template_of(previous)
    old_answers, new_answers = answers_by_key(previous), answers_by_key(assessment)
    old_data, new_data = answer_data(old_answers), answer_data(new_answers)
    by_key = {c.question: c for c in engine.diff(template, old_data, new_data)}
    shown = engine.visible_keys(template, new_data) | engine.visible_keys(template, old_data)
    result = []
    for question in template.questions:
        if question.key not in shown:
            continue
        old, new = old_answers.get(question.key), new_answers.get(question.key)
        old_q = old_template.question(question.key) or question
        before = describe(old_q, old.value if old else None, len(old.evidence) if old else 0)
        after = describe(question, new.value if new else None, len(new.evidence) if new else 0)
        change = by_key.get(question.key)
        if change is not None and change.kind != "evidence":
            result.append(ChangeView(question, change.kind, before, after))
        elif change is not None or _files_of(old) != _files_of(new):
            result.append(
                ChangeView(question, "evidence", _evidence_words(old), _evidence_words(new))
            )
        elif (old.comment if old else "") != (new.comment if new else ""):
            result.append(
                ChangeView(
                    question,
                    "comment",
                    (old.comment if old else "") or "No comment",
                    (new.comment if new else "") or "No comment",
                )
            )
    return result


def _files_of(answer: Answer | None) -> set[tuple]:
    if answer is None:
        return set()
    return {(e.file_id, e.effective_on, e.expires_on) for e in answer.evidence}


def _evidence_words(answer: Answer | None) -> str:
    if answer is None or not answer.evidence:
        return "No file"
    names = ", ".join(e.file.original_name for e in answer.evidence)
    return f"{_files(len(answer.evidence))}: {names}"


@dataclass(frozen=True)
class NewRound:
    """A reassessment just started, and the invitation sent for it (if an address was given)."""

    assessment: Assessment
    invitation: Any  # app.services.invitations.IssuedInvitation | None


def reassess(
    session: Session,
    actor: Actor,
    previous: Assessment,
    *,
    due_on: Any,
    email: Any = "",
    message: Any = "",
    today: dt.date | None = None,
) -> NewRound:
    """Start the next round and, when an address is given, invite that contact to it."""
    assessment = start_reassessment(session, actor, previous, due_on, today=today, message=message)
    if not isinstance(email, str) or not email.strip():
        return NewRound(assessment, None)
    from app.services import invitations

    try:
        issued = invitations.create(session, actor, assessment, email)
    except ServiceError as exc:
        errors = exc.errors or {"email": exc.message}
        raise ServiceError(exc.message, errors) from exc
    return NewRound(assessment, issued)


def last_invited_email(session: Session, assessment: Assessment) -> str:
    """Whom to invite to the next round: the last invited address, else the supplier's contact."""
    from app.models import Invitation

    email = session.scalar(
        select(Invitation.email)
        .where(Invitation.assessment_id == assessment.id)
        .order_by(Invitation.id.desc())
        .limit(1)
    )
    return email or assessment.supplier.contact_email or ""
