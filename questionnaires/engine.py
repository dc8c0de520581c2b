"""Answering a questionnaire: which questions show, whether an answer fits, what is missing.

Pure functions over a Template (questionnaires.schema) and the answers as plain data:
{question key: AnswerData}. A hidden question is not required and not scored, and its
answer does not count for the conditions of later questions (so chains of conditions work).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from questionnaires.fields import FIELD_TYPES, AnswerError
from questionnaires.schema import Condition, Question, Template


@dataclass(frozen=True)
class AnswerData:
    """What the engine needs of one saved answer."""

    value: Any = None
    comment: str = ""
    evidence_count: int = 0

    @property
    def answered(self) -> bool:
        return self.value not in (None, "", [])


Answers = Mapping[str, AnswerData]


def clean_answer(question: Question, value: Any) -> Any:
    """The value to store for `question`, or AnswerError saying what is wrong."""
    return FIELD_TYPES[question.type].clean(question, value)


def score_answer(question: Question, value: Any) -> float | None:
    """0..1 for the answer, or None when it does not count (blank, N/A, unscored type)."""
    if value in (None, "", []):
        return None
    return FIELD_TYPES[question.type].score(question, value)


def _holds(condition: Condition, values: Mapping[str, Any]) -> bool:
    if condition.all:
        return all(_holds(c, values) for c in condition.all)
    if condition.any:
        return any(_holds(c, values) for c in condition.any)
    value = values.get(condition.question)
    answered = value not in (None, "", [])
    if condition.op == "answered":
        return answered == bool(condition.value)
    if not answered:
        return False
    if condition.op == "equals":
        return value == condition.value
    if condition.op == "not_equals":
        return value != condition.value
    if condition.op == "in":
        return value in condition.value
    if condition.op == "includes":
        return isinstance(value, list) and condition.value in value
    return False


def visible_keys(template: Template, answers: Answers) -> set[str]:
    """Keys of the questions shown, given the answers (definition order makes chains work)."""
    shown: set[str] = set()
    values: dict[str, Any] = {}
    for question in template.questions:
        if question.show_when is None or _holds(question.show_when, values):
            shown.add(question.key)
            data = answers.get(question.key)
            if data is not None:
                values[question.key] = data.value
    return shown


def evidence_needed(question: Question, data: AnswerData | None) -> bool:
    """Whether this question, answered like this, needs at least one evidence file."""
    if question.type == "file":
        return question.required
    if question.evidence == "required":
        return True
    return question.evidence == "when_yes" and data is not None and data.value == "yes"


@dataclass(frozen=True)
class Missing:
    """Something that stops a submission: which question, and why."""

    question: str
    section: str
    reason: str  # unanswered | evidence | justify_na | invalid
    message: str


def _complete(question: Question, data: AnswerData | None) -> Missing | None:
    def miss(reason: str, message: str) -> Missing:
        return Missing(question.key, question.section, reason, message)

    if question.type == "file":
        if question.required and (data is None or data.evidence_count == 0):
            return miss("evidence", "Upload the requested file.")
        return None
    if question.required and (data is None or not data.answered):
        return miss("unanswered", "Answer this question.")
    if data is None or not data.answered:
        return None
    try:
        clean_answer(question, data.value)
    except AnswerError as exc:
        return miss("invalid", str(exc))
    if data.value == "na" and question.type == "ynp" and not data.comment.strip():
        return miss("justify_na", "Say why this does not apply (a comment is needed for N/A).")
    if evidence_needed(question, data) and data.evidence_count == 0:
        return miss("evidence", "Attach evidence for this answer.")
    return None


def missing(template: Template, answers: Answers) -> list[Missing]:
    """Everything that stops a submission, in questionnaire order (empty: ready to submit)."""
    shown = visible_keys(template, answers)
    result = []
    for question in template.questions:
        if question.key in shown:
            problem = _complete(question, answers.get(question.key))
            if problem is not None:
                result.append(problem)
    return result


@dataclass(frozen=True)
class Progress:
    """Answered required questions out of the required questions now shown."""

    done: int
    required: int
    answered: int  # any visible question with an answer, required or not
    visible: int

    @property
    def percent(self) -> int:
        return 100 if self.required == 0 else round(100 * self.done / self.required)


def progress(template: Template, answers: Answers, section: str | None = None) -> Progress:
    """Progress over the whole questionnaire, or over one section."""
    shown = visible_keys(template, answers)
    done = required = answered = visible = 0
    for question in template.questions:
        if question.key not in shown or (section is not None and question.section != section):
            continue
        visible += 1
        data = answers.get(question.key)
        is_answered = data is not None and (
            data.answered or (question.type == "file" and data.evidence_count > 0)
        )
        answered += is_answered
        if question.required:
            required += 1
            done += _complete(question, data) is None
    return Progress(done, required, answered, visible)


@dataclass(frozen=True)
class Change:
    """How one answer differs from the previous round."""

    question: str
    kind: str  # added | removed | changed | evidence
    before: Any
    after: Any


def diff(template: Template, previous: Answers, current: Answers) -> list[Change]:
    """What changed since the last round, in questionnaire order (visible questions only)."""
    shown = visible_keys(template, current) | visible_keys(template, previous)
    changes = []
    for question in template.questions:
        if question.key not in shown:
            continue
        old, new = previous.get(question.key), current.get(question.key)
        old_value = old.value if old else None
        new_value = new.value if new else None
        if old_value in (None, "", []) and new_value not in (None, "", []):
            changes.append(Change(question.key, "added", None, new_value))
        elif old_value not in (None, "", []) and new_value in (None, "", []):
            changes.append(Change(question.key, "removed", old_value, None))
        elif old_value != new_value:
            changes.append(Change(question.key, "changed", old_value, new_value))
        elif (old.evidence_count if old else 0) != (new.evidence_count if new else 0):
            changes.append(
                Change(
                    question.key,
                    "evidence",
                    old.evidence_count if old else 0,
                    new.evidence_count if new else 0,
                )
            )
    return changes
