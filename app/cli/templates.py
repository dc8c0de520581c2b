"""flask template sync | import FILE | export KEY [--version N] --out FILE | list.

`sync` loads the shipped questionnaires/templates/*.yaml (published; running it again
changes nothing). A refused template prints one line per problem with its path, then a
summary, and exits 1 with nothing saved.
"""

from __future__ import annotations

from pathlib import Path

import click

from app.extensions import db
from app.services import Actor, ServiceError
from app.services import templates as service


def _refuse(exc: ServiceError) -> None:
    db.session.rollback()
    for path, message in getattr(exc, "problems", []):
        click.echo(f"{path}: {message}", err=True)
    raise click.ClickException(exc.message)


def register(app) -> None:
    @app.cli.group("template")
    def template_group():
        """Questionnaire templates: load the shipped ones, import, export and list."""

    @template_group.command("sync")
    def sync_command() -> None:
        """Load the shipped templates (questionnaires/templates/*.yaml), published."""
        try:
            results = service.sync_shipped(db.session, Actor.system("cli"))
            db.session.commit()
        except ServiceError as exc:
            _refuse(exc)
        for name, result in results:
            click.echo(f"{name}: {result.summary()}")

    @template_group.command("import")
    @click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
    @click.option("--publish", is_flag=True, help="Publish the imported version.")
    def import_command(path: Path, publish: bool) -> None:
        """Import a template from a YAML FILE (a new key creates a template)."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        try:
            result = service.import_yaml(
                db.session,
                Actor.system("cli"),
                data,
                publish_it=publish,
                source=f"file {path.name}",
            )
            db.session.commit()
        except ServiceError as exc:
            _refuse(exc)
        status = service.VERSION_STATUSES[result.version.status].lower()
        click.echo(f"{result.summary()} Version {result.version.number} is {status}.")

    @template_group.command("export")
    @click.argument("key")
    @click.option(
        "--version",
        "number",
        type=click.IntRange(min=1),
        help="Version number (default: the latest).",
    )
    @click.option("--out", required=True, help="File to write, or - for standard output.")
    def export_command(key: str, number: int | None, out: str) -> None:
        """Export version N (default: the latest) of template KEY as YAML."""
        version = service.find_version(db.session, key, number)
        if version is None:
            which = f"version {number} of " if number else ""
            raise click.ClickException(f"There is no {which}template {key!r}.")
        text = service.export_yaml(version)
        try:
            with click.open_file(out, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise click.ClickException(f"Cannot write {out}: {exc.strerror or exc}.") from exc
        if out != "-":
            click.echo(f"Exported {key} version {version.number} to {out}.")

    @template_group.command("list")
    def list_command() -> None:
        """List the templates with their latest and published versions."""
        rows = service.list_templates(db.session)
        if not rows:
            click.echo("No templates yet: run `flask template sync` to load the shipped ones.")
        for row in rows:
            latest, published = row.latest, row.published
            sent = f"sent as v{published.number}" if published else "not published"
            click.echo(
                f"{row.template.key}\t{row.template.name}\tv{latest.number if latest else '-'} "
                f"{latest.status if latest else ''}\t{latest.question_count if latest else 0} "
                f"questions\t{sent}\t{sum(row.uses.values())} assessments"
            )
