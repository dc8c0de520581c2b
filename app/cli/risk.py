"""flask risk recompute [--supplier ID_OR_CODE ...] and flask risk show ID_OR_CODE.

`recompute` scores the live suppliers (all, or the ones named) and stores a snapshot for
each one whose inputs changed since its last; running it twice writes nothing the second
time. `show` prints a supplier's current score, explained step by step, and how it moved.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import Supplier
from app.services import risk, risk_views

risk_cli = AppGroup("risk", help="Score suppliers and explain their risk.")


def _resolve(keys: tuple[str, ...]) -> list[Supplier]:
    """The suppliers named by id or code; a clear error for an unknown or archived one."""
    found = []
    for key in keys:
        supplier = _find(key)
        if supplier.archived:
            raise click.ClickException(
                f"Supplier {supplier.code} is archived; archived suppliers are not scored."
            )
        found.append(supplier)
    return found


@risk_cli.command("recompute")
@click.option(
    "--supplier",
    "suppliers",
    multiple=True,
    metavar="ID_OR_CODE",
    help="Score only this supplier (repeat for several); default: every live supplier.",
)
def recompute_command(suppliers: tuple[str, ...]) -> None:
    """Score suppliers; store a snapshot for each one whose inputs changed."""
    ids = [s.id for s in _resolve(suppliers)] if suppliers else None
    result = risk.recompute(db.session, "recompute", ids)
    db.session.commit()
    noun = "supplier" if result.checked == 1 else "suppliers"
    click.echo(f"Scored {result.checked} {noun}; {result.changed} changed.")


@risk_cli.command("show")
@click.argument("supplier_key", metavar="SUPPLIER_ID_OR_CODE")
@click.option("--history", "limit", type=click.IntRange(0, 500), default=5, show_default=True)
def show_command(supplier_key: str, limit: int) -> None:
    """Print a supplier's current score, explained step by step, and its recent history."""
    supplier = _find(supplier_key)
    click.echo(f"{supplier.code}  {supplier.legal_name}")
    snapshot = risk.current(db.session, supplier.id)
    if snapshot is None:
        click.echo(f"Not scored yet. Run: flask --app wsgi risk recompute --supplier {supplier.id}")
        return
    card = risk_views.card(db.session, supplier.id)
    click.echo(
        f"{card.tier_label}; residual {card.score_text}/{risk_views.MAX_SCORE}, band "
        f"{card.band_label}; computed {card.computed_at:%Y-%m-%d %H:%M} UTC "
        f"({card.trigger_label})"
    )
    for line in risk_views.explain_lines(snapshot.result):
        click.echo(line)
    if limit:
        click.echo("History (newest first):")
        for row in risk_views.history(db.session, supplier.id, limit):
            click.echo(
                f"  {row.computed_at:%Y-%m-%d %H:%M}  {row.trigger_label:<22} tier {row.tier}  "
                f"{row.band_label:<8} {row.score_text:>5}"
            )
            for sentence in row.moved:
                click.echo(f"      {sentence}")


def _find(key: str) -> Supplier:
    supplier = risk_views.find_supplier(db.session, key)
    if supplier is None:
        raise click.ClickException(f"Unknown supplier: {key!r} (give an id or a code).")
    return supplier


def register(app) -> None:
    app.cli.add_command(risk_cli)
