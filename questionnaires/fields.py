"""Question types: one entry per type in FIELD_TYPES, each able to clean and score a value.

Adding a question type is adding one class here and one registry entry. Values are plain
JSON data: strings, numbers, lists of strings, ISO dates as strings.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from questionnaires.schema import Question

MAX_TEXT = 5000

# yes/no/partial/N-A: value -> (label, default score); N/A is excluded from scoring.
YNP_SCORES: dict[str, tuple[str, float | None]] = {
    "yes": ("Yes", 1.0),
    "partial": ("Partially", 0.5),
    "no": ("No", 0.0),
    "na": ("Not applicable", None),
}


class AnswerError(ValueError):
    """An answer does not fit its question; str(exc) says why, for the person answering."""


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


class Field:
    """Base type: `clean` returns the stored value (None when blank) or raises AnswerError."""

    label = ""
    scored = False  # whether answers earn a 0..1 score (and so count towards controls)

    def clean(self, question: Question, value: Any) -> Any:
        raise NotImplementedError

    def score(self, question: Question, value: Any) -> float | None:
        """0 (worst) to 1 (best), or None when the answer does not count (N/A, not scored)."""
        return None


class YesNoPartialNA(Field):
    label = "Yes / No / Partially / N/A"
    scored = True

    def clean(self, question, value):
        if _blank(value):
            return None
        if not isinstance(value, str) or value not in YNP_SCORES:
            raise AnswerError("Choose yes, partially, no or not applicable.")
        return value

    def score(self, question, value):
        option = question.option(value) if value is not None else None
        return option.score if option else None


class SingleChoice(Field):
    label = "Single choice"
    scored = True

    def clean(self, question, value):
        if _blank(value):
            return None
        if not isinstance(value, str) or question.option(value) is None:
            raise AnswerError("Choose one of the listed options.")
        return value

    def score(self, question, value):
        option = question.option(value) if value is not None else None
        return option.score if option else None


class MultipleChoice(Field):
    label = "Multiple choice"
    scored = True

    def clean(self, question, value):
        if _blank(value):
            return None
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and question.option(v) for v in items):
            raise AnswerError("Choose only among the listed options.")
        order = [o.value for o in question.options]
        return sorted(set(items), key=order.index)

    def score(self, question, value):
        if not value:
            return None
        scores = [question.option(v).score for v in value if question.option(v)]
        scores = [s for s in scores if s is not None]
        return min(1.0, sum(scores)) if scores else None


class Text(Field):
    label = "Text"

    def clean(self, question, value):
        if _blank(value) or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise AnswerError("Enter text.")
        if len(value) > MAX_TEXT:
            raise AnswerError(f"Keep it under {MAX_TEXT} characters.")
        return value.strip()


class Number(Field):
    label = "Number"

    def clean(self, question, value):
        if _blank(value):
            return None
        if isinstance(value, bool):
            raise AnswerError("Enter a number.")
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError as exc:
            raise AnswerError("Enter a number.") from exc
        if not math.isfinite(number):
            raise AnswerError("Enter a number.")
        if question.min is not None and number < question.min:
            raise AnswerError(f"Enter at least {question.min:g}.")
        if question.max is not None and number > question.max:
            raise AnswerError(f"Enter at most {question.max:g}.")
        return int(number) if number.is_integer() else number


class Date(Field):
    label = "Date"

    def clean(self, question, value):
        if _blank(value):
            return None
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError as exc:
            raise AnswerError("Enter a date as YYYY-MM-DD.") from exc


class FileUpload(Field):
    """The answer is the evidence attached; the value itself stays empty."""

    label = "Evidence upload"

    def clean(self, question, value):
        if not _blank(value):
            raise AnswerError("Upload a file for this question.")
        return None


FIELD_TYPES: dict[str, Field] = {
    "ynp": YesNoPartialNA(),
    "single_choice": SingleChoice(),
    "multiple_choice": MultipleChoice(),
    "text": Text(),
    "number": Number(),
    "date": Date(),
    "file": FileUpload(),
}
