"""Telling people about findings: an e-mail when a mail server is configured.

A message that cannot be sent is logged and never undoes the change that prompted it;
jobs and requests go on. Links are absolute, under CHAINLIGHT_BASE_URL.
"""

from __future__ import annotations

from flask import current_app

from app.models import Finding
from app.services import mail


def finding_url(finding: Finding, portal: bool = False) -> str:
    """The finding's page for staff, or in the supplier portal."""
    base = current_app.config.get("CHAINLIGHT_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/portal/findings/{finding.id}" if portal else f"{base}/findings/{finding.id}"


def send(recipients: list[str], subject: str, lines: list[str]) -> bool:
    """Send when mail is configured; False (logged) when not sent, never an exception."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return False
    body = "\n".join([*lines, "", "— Chainlight"])
    try:
        return mail.send(recipients, mail.Email(subject=" ".join(subject.split())[:200], body=body))
    except mail.MailError as exc:
        current_app.logger.warning("Finding notice to %s not sent: %s", recipients, exc)
        return False
