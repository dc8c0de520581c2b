"""flask seed-demo [--if-empty] [--suppliers N] [--seed S] [--bulk/--audited].

Builds the demo manufacturing network with app.services.demo (idempotent): suppliers,
connections and users, then the catalogs, questionnaire templates, certificates and
assessments in every status, then findings in every remediation status. Prints what it
created and the demo logins. `make run` calls it with --if-empty on every start.
"""

from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import Actor, ServiceError
from app.services.demo import BULK_THRESHOLD, DEFAULT_SEED, MAX_SUPPLIERS, build_demo, demo_logins
from app.services.demo_data import DEMO_PASSWORD, SUPPLIERS


def print_logins(logins: list[tuple[str, str, str]]) -> None:
    """The table of demo logins (role, e-mail, bound supplier)."""
    if not logins:
        return
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    width = max(len(email) for _, email, _ in logins)
    for role, email, supplier in logins:
        line = f"  {role:<10} {email:<{width}}"
        click.echo(f"{line}  {supplier}".rstrip() if supplier else line.rstrip())


def register(app) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when any user already exists.")
    @click.option(
        "--suppliers",
        type=click.IntRange(1, MAX_SUPPLIERS),
        default=None,
        help=f"Total suppliers (default {len(SUPPLIERS)}, the curated network; more are "
        "generated with about three connections each).",
    )
    @click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
    @click.option(
        "--bulk/--audited",
        default=None,
        help=f"Write generated suppliers with batched inserts and one summary audit event "
        f"(default above {BULK_THRESHOLD} generated), or one audit event per row.",
    )
    def seed_demo(if_empty, suppliers, seed, bulk):
        """Create the demo network (idempotent) and print how to log in."""
        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("Users already exist; demo data not loaded.")
            print_logins(demo_logins(db.session))
            return
        try:
            result = build_demo(
                db.session, Actor.system("seed-demo"), suppliers=suppliers, seed=seed, bulk=bulk
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        if result.network_changed:
            how = " (generated suppliers in bulk, one audit event)" if result.bulk else ""
            click.echo(
                f"Created {result.suppliers} suppliers, {result.connections} connections, "
                f"{result.links} sub-supplier links and {result.users} users{how}."
            )
        if result.questionnaires.changed:
            click.echo(questionnaire_summary(result.questionnaires))
        if result.findings:
            click.echo(
                f"Findings: {_count(result.findings, 'finding')} worked through remediation "
                "(plans, evidence, risk acceptances)."
            )
        if result.reports:
            click.echo(
                "Reports: a monthly portfolio schedule, with last month's report archived "
                "(Reports in the menu)."
            )
        if not result.changed:
            click.echo("Demo data already present; nothing changed.")
        print_logins(result.logins)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def questionnaire_summary(q) -> str:
    """One line: what the questionnaire side of the demo added."""
    parts = []
    if q.controls:
        parts.append(f"{_count(q.controls, 'control')} synced")
    if q.templates:
        parts.append(f"{_count(q.templates, 'questionnaire template')} loaded")
    if q.certifications:
        parts.append(f"{_count(q.certifications, 'certificate')} added")
    if q.assessments or q.answers or q.evidence:
        parts.append(
            f"{_count(q.assessments, 'assessment')} with {_count(q.answers, 'answer')} and "
            f"{_count(q.evidence, 'evidence file')}"
        )
    return ("Questionnaires: " + "; ".join(parts) + ".") if parts else "Questionnaires: updated."
