"""flask create-user EMAIL --role ROLE [--supplier ID] [--password-stdin]."""

from __future__ import annotations

import sys

import click

from app.extensions import db
from app.services import Actor, ServiceError
from app.services.users import create_user
from risk_models.vocab import ROLES


def register(app) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", required=True, type=click.Choice(list(ROLES)), help="The user's role.")
    @click.option("--supplier", "supplier_id", type=int, help="Supplier id (supplier role only).")
    @click.option("--name", default="", help="Display name.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create_user_command(email, role, supplier_id, name, password_stdin):
        """Create a user; asks for the password unless --password-stdin is given."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = create_user(
                db.session,
                Actor.system("cli"),
                email=email,
                role=role,
                password=password,
                name=name,
                supplier_id=supplier_id,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        click.echo(f"Created {user.email} ({role}) with id {user.id}.")
