"""Uploads and downloads of stored files for every blueprint: where they live, how large
they may be, reading one from the request, and sending one back safely."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file

from app.models import StoredFile
from app.services import files as file_store


def upload_root() -> Path:
    return Path(current_app.config["CHAINLIGHT_UPLOAD_DIR"])


def max_file_bytes() -> int:
    return current_app.config.get("CHAINLIGHT_MAX_FILE_BYTES") or file_store.DEFAULT_MAX_BYTES


def upload_from(storage) -> file_store.Upload | None:
    """The file a form field received (werkzeug FileStorage), or None when none was chosen."""
    if storage is None or isinstance(storage, str) or not getattr(storage, "filename", ""):
        return None
    return file_store.Upload(storage.filename or "", storage.read())


def send_stored(stored: StoredFile | None, missing: str = "The file is missing from storage."):
    """Send a stored file as an attachment with its safe name; 404 when it is gone.
    The caller has checked who may read it."""
    if stored is None:
        abort(404)
    path = file_store.path_of(stored, upload_root())
    if not path.is_file():
        abort(404, description=missing)
    response = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
