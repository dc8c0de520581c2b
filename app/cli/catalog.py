"""flask catalog sync | check | list: the control catalogs of questionnaires/catalogs/.

`sync` loads every catalog file, validates them together and upserts them; a bad file
stops it before anything is written, with one line naming the file and the path inside
it, and exit code 1. Running it again prints "0 added, 0 changed".
"""

from __future__ import annotations

from pathlib import Path

import click

from app.extensions import db
from app.services import Actor
from app.services import catalog as service
from questionnaires import catalog as files


def _load(directory: Path | None) -> files.CatalogSet:
    try:
        return files.load_directory(directory or files.DEFAULT_DIR)
    except files.CatalogError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from exc


def register(app) -> None:
    @app.cli.group("catalog")
    def catalog_group():
        """Control catalogs (CSF 2.0 GV.SC, SP 800-53r5 SR and overlay, ISO 28000) and crosswalk."""

    directory_option = click.option(
        "--dir",
        "directory",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder of catalog files (default: questionnaires/catalogs).",
    )

    @catalog_group.command("sync")
    @directory_option
    def sync_command(directory: Path | None) -> None:
        """Load the catalog files into the database (idempotent; removed controls are withdrawn)."""
        catalogs = _load(directory)
        result = service.sync_catalogs(db.session, Actor.system("cli"), catalogs)
        db.session.commit()
        click.echo(result.summary())

    @catalog_group.command("check")
    @directory_option
    def check_command(directory: Path | None) -> None:
        """Validate the catalog files without touching the database."""
        catalogs = _load(directory)
        total = sum(len(c.controls) for c in catalogs.catalogs)
        click.echo(
            f"Catalog files are valid: {len(catalogs.catalogs)} frameworks, {total} controls, "
            f"{len(catalogs.crosswalk)} crosswalk links."
        )

    @catalog_group.command("list")
    @click.option("--framework", help=f"Only this framework ({', '.join(files.FRAMEWORKS)}).")
    @click.option("--withdrawn", is_flag=True, help="Include withdrawn controls.")
    def list_command(framework: str | None, withdrawn: bool) -> None:
        """List the controls in the database, one a line: framework, identifier, title."""
        if framework is not None and framework not in files.FRAMEWORKS:
            click.echo(
                f"Error: unknown framework {framework!r}; use one of: "
                f"{', '.join(files.FRAMEWORKS)}.",
                err=True,
            )
            raise SystemExit(1)
        controls = service.list_controls(
            db.session, framework=framework, include_withdrawn=withdrawn
        )
        if not controls:
            click.echo("No controls loaded; run `flask --app wsgi catalog sync` first.", err=True)
            return
        for c in controls:
            mark = " [withdrawn]" if c.withdrawn else ""
            click.echo(f"{c.framework}\t{c.identifier}\t{c.title}{mark}")
        click.echo(f"{len(controls)} controls.", err=True)
