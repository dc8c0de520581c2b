"""flask report generate --kind portfolio|supplier [--supplier ID_OR_CODE] --out FILE.

Gathers the report's data (app.services.report_data), builds the PDF (reports/) and writes
it, then prints the path, the number of pages and the size. `--previous-facts` compares a
portfolio report with the facts an earlier run saved with `--facts-out`, so the CLI can list
changes since the last report too. Bad input exits non-zero with one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.services import ServiceError, report_data, risk, risk_views
from reports import REPORT_KINDS

report_cli = AppGroup("report", help="PDF risk reports.")


def _writable(path: Path) -> Path:
    """The output path, refused early (before any work) when it cannot be written."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise click.ClickException(f"{path} is a directory; give a file name.")
    if not folder.is_dir():
        raise click.ClickException(f"Cannot write {path}: no such directory {folder}.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise click.ClickException(f"Cannot write {path}: permission denied.")
    return path


def _write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so a failure leaves no half file."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}.") from None


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


@report_cli.command("generate")
@click.option("--kind", required=True, help=f"One of: {', '.join(REPORT_KINDS)}.")
@click.option("--supplier", "supplier_key", metavar="ID_OR_CODE", help="For --kind supplier.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="PDF file.")
@click.option("--period-start", type=click.DateTime(["%Y-%m-%d"]), help="Default: 30 days back.")
@click.option("--period-end", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option(
    "--previous-facts",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Facts JSON of an earlier portfolio run (for 'changes since the last report').",
)
@click.option(
    "--facts-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this run's facts (JSON) here, for the next run's --previous-facts.",
)
def generate_command(
    kind: str,
    supplier_key: str | None,
    out: Path,
    period_start: dt.datetime | None,
    period_end: dt.datetime | None,
    previous_facts: Path | None,
    facts_out: Path | None,
) -> None:
    """Build a PDF report and write it to --out."""
    if kind not in REPORT_KINDS:
        raise click.ClickException(
            f"Unknown kind {kind!r}: choose one of {', '.join(REPORT_KINDS)}."
        )
    spec = REPORT_KINDS[kind]
    if spec.needs_supplier and not supplier_key:
        raise click.ClickException(f"A {kind} report needs --supplier ID_OR_CODE.")
    if not spec.needs_supplier and supplier_key:
        raise click.ClickException(f"--supplier applies to supplier reports, not {kind}.")
    out = _writable(out)
    if facts_out is not None:
        facts_out = _writable(facts_out)
    previous = None
    if previous_facts is not None:
        try:
            previous = json.loads(previous_facts.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"Cannot read {previous_facts}: {exc}") from None
    supplier_id = None
    if supplier_key:
        supplier = risk_views.find_supplier(db.session, supplier_key)
        if supplier is None:
            raise click.ClickException(
                f"Unknown supplier: {supplier_key!r} (give an id or a code)."
            )
        supplier_id = supplier.id
    org_name = risk.organisation_name(db.session) or current_app.config["CHAINLIGHT_ORG_NAME"]
    try:
        result = report_data.render(
            db.session,
            kind,
            org_name=org_name,
            today=dt.date.today(),
            supplier_id=supplier_id,
            period_start=period_start.date() if period_start else None,
            period_end=period_end.date() if period_end else None,
            previous_facts=previous,
        )
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        db.session.rollback()  # a report only reads
    _write(out, result.pdf)
    if facts_out is not None and result.facts is not None:
        _write(facts_out, json.dumps(result.facts).encode())
    click.echo(f"{out}: {result.pages} pages, {_size(len(result.pdf))}")


def register(app) -> None:
    """Add `flask report` to the app."""
    app.cli.add_command(report_cli)
