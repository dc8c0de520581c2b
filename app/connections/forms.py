"""The connection form: it renders every field; app.services.connections validates them.

Fields keep the raw text the user sent (dates too), so the service, shared with the
importer and the API, is the one place that decides what is acceptable and says why.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from risk_models import vocab

# Form field name -> the key the service reads (and reports errors under).
SERVICE_KEYS = {"supplier_id": "supplier", "owner_id": "owner"}


class Required:
    """Marks a field required (asterisk, `required` attribute); the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (the `field` macro lays them out)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DateTextField(StringField):
    """A date input whose raw YYYY-MM-DD text goes to the service unparsed."""

    widget = DateInput()


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, after an optional blank option."""
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(value, text) for value, text in pairs]


def _choices(vocabulary: dict[str, str], blank: str | None = "Choose…") -> list[SelectChoice]:
    return choices(vocabulary.items(), blank)


class ConnectionForm(FlaskForm):
    """Every fact of a connection (design §3). Supplier and owner choices are set per request."""

    supplier_id = SelectField("Supplier", validators=[Required()], validate_choice=False)
    name = StringField(
        "Connection name",
        validators=[Required()],
        render_kw={"maxlength": 120, "autocomplete": "off"},
        description="Unique for the supplier, e.g. “Order API” or “ASN over AS2”.",
    )
    kind = SelectField("Kind", choices=_choices(vocab.CONNECTION_KINDS), validators=[Required()])
    direction = SelectField(
        "Direction", choices=_choices(vocab.DIRECTIONS), validators=[Required()]
    )
    internal_system = SelectField(
        "Internal system", choices=_choices(vocab.INTERNAL_SYSTEMS), validators=[Required()]
    )
    data_classes = MultiCheckboxField(
        "Data classes crossing",
        choices=_choices(vocab.DATA_CLASSES, None),
        # No Required(): its flag would put `required` on every checkbox, and a browser
        # would then refuse the form until all of them are ticked. The template shows the
        # asterisk; the service refuses an empty choice.
        description="Tick every kind of data that crosses this link.",
    )
    authentication = SelectField(
        "Authentication", choices=_choices(vocab.AUTHENTICATIONS), validators=[Required()]
    )
    encryption = SelectField(
        "Encryption in transit", choices=_choices(vocab.ENCRYPTIONS), validators=[Required()]
    )
    integration_layer = SelectField(
        "Integration layer",
        choices=_choices(vocab.INTEGRATION_LAYERS),
        validators=[Required()],
        description="“Direct to ERP core” is flagged for attention.",
    )
    access_level = SelectField(
        "Access level", choices=_choices(vocab.ACCESS_LEVELS, None), default="read"
    )
    endpoint = StringField(
        "Endpoint",
        render_kw={"maxlength": 255, "autocomplete": "off"},
        description="URL, host, AS2 ID or mailbox (no secrets).",
    )
    credential_expires_on = DateTextField(
        "Credential or certificate expires on",
        description="Flagged from 30 days before this date.",
    )
    owner_id = SelectField("Owner", validate_choice=False)
    status = SelectField(
        "Status", choices=_choices(vocab.CONNECTION_STATUSES, None), default="active"
    )
    last_reviewed_on = DateTextField(
        "Last reviewed on", description="Flagged when older than a year or empty."
    )
    notes = TextAreaField("Notes", render_kw={"rows": 3, "maxlength": 5000})

    def service_data(self) -> dict:
        """The submitted values keyed as app.services.connections expects them."""
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
            if name is None:
                self.form_errors.append(message)
            else:
                field = self._fields[name]
                field.errors = [*field.errors, message]
