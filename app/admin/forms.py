"""Forms of the admin area: create and edit users, reset a password, filter the audit trail.

The forms check presence and shape; the users service decides what is acceptable
(e-mail, duplicates, role and supplier binding, password length) and its errors are
mapped back onto these fields by the views.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from app.services.findings import MAX_SLA_DAYS
from app.services.users import MIN_PASSWORD, without_controls
from risk_models.findings import SEVERITIES
from risk_models.vocab import ROLES

NO_SUPPLIER = SelectChoice("", "— None (staff roles) —")
SUPPLIER_HELP = "Required for supplier contacts, who see only this supplier; empty for staff."


def optional_int(value):
    """Coerce a select value: '' or None is no choice, digits an id (ValueError otherwise)."""
    if value in ("", None):
        return None
    return int(value)


def _supplier_field() -> SelectField:
    return SelectField(
        "Supplier",
        coerce=optional_int,
        choices=[NO_SUPPLIER],
        description=SUPPLIER_HELP,
    )


def _role_field() -> SelectField:
    return SelectField(
        "Role",
        choices=[SelectChoice(value, text) for value, text in ROLES.items()],
        validators=[InputRequired(message="Choose a role.")],
        render_kw={"data-supplier-toggle": "supplier_id"},
    )


def _password_fields(label: str) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        label,
        validators=[InputRequired(message="Type a password.")],
        description=f"At least {MIN_PASSWORD} characters. Tell the user through a safe channel.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            InputRequired(message="Repeat the password."),
            EqualTo("password", message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class UserCreateForm(FlaskForm):
    """A new account: who, which role, which supplier, and a first password."""

    email = EmailField(
        "E-mail",
        validators=[InputRequired(message="Type the e-mail address.")],
        render_kw={"autocomplete": "off"},
    )
    name = StringField("Name", render_kw={"autocomplete": "off"})
    role = _role_field()
    supplier_id = _supplier_field()
    password, confirm = _password_fields("Initial password")


class UserEditForm(FlaskForm):
    """Name, role, supplier binding and whether the account may log in."""

    name = StringField("Name", render_kw={"autocomplete": "off"})
    role = _role_field()
    supplier_id = _supplier_field()
    active = BooleanField(
        "Active (may log in)",
        description="Unticking this ends the user's sessions at once.",
    )


class PasswordResetForm(FlaskForm):
    """An administrator sets a new password for someone else."""

    password, confirm = _password_fields("New password")


def _clean(text: str | None, max_len: int) -> str:
    return without_controls(text or "").strip()[:max_len]


class AuditFilterForm(Form):
    """The audit browser's filters, read from the query string (no CSRF: a GET search)."""

    actor = StringField("Who (e-mail contains)", filters=[lambda s: _clean(s, 100)])
    action = SelectField("Action", choices=[SelectChoice("", "Any action")], default="")
    entity_type = SelectField("Record type", choices=[SelectChoice("", "Any type")], default="")
    entity_id = StringField("Record id", filters=[lambda s: _clean(s, 40)])
    event = IntegerField(
        "Event #",
        validators=[
            Optional(),
            NumberRange(min=1, max=2**31 - 1, message="A positive event number."),
        ],
    )
    date_from = DateField("From (UTC)", validators=[Optional()])
    date_to = DateField("To (UTC)", validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")


def _threshold(label: str, description: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(message="Type a whole number from 1 to 24."),
            NumberRange(min=1, max=24, message="A whole number from 1 to 24."),
        ],
        description=description,
        render_kw={"min": 1, "max": 24, "inputmode": "numeric"},
    )


def _sla_days(severity: str) -> IntegerField:
    message = f"Whole days from 1 to {MAX_SLA_DAYS}."
    return IntegerField(
        f"{SEVERITIES[severity]} (days)",
        validators=[
            InputRequired(message=f"Type the days to fix a {severity} finding."),
            NumberRange(min=1, max=MAX_SLA_DAYS, message=message),
        ],
        render_kw={"min": 1, "max": MAX_SLA_DAYS, "inputmode": "numeric"},
    )


class SettingsForm(FlaskForm):
    """The organisation's name, its risk appetite on the 5 x 5 grid (likelihood x impact)
    and the finding SLA (days to fix by severity)."""

    organisation_name = StringField(
        "Organisation name",
        validators=[DataRequired(message="Type the organisation's name.")],
        filters=[lambda s: _clean(s, 200)],
        render_kw={"maxlength": 200},
    )
    low_max = _threshold("Low up to", "Cells whose likelihood × impact is at most this are low.")
    medium_max = _threshold("Medium up to", "Above low and at most this: medium.")
    high_max = _threshold("High up to", "Above medium and at most this: high; above it: critical.")
    sla_critical_days = _sla_days("critical")
    sla_high_days = _sla_days("high")
    sla_medium_days = _sla_days("medium")
    sla_low_days = _sla_days("low")

    def sla_values(self) -> dict[str, int | None]:
        """The SLA being edited, as findings.set_sla takes it (severity -> days)."""
        return {key: self[f"sla_{key}_days"].data for key in SEVERITIES}
