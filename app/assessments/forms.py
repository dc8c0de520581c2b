"""Forms for sending an assessment and inviting a contact.

Fields keep the raw text the user sent; app.services.assessments decides what is
acceptable and its errors are put back on these fields (SERVICE_KEYS maps the names).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, TextAreaField

from app.connections.forms import DateTextField, Required

# Form field name -> the key the service reads (and reports errors under).
SERVICE_KEYS = {
    "supplier_id": "supplier",
    "connection_id": "connection",
    "template_version_id": "template_version",
}


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(str(value), text) for value, text in pairs]


class _ServiceForm(FlaskForm):
    def service_data(self) -> dict:
        """The submitted values keyed as the service expects them."""
        return {
            SERVICE_KEYS.get(name, name): field.data
            for name, field in self._fields.items()
            if name != "csrf_token"
        }

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Show a ServiceError's messages next to the fields they are about."""
        by_key = {SERVICE_KEYS.get(name, name): name for name in self._fields}
        for key, message in errors.items():
            name = by_key.get(key)
            field = self._fields.get(name) if name else None
            if field is None or isinstance(field, HiddenField):
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


class SendForm(_ServiceForm):
    """Send a questionnaire: the supplier is chosen first (a hidden field from then on)."""

    supplier_id = HiddenField()
    connection_id = SelectField(
        "Connection (optional)",
        validate_choice=False,
        description="Scope the assessment to one link with this supplier; "
        "needed for connection questionnaires.",
    )
    template_version_id = SelectField(
        "Questionnaire", validators=[Required()], validate_choice=False
    )
    due_on = DateTextField("Due date", validators=[Required()])
    email = EmailField(
        "Contact e-mail",
        validators=[Required()],
        render_kw={"maxlength": 255, "autocomplete": "off"},
        description="The invitation link goes to this address and opens an account for it.",
    )
    message = TextAreaField(
        "Message to the contact (optional)",
        render_kw={"rows": 3, "maxlength": 5000},
        description="Shown in the invitation e-mail and in the portal.",
    )


class InviteForm(_ServiceForm):
    """Invite one more contact to an assessment."""

    email = EmailField(
        "Contact e-mail",
        validators=[Required()],
        render_kw={"maxlength": 255, "autocomplete": "off"},
    )
