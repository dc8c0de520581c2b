"""The report schedule form: it renders the fields and keeps what was typed;
app.services.reporting validates them and says why.

Field names are the keys the service reads (and reports errors under).
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectField, StringField, TextAreaField

from app.connections.forms import Required, choices
from app.mitigations.forms import ServiceForm
from app.models.report import CADENCES, REPORT_KINDS

CRON_HELP = (
    "Only for the “Cron expression” cadence: crontab “minute hour day month weekday”, "
    "at most hourly, e.g. “0 7 * * mon” (Mondays 07:00) in the timezone below."
)


class ScheduleForm(ServiceForm):
    """When which report goes to whom. Supplier choices are set per request."""

    name = StringField(
        "Name",
        [Required()],
        render_kw={"maxlength": 120, "autocomplete": "off"},
        description="What people see in the archive and the e-mail, e.g. “Monthly board pack”.",
    )
    kind = SelectField(
        "Report",
        [Required()],
        choices=choices(REPORT_KINDS.items()),
        render_kw={"data-supplier-toggle": "supplier"},
    )
    supplier = SelectField(
        "Supplier",
        validate_choice=False,
        description="Only for the supplier assessment report: the supplier it is about.",
    )
    cadence = SelectField(
        "Cadence",
        [Required()],
        choices=choices(CADENCES.items()),
        render_kw={"data-reveal": "cron", "data-reveal-value": "cron"},
        description="Times are in the schedule's timezone.",
    )
    cron = StringField(
        "Cron expression",
        render_kw={
            "maxlength": 100,
            "autocomplete": "off",
            "spellcheck": "false",
            "placeholder": "0 7 * * mon",
        },
        description=CRON_HELP,
    )
    timezone = StringField(
        "Timezone",
        [Required()],
        default="UTC",
        render_kw={
            "maxlength": 64,
            "autocomplete": "off",
            "list": "timezones",
            "spellcheck": "false",
        },
        description="A zoneinfo name such as Europe/Berlin or America/New_York; UTC by default.",
    )
    recipients = TextAreaField(
        "E-mail to",
        render_kw={"rows": 4, "maxlength": 5000, "spellcheck": "false"},
        description="One address per line (or separated by commas), at most 50. Leave empty "
        "to only archive the reports.",
    )
    active = BooleanField(
        "Active",
        default=True,
        description="Untick to pause the schedule; its archived reports stay.",
    )

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["active"] = bool(self.active.data)
        return data
