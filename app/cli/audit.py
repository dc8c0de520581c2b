"""flask audit verify: check the hash chain of the audit trail."""

from __future__ import annotations

import click

from app.extensions import db
from app.services.audit import verify_chain


def register(app) -> None:
    @app.cli.group("audit")
    def audit_group():
        """Audit trail commands."""

    @audit_group.command("verify")
    def verify_command():
        """Exit 0 when the chain is intact; otherwise name the first broken event and exit 1."""
        report = verify_chain(db.session)
        if report.ok:
            click.echo(f"Audit chain intact: {report.checked} events verified.")
            return
        click.echo(
            f"Audit chain broken at event {report.broken_id}: {report.reason} "
            f"({report.checked} events before it verified).",
            err=True,
        )
        raise SystemExit(1)
