"""flask import suppliers|connections FILE [--dry-run]; flask export suppliers|connections.

Import checks every row first and saves nothing if any is bad: it prints each bad
row (line, column, reason) and exits 1 with a one-line summary. Export writes the
list in the import format, so the file can be edited and imported back.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from app.extensions import db
from app.services import Actor
from app.services.exporting import export_list
from app.services.importing import run_import

KINDS = ("suppliers", "connections")


def _read(path: Path, limit: int | None) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1 if limit else -1)
    except OSError as exc:
        raise click.ClickException(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def _import(kind: str, path: Path, dry_run: bool) -> None:
    limit = current_app.config.get("CHAINLIGHT_MAX_FILE_BYTES")
    result = run_import(
        db.session,
        Actor.system("cli"),
        kind,
        _read(path, limit),
        path.name,
        dry_run=dry_run,
        max_bytes=limit,
    )
    if result.ok and not dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    for notice in result.notices:
        click.echo(f"Note: {notice}", err=True)
    if result.ok:
        click.echo(result.summary())
        return
    for e in result.errors:
        value = f" [{e.value}]" if e.value else ""
        click.echo(f"line {e.line}, {e.column}{value}: {e.message}", err=True)
    if result.problem and result.errors:
        click.echo(result.problem, err=True)
    raise click.ClickException(result.summary())


def _export(kind: str, fmt: str | None, out: str, archived: bool) -> None:
    fmt = fmt or ("xlsx" if out.lower().endswith(".xlsx") else "csv")
    if fmt == "xlsx" and out == "-":
        raise click.ClickException("An XLSX export needs a file name for --out, not '-'.")
    args = {"archived": "1"} if archived else {}
    exported = export_list(db.session, Actor.system("cli"), kind, fmt, args)
    try:
        handle = click.open_file(out, "wb")
        with handle:
            if isinstance(exported.body, bytes):
                handle.write(exported.body)
            else:
                for chunk in exported.body:
                    handle.write(chunk)
    except OSError as exc:
        db.session.rollback()
        raise click.ClickException(f"Cannot write {out}: {exc.strerror or exc}.") from exc
    db.session.commit()
    where = "standard output" if out == "-" else out
    what = kind if exported.rows != 1 else kind.removesuffix("s")
    click.echo(f"Exported {exported.rows} {what} to {where}.", err=out == "-")


def register(app) -> None:
    @app.cli.group("import")
    def import_group():
        """Import suppliers or connections from CSV or XLSX (all rows checked first)."""

    @app.cli.group("export")
    def export_group():
        """Export suppliers or connections to CSV or XLSX, in the import format."""

    for kind in KINDS:

        @import_group.command(kind, help=f"Import {kind} from FILE (CSV or XLSX).")
        @click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
        @click.option("--dry-run", is_flag=True, help="Check the file and report; save nothing.")
        def import_command(path: Path, dry_run: bool, kind: str = kind) -> None:
            _import(kind, path, dry_run)

        @export_group.command(kind, help=f"Export the {kind} list (not archived) to a file.")
        @click.option(
            "--format",
            "fmt",
            type=click.Choice(["csv", "xlsx"]),
            help="File format (default: from the --out extension, else csv).",
        )
        @click.option("--out", required=True, help="File to write, or - for standard output.")
        @click.option("--archived", is_flag=True, help="Export the archived records instead.")
        def export_command(fmt: str | None, out: str, archived: bool, kind: str = kind) -> None:
            _export(kind, fmt, out, archived)
