"""The organisation's settings (admins only): its name, its risk appetite and the finding SLA.

GET shows the saved values with a preview of the 5 x 5 grid they colour; POST either
previews the thresholds being edited ("Preview") or saves them through
app.services.risk.set_appetite, which validates, records the audit event and re-bands
every supplier, and the SLA (days to fix by severity) through
app.services.findings.set_sla, in one transaction. Refused input re-renders the page with
the reasons next to the fields and saves nothing.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from app.admin import bp
from app.admin.forms import SettingsForm
from app.extensions import db
from app.main.helpers import forget_org_name
from app.security import current_actor, roles_allowed
from app.services import ServiceError, findings, risk, risk_views
from risk_models.types import Appetite

THRESHOLDS = ("low_max", "medium_max", "high_max")


def _posted_appetite(form: SettingsForm) -> Appetite | None:
    """The thresholds being edited, when they make a usable appetite."""
    values = [form[name].data for name in THRESHOLDS]
    if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
        return None
    candidate = Appetite(*values)
    return None if candidate.problems() else candidate


def _render(form: SettingsForm, saved: Appetite, preview: Appetite | None):
    shown = preview or saved
    return render_template(
        "admin/settings.html",
        form=form,
        grid=risk_views.appetite_grid(shown),
        previewing=preview is not None and preview != saved,
        preview_invalid=preview is None and request.method == "POST",
        saved=saved,
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles_allowed("admin")
def settings():
    """Show or change the organisation's name, risk appetite and finding SLA."""
    row = risk.settings(db.session, current_app.config["CHAINLIGHT_ORG_NAME"])
    saved = Appetite(row.appetite_low_max, row.appetite_medium_max, row.appetite_high_max)
    if request.method == "GET":
        form = SettingsForm(formdata=None, obj=row)
        form.low_max.data, form.medium_max.data, form.high_max.data = (
            saved.low_max,
            saved.medium_max,
            saved.high_max,
        )
        for key, days in findings.sla_days(db.session).items():
            form[f"sla_{key}_days"].data = days
        return _render(form, saved, saved)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _render(form, saved, _posted_appetite(form))
    new = _posted_appetite(form)
    if new is None:  # whole numbers in range, but not rising
        problem = Appetite(*(form[n].data for n in THRESHOLDS)).problems()[0]
        form.form_errors.append(problem)
        form.high_max.errors = [*form.high_max.errors, problem]
        return _render(form, saved, None)
    if request.form.get("action") == "preview":
        return _render(form, saved, new)
    actor = current_actor()
    sla_before = findings.sla_days(db.session)
    try:
        # The SLA first: it only validates and writes one row, so a refusal there costs
        # nothing; the appetite then re-bands every supplier. Either refusal undoes both.
        sla = findings.set_sla(db.session, actor, form.sla_values())
        result = risk.set_appetite(db.session, actor, new, form.organisation_name.data)
    except ServiceError as exc:
        db.session.rollback()
        for key, message in exc.errors.items():
            name = f"sla_{key}_days" if f"sla_{key}_days" in form else key
            if name in form:
                form[name].errors = [*form[name].errors, message]
        form.form_errors.append(exc.message)
        return _render(form, saved, new)
    db.session.commit()
    forget_org_name(current_app)
    moved = result.rebanded
    if result.checked:
        noun = "supplier" if moved == 1 else "suppliers"
        flash(
            f"Settings saved. Every supplier was banded again: {moved} {noun} changed band.",
            "success",
        )
    else:
        flash("Settings saved.", "success")
    if sla != sla_before:
        flash(
            "The new finding SLA applies to findings opened from now on; open findings keep "
            "their due dates.",
            "info",
        )
    return redirect(url_for("admin.settings"))
