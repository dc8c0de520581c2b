"""Telling people about findings: an e-mail when a mail server is configured.

A message that cannot be sent is logged and never undoes the change that prompted it;
jobs and requests go on. Links are absolute, under CHAINLIGHT_BASE_URL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from flask import current_app

from app.models import Finding, User
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


T = TypeVar("T")


def owner_digests(
    items: Iterable[T],
    *,
    owner: Callable[[T], User | None],
    subject: Callable[[int], str],
    heading: Callable[[int], str],
    lines: Callable[[T], list[str]],
    footer: tuple[str, ...] = (),
) -> list[T]:
    """E-mail each active owner one message listing their items; returns the items that were
    in a message actually sent (the caller marks them reminded)."""
    groups: dict[int, list[T]] = defaultdict(list)
    for item in items:
        person = owner(item)
        if person is not None and person.active:
            groups[person.id].append(item)
    sent: list[T] = []
    for group in groups.values():
        body = [heading(len(group)), ""]
        for item in group:
            body += lines(item)
        body += list(footer)
        if send([owner(group[0]).email], subject(len(group)), body):
            sent += group
    return sent
