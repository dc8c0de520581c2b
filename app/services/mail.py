"""Outgoing e-mail through Flask-Mail, only when MAIL_SERVER is configured.

Without a mail server nothing is sent and `send` returns False: the analyst copies the
link from the page instead. A configured server that fails raises MailError, which the
caller reports without undoing the change that prompted the message.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass

from flask import current_app
from flask_mail import Connection, Message

from app.extensions import mail

TIMEOUT_SECONDS = 15


class MailError(RuntimeError):
    """The mail server refused or could not be reached; str(exc) says why."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


def enabled() -> bool:
    """True when a mail server is configured."""
    return bool(current_app.config.get("MAIL_SERVER"))


class _Connection(Connection):
    """Flask-Mail's connection with a timeout, so a silent server cannot hang a request."""

    def configure_host(self) -> smtplib.SMTP:
        m = self.mail
        smtp = smtplib.SMTP_SSL if m.use_ssl else smtplib.SMTP
        host = smtp(m.server, m.port, timeout=TIMEOUT_SECONDS)
        if m.use_tls:
            host.starttls()
        if m.username and m.password:
            host.login(m.username, m.password)
        return host


def send(recipients: list[str], email: Email) -> bool:
    """Send `email`; False when no server is configured, MailError when sending failed."""
    if not enabled():
        return False
    # Settings are read now, not at start-up, so a changed configuration takes effect.
    state = mail.init_mail(current_app.config, current_app.debug, current_app.testing)
    message = Message(
        subject=email.subject,
        recipients=recipients,
        body=email.body,
        sender=current_app.config.get("MAIL_DEFAULT_SENDER") or "chainlight@localhost",
    )
    for item in email.attachments:
        message.attach(item.filename, item.content_type, item.data)
    try:
        with _Connection(state) as connection:
            message.send(connection)
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("Mail to %s failed: %s", recipients, exc)
        raise MailError(f"The mail server did not accept the message ({exc}).") from exc
    return True


def _one_line(text: str) -> str:
    """Header-safe text: no line breaks in a subject."""
    return " ".join(text.split())


def invitation_email(
    *,
    link: str,
    org_name: str,
    supplier_name: str,
    questionnaire: str,
    due_on: dt.date,
    expires_at: dt.datetime,
    message: str = "",
) -> Email:
    """The invitation text: who asks, what for, by when, the link and how long it works."""
    lines = [
        "Hello,",
        "",
        f"{org_name} asks {supplier_name} to complete the questionnaire "
        f"“{questionnaire}” by {due_on.isoformat()}.",
    ]
    if message.strip():
        lines += ["", "Message from your contact:", message.strip()]
    lines += [
        "",
        "Open this link to set your password and start:",
        link,
        "",
        f"The link works once and until {expires_at.strftime('%Y-%m-%d %H:%M')} UTC. "
        "Do not forward it: it opens an account for this e-mail address.",
        "Your answers are saved as you go, so you can stop and come back at any time.",
        "",
        f"— {org_name}, via Chainlight",
    ]
    subject = _one_line(f"{org_name}: questionnaire “{questionnaire}” for {supplier_name}")
    return Email(subject=subject[:200], body="\n".join(lines))
