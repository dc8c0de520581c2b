"""flask seed-demo: demo users (the full manufacturing network lands with the demo-data work)."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import Actor
from app.services.users import create_user

DEMO_PASSWORD = "chainlight-demo"  # noqa: S105 - printed for the demo, documented in README
DEMO_USERS = [
    ("admin@demo.chainlight", "admin", "Ada Admin"),
    ("analyst@demo.chainlight", "analyst", "Ana Analyst"),
    ("exec@demo.chainlight", "executive", "Eli Executive"),
]


def register(app) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when users already exist.")
    def seed_demo(if_empty):
        """Create demo data (idempotent) and print how to log in."""
        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("Demo data already present.")
            return
        actor = Actor.system("seed-demo")
        for email, role, name in DEMO_USERS:
            if db.session.scalar(select(User.id).where(User.email == email)) is None:
                create_user(
                    db.session, actor, email=email, role=role, password=DEMO_PASSWORD, name=name
                )
        db.session.commit()
        click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, role, _ in DEMO_USERS:
            click.echo(f"  {role:<10} {email}")
