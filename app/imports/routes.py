"""Import (admins, analysts) and export (all staff) of the supplier and connection lists."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import (
    Response,
    current_app,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import db
from app.imports import bp
from app.imports.forms import ImportForm
from app.main.errors import MESSAGES
from app.security import EDITORS, STAFF, current_actor, roles_allowed
from app.services.exporting import export_list
from app.services.import_formats import FORMATS
from app.services.importing import run_import
from app.services.tabular import MAX_ROWS

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def _page(template: str, status: int = 200, **context):
    return render_template(template, limit=_limit_text(), max_rows=MAX_ROWS, **context), status


def _limit_text() -> str:
    limit = current_app.config.get("CHAINLIGHT_MAX_FILE_BYTES")
    if not limit:
        return "no size limit"
    return f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


@bp.app_template_global()
def export_url(kind: str, fmt: str) -> str:
    """The export of `kind` as `fmt` with the current page's list filters (for list pages)."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    query = urlencode(args, doseq=True)
    return url_for("imports.export", kind=kind, fmt=fmt) + (f"?{query}" if query else "")


@bp.route("/", methods=["GET", "POST"])
@roles_allowed(*EDITORS)
def index():
    """Upload a suppliers or connections file; show the counts or every bad row."""
    form = ImportForm()
    if not form.validate_on_submit():
        if request.method == "GET" and request.args.get("kind") in FORMATS:
            form.kind.data = request.args["kind"]
        return _page("imports/index.html", form=form)
    upload = form.file.data
    result = run_import(
        db.session,
        current_actor(),
        form.kind.data,
        upload.read(),
        upload.filename or "",
        dry_run=form.dry_run.data,
        max_bytes=current_app.config.get("CHAINLIGHT_MAX_FILE_BYTES"),
    )
    if result.ok and not result.dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    retry = ImportForm(formdata=None, kind=form.kind.data, dry_run=form.dry_run.data)
    return _page("imports/result.html", result=result, form=retry)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    """An upload over MAX_CONTENT_LENGTH: say so on the form rather than on an error page."""
    if not current_user.is_authenticated or current_user.role not in EDITORS:
        return render_template("errors/error.html", code=413, message=MESSAGES[413]), 413
    form = ImportForm(formdata=None)
    form.file.errors = [
        f"The file is larger than the upload limit of {_limit_text()}. Split it into smaller "
        "files and import them one after the other."
    ]
    return _page("imports/index.html", 413, form=form)


@bp.route("/format")
@roles_allowed(*EDITORS)
def format_help():
    """The columns of each import file, their other accepted names and values."""
    return _page("imports/format.html", formats=FORMATS)


@bp.route("/samples/<any(suppliers, connections):kind>.csv")
@roles_allowed(*EDITORS)
def sample(kind: str):
    """A sample file in the format of an ERP vendor-master export."""
    return send_file(
        SAMPLES / f"{kind}.csv",
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"chainlight-sample-{kind}.csv",
    )


@bp.route("/export/<any(suppliers, connections):kind>.<any(csv, xlsx):fmt>")
@roles_allowed(*STAFF)
def export(kind: str, fmt: str):
    """What the supplier or connection list shows for these query arguments, every page."""
    exported = export_list(db.session, current_actor(), kind, fmt, request.args)
    db.session.commit()
    body = exported.body
    if not isinstance(body, bytes):
        body = stream_with_context(body)
    response = Response(body, content_type=exported.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
