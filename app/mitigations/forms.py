"""The findings forms: they render the fields and keep what was typed; the services in
app.services.findings and app.services.remediation validate and say why.

Field names are the keys the services read (and report errors under). Every form on the
finding's page gives its fields their own HTML ids, since several share a name (`note`).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField

from app.connections.forms import DateTextField, Required, choices
from app.services import ServiceError
from app.services import files as file_store
from risk_models.findings import SEVERITIES

# The button text of each workflow move (from, to); other moves read "Move to <status>".
MOVE_LABELS: dict[tuple[str, str], str] = {
    ("open", "in_progress"): "Start work",
    ("open", "resolved"): "Mark resolved",
    ("in_progress", "resolved"): "Mark resolved",
    ("in_progress", "open"): "Back to open",
    ("resolved", "verified"): "Verify the fix",
    ("resolved", "in_progress"): "Reject the fix",
    ("verified", "open"): "Reopen",
}


class ServiceForm(FlaskForm):
    """A form whose values go to one use case and which shows that use case's refusal."""

    refusal: str = ""

    def service_data(self) -> dict[str, Any]:
        """The submitted values keyed as the service reads them."""
        return {name: f.data for name, f in self._fields.items() if name != "csrf_token"}

    def show_errors(self, exc: ServiceError) -> None:
        """Put a ServiceError's messages next to their fields (the rest above the form)."""
        self.refusal = exc.message
        for key, message in exc.errors.items():
            field = self._fields.get(key)
            if field is None or key == "csrf_token":
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


def severity_choices():
    return choices(SEVERITIES.items(), "Choose a severity…")


class FindingForm(ServiceForm):
    """A finding an analyst adds by hand."""

    supplier = SelectField("Supplier", [Required()], validate_choice=False)
    connection = SelectField(
        "Connection",
        validate_choice=False,
        description="Optional: the link the gap concerns (one of the supplier's connections).",
    )
    control = StringField(
        "Control",
        render_kw={"maxlength": 40, "autocomplete": "off"},
        description="Optional: the control it falls short of, e.g. GV.SC-05, SR-6, ISO28000-8.1.",
    )
    title = StringField("Title", [Required()], render_kw={"maxlength": 255})
    description = TextAreaField(
        "Description",
        render_kw={"rows": 4, "maxlength": 5000},
        description="What was found, where, and what would fix it.",
    )
    severity = SelectField("Severity", [Required()], validate_choice=False)
    due_on = DateTextField(
        "Due date",
        description="Optional: leave empty to use the SLA for the severity (Admin → Settings).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.severity.choices = severity_choices()


class EditForm(ServiceForm):
    """Staff change a finding's facts."""

    title = StringField("Title", [Required()], render_kw={"maxlength": 255})
    description = TextAreaField("Description", render_kw={"rows": 4, "maxlength": 5000})
    severity = SelectField("Severity", [Required()], validate_choice=False)
    owner = SelectField(
        "Owner", validate_choice=False, description="An active analyst or administrator."
    )
    contact = SelectField(
        "Supplier contact",
        validate_choice=False,
        description="Who at the supplier answers for this finding in the portal.",
    )
    connection = SelectField("Connection", validate_choice=False)
    due_on = DateTextField(
        "Due date",
        [Required()],
        description="Not before the day the finding was opened.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.severity.choices = severity_choices()


class MoveForm(ServiceForm):
    """A workflow move: the buttons post `to`; the note goes into the thread."""

    to = StringField("Move to")
    note = TextAreaField(
        "Note for the thread",
        id="move-note",
        render_kw={"rows": 2, "maxlength": 2000},
    )


class PlanReviewForm(ServiceForm):
    """Accept or reject the supplier's proposed plan."""

    decision = StringField("Decision")
    note = TextAreaField(
        "Note to the supplier",
        id="plan-note",
        render_kw={"rows": 2, "maxlength": 2000},
        description="Required to reject: say what the plan lacks.",
    )


class AcceptForm(ServiceForm):
    """An executive's or admin's acceptance of the finding's risk until a date."""

    reason = TextAreaField(
        "Why the risk is accepted",
        [Required()],
        id="accept-reason",
        render_kw={"rows": 3, "maxlength": 2000},
    )
    expires_on = DateTextField(
        "Accepted until",
        [Required()],
        id="accept-expires",
        description="After today and within a year; the finding reopens when it lapses.",
    )


class CommentForm(ServiceForm):
    """A message in the finding's thread."""

    body = TextAreaField("Message", id="comment-body", render_kw={"rows": 3, "maxlength": 4000})


class EvidenceForm(ServiceForm):
    """A file that shows the fix."""

    file = FileField(
        "File",
        id="evidence-file",
        description=f"{file_store.ALLOWED_TEXT}; the type is checked from the content.",
    )
    note = StringField("What it shows", id="evidence-note", render_kw={"maxlength": 500})
