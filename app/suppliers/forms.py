"""The supplier form. It only collects input: app.services.suppliers validates it.

Select boxes do not check their choices and the date arrives as text, so one set of
rules (the service's, shared with the importer and the API) decides, and its messages
land next to the fields.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import EmailField, URLField
from wtforms.widgets import DateInput

from app.models import Supplier, User
from app.services import ServiceError
from app.services.suppliers import countries_by_name
from risk_models import vocab

FIELDS = [
    "code",
    "legal_name",
    "country",
    "category",
    "criticality",
    "single_source",
    "status",
    "owner",
    "website",
    "contact_email",
    "next_reassessment_on",
    "notes",
]


class Required:
    """Marks a field required in the page (asterisk, `required` attribute); the service checks."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def _options(pairs, prompt: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, after an empty prompt when given."""
    head = [SelectChoice("", prompt)] if prompt is not None else []
    return head + [SelectChoice(value, label) for value, label in pairs]


class SupplierForm(FlaskForm):
    """Every field of a supplier (design §3); sub-suppliers have their own page."""

    code = StringField(
        "Supplier code",
        [Required()],
        description="The vendor number in your ERP (letters, digits and . _ / -).",
        render_kw={"maxlength": 40, "autocomplete": "off", "spellcheck": "false"},
    )
    legal_name = StringField(
        "Legal name",
        [Required()],
        description="As registered, in any script (e.g. Công ty TNHH Thép Việt).",
        render_kw={"maxlength": 255},
    )
    country = SelectField("Country", [Required()], validate_choice=False)
    category = SelectField(
        "Category",
        [Required()],
        choices=_options(vocab.SUPPLIER_CATEGORIES.items(), "Choose a category…"),
        validate_choice=False,
    )
    criticality = SelectField(
        "Criticality",
        [Required()],
        choices=_options(vocab.CRITICALITIES.items(), "Choose a criticality…"),
        validate_choice=False,
    )
    single_source = BooleanField(
        "Single source",
        description="We have no qualified alternative for what this supplier provides.",
    )
    status = SelectField(
        "Status",
        choices=_options(vocab.SUPPLIER_STATUSES.items()),
        default="active",
        validate_choice=False,
    )
    owner = SelectField(
        "Owner", description="The analyst responsible for this supplier.", validate_choice=False
    )
    website = URLField("Website", render_kw={"maxlength": 255, "placeholder": "https://"})
    contact_email = EmailField("Contact e-mail", render_kw={"maxlength": 255})
    next_reassessment_on = StringField(
        "Next reassessment",
        widget=DateInput(),
        description="Leave empty when no reassessment is planned.",
    )
    notes = TextAreaField("Notes", render_kw={"rows": 4, "maxlength": 5000})
    submit = SubmitField("Save supplier")

    def __init__(self, *args: Any, owners: list[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _options(countries_by_name(), "Choose a country…")
        self.owner.choices = _options(
            ((str(u.id), f"{u.display_name} ({vocab.label(vocab.ROLES, u.role)})") for u in owners),
            "No owner yet",
        )

    @classmethod
    def for_supplier(cls, supplier: Supplier, owners: list[User]) -> SupplierForm:
        """A form filled from a stored supplier (request data wins when posted)."""
        data = {name: getattr(supplier, name) for name in FIELDS if hasattr(supplier, name)}
        data["owner"] = str(supplier.owner_id) if supplier.owner_id else ""
        day = supplier.next_reassessment_on
        data["next_reassessment_on"] = day.isoformat() if day else ""
        return cls(data=data, owners=owners)

    def service_data(self) -> dict[str, Any]:
        """The submitted values, keyed as the supplier service expects them."""
        return {name: self[name].data for name in FIELDS}

    def show_errors(self, error: ServiceError) -> None:
        """Put the service's messages next to their fields; others go on top of the form."""
        for name, message in error.errors.items():
            if name in FIELDS:
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(message)
        if not error.errors:
            self.form_errors.append(error.message)
