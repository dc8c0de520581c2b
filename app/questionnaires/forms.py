"""Builder forms. They only collect input: load_template (through the services) decides.

Select boxes do not check their choices, numbers arrive as text: one set of rules (the
engine's) judges every save, and its messages land next to the field they concern.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from app.services import ServiceError
from questionnaires.fields import FIELD_TYPES
from questionnaires.schema import CONDITION_OPS, EVIDENCE_RULES, SCOPES

SCOPE_LABELS = {"supplier": "A supplier", "connection": "One partner connection"}
EVIDENCE_LABELS = {
    "none": "No evidence",
    "optional": "Evidence may be attached",
    "when_yes": "Evidence required when the answer is yes",
    "required": "Evidence always required",
}
OP_LABELS = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of (comma-separated)",
    "includes": "includes (multiple choice)",
    "answered": "is answered (yes or no)",
}


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


TYPE_CHOICES = [(key, field.label) for key, field in FIELD_TYPES.items()]
FIRST_TYPES = [
    (k, label) for k, label in TYPE_CHOICES if k not in ("single_choice", "multiple_choice")
]


class Required:
    """Marks a field required in the page (asterisk, `required` flag); the engine checks."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class BuilderForm(FlaskForm):
    """Base: the hash of the version the form was opened on, and service errors on fields."""

    base = HiddenField()

    def show_errors(self, error: ServiceError) -> None:
        """Put each message next to its field; the others (with where they are) on top."""
        for name, message in error.errors.items():
            field = self._fields.get(name)
            if field is not None and name not in ("csrf_token", "base"):
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(f"{name}: {message}")
        if not error.errors or not any(name in self._fields for name in error.errors):
            self.form_errors.insert(0, error.message)


def _key_field(label: str, description: str) -> StringField:
    return StringField(
        label,
        [Required()],
        description=description,
        render_kw={"maxlength": 80, "autocomplete": "off", "spellcheck": "false"},
    )


def _first_question_fields(cls: type) -> type:
    """The first question a new section or template starts with (more can follow)."""
    cls.q_key = _key_field("Question key", "Short and stable: lower-case letters, digits, _ . -")
    cls.q_text = StringField("Question", [Required()], render_kw={"maxlength": 1000})
    cls.q_type = SelectField(
        "Type", choices=_choices(FIRST_TYPES), default="ynp", validate_choice=False
    )
    cls.q_controls = StringField(
        "Controls",
        [Required()],
        description="Identifiers separated by commas, e.g. SR-6, GV.SC-07.",
        render_kw={"maxlength": 500, "spellcheck": "false"},
    )
    return cls


class DetailsForm(BuilderForm):
    name = StringField("Name", [Required()], render_kw={"maxlength": 200})
    description = TextAreaField("Description", render_kw={"rows": 4, "maxlength": 5000})
    scope = SelectField(
        "Sent for",
        choices=_choices((s, SCOPE_LABELS[s]) for s in SCOPES),
        validate_choice=False,
        description="A connection questionnaire is sent for one partner connection.",
    )


@_first_question_fields
class SectionForm(BuilderForm):
    key = _key_field("Section key", "Lower-case letters, digits, _ . - (e.g. governance).")
    title = StringField("Title", [Required()], render_kw={"maxlength": 200})
    description = TextAreaField("Description", render_kw={"rows": 3, "maxlength": 5000})


class QuestionForm(BuilderForm):
    section = SelectField("Section", [Required()], validate_choice=False)
    key = _key_field(
        "Key",
        "Answers are stored under this key. Renaming it also renames it in conditions.",
    )
    text = TextAreaField("Question", [Required()], render_kw={"rows": 2, "maxlength": 1000})
    help = TextAreaField(
        "Help text",
        description="What a good answer or evidence looks like (shown under the question).",
        render_kw={"rows": 2, "maxlength": 2000},
    )
    type = SelectField("Type", choices=_choices(TYPE_CHOICES), validate_choice=False)
    options = TextAreaField(
        "Options (choice questions)",
        description="One per line: value | label | score. Score from 0 (worst) to 1 (best); "
        "leave it out for an unscored option.",
        render_kw={"rows": 5, "spellcheck": "false"},
    )
    score_yes = StringField("Score for yes", render_kw={"inputmode": "decimal", "placeholder": "1"})
    score_partial = StringField(
        "Score for partially", render_kw={"inputmode": "decimal", "placeholder": "0.5"}
    )
    score_no = StringField("Score for no", render_kw={"inputmode": "decimal", "placeholder": "0"})
    required = BooleanField("Required (when shown)")
    weight = StringField(
        "Weight",
        description="1 (minor) to 5 (most important).",
        render_kw={"inputmode": "decimal", "maxlength": 6},
    )
    evidence = SelectField(
        "Evidence",
        choices=_choices((r, EVIDENCE_LABELS[r]) for r in EVIDENCE_RULES),
        validate_choice=False,
    )
    controls = StringField(
        "Controls",
        [Required()],
        description="Identifiers separated by commas, e.g. SR-6, GV.SC-07.",
        render_kw={"maxlength": 500, "spellcheck": "false"},
    )
    min = StringField("Lowest number allowed", render_kw={"inputmode": "decimal"})
    max = StringField("Highest number allowed", render_kw={"inputmode": "decimal"})
    cond_question = SelectField("Show only when question", validate_choice=False)
    cond_op = SelectField(
        "Compared as",
        choices=_choices((op, OP_LABELS[op]) for op in CONDITION_OPS),
        validate_choice=False,
    )
    cond_value = StringField(
        "Value",
        description="An option's value or label, e.g. yes; for “is one of”, several separated "
        "by commas.",
        render_kw={"maxlength": 500},
    )
    keep_condition = BooleanField("Keep the combined condition")

    def __init__(self, *args: Any, sections=(), questions=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section.choices = _choices((s["key"], s["title"]) for s in sections)
        self.cond_question.choices = _choices(
            [("", "Always shown")]
            + [(q["key"], f"{q['key']}: {q['text'][:60]}") for q in questions]
        )


@_first_question_fields
class NewTemplateForm(BuilderForm):
    key = _key_field("Key", "Lower-case letters, digits, _ . - (e.g. logistics-security).")
    name = StringField("Name", [Required()], render_kw={"maxlength": 200})
    description = TextAreaField("Description", render_kw={"rows": 3, "maxlength": 5000})
    scope = SelectField(
        "Sent for", choices=_choices((s, SCOPE_LABELS[s]) for s in SCOPES), validate_choice=False
    )
    copy_from = SelectField(
        "Start from",
        validate_choice=False,
        description="Copy the sections and questions of an existing template, or start with "
        "one question.",
    )
    section_title = StringField(
        "First section title", default="General", render_kw={"maxlength": 200}
    )

    def __init__(self, *args: Any, templates=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.copy_from.choices = _choices(
            [("", "An empty template (one question below)")]
            + [(str(t.id), f"A copy of {t.name} ({t.key})") for t in templates]
        )


class ImportForm(BuilderForm):
    file = FileField(
        "YAML file", description="A template exported from Chainlight, or written by hand."
    )
    text = TextAreaField(
        "Or paste the YAML",
        render_kw={"rows": 12, "spellcheck": "false"},
    )
    publish = BooleanField("Publish the imported version (it can then be sent)")
