"""The invitation landing page: a supplier contact opens the link, sets a password, and is in.

The visitor is not logged in yet, so the route is public; the token is the credential.
Any refusal (tampered, expired, withdrawn, used, closed, address of another account) is a
page that says why and changes nothing.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_security import login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired

from app.extensions import db
from app.portal import bp
from app.security import public
from app.services import ServiceError
from app.services import invitations as service
from app.services.users import MIN_PASSWORD

STATUS_BY_REASON = {"invalid": 404, "account": 409}


class AcceptForm(FlaskForm):
    """A new contact's name and password."""

    name = StringField("Your name (optional)", render_kw={"maxlength": 120, "autocomplete": "name"})
    password = PasswordField(
        "Choose a password",
        validators=[InputRequired(message="Choose a password.")],
        description=f"At least {MIN_PASSWORD} characters. A passphrase of a few words is easiest.",
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD, "maxlength": 128},
    )
    password_confirm = PasswordField(
        "Repeat the password",
        validators=[
            InputRequired(message="Repeat the password."),
            EqualTo("password", message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password", "maxlength": 128},
    )


class ContinueForm(FlaskForm):
    """An existing contact of the same supplier: one button, no password to set."""


def _no_leak(response):
    """The URL holds the token: never cache the page or send it on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(exc: service.InvitationError):
    page = render_template("portal/invite_refused.html", message=exc.message, reason=exc.reason)
    return _no_leak(current_app.make_response((page, STATUS_BY_REASON.get(exc.reason, 410))))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def invite(token: str):
    """Show the invitation, then create the account (or continue) and log the contact in."""
    if current_user.is_authenticated:
        page = render_template(
            "portal/invite_refused.html",
            reason="logged_in",
            message=(
                f"You are logged in as {current_user.email}. Log out first, then open the "
                "invitation link again."
            ),
        )
        return _no_leak(current_app.make_response((page, 403)))
    settings = service.InvitationSettings.from_config(current_app.config)
    try:
        opened = service.check(db.session, token, settings=settings)
    except service.InvitationError as exc:
        return _refused(exc)
    existing = opened.existing_user
    form = ContinueForm() if existing is not None else AcceptForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            user = service.accept(
                db.session,
                token,
                None if existing is not None else form.password.data,
                name="" if existing is not None else (form.name.data or ""),
                settings=settings,
                ip_address=request.remote_addr or "",
            )
        except service.InvitationError as exc:
            db.session.rollback()
            return _refused(exc)
        except ServiceError as exc:
            db.session.rollback()
            for key, message in exc.errors.items():
                field = form._fields.get(key)
                if field is None:
                    form.form_errors.append(message)
                else:
                    field.errors = [*field.errors, message]
            if not exc.errors:
                form.form_errors.append(exc.message)
        else:
            login_user(user, authn_via=["invitation"])
            db.session.commit()
            flash(
                "Welcome! Your answers are saved as you go."
                if existing is None
                else "Welcome back.",
                "success",
            )
            return redirect(url_for("portal.home"))
    page = render_template(
        "portal/invite.html",
        form=form,
        invitation=opened.invitation,
        assessment=opened.invitation.assessment,
        existing=existing,
    )
    return _no_leak(current_app.make_response(page))
