"""Storing uploaded files safely: size limit, type from the content, outside static/.

Files are written under CHAINLIGHT_UPLOAD_DIR (default instance/uploads) with a random
name; the original name is kept only as metadata and for a safe download name. Types
are decided from the bytes (magic numbers via `filetype`, or plain UTF-8 text), never
from the name or the browser's Content-Type, and must be in ALLOWED.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from sqlalchemy.orm import Session

from app.models import StoredFile
from app.services import Actor, ServiceError

# detected MIME type -> (extension used for downloads, human name)
ALLOWED: dict[str, tuple[str, str]] = {
    "application/pdf": ("pdf", "PDF"),
    "image/png": ("png", "PNG image"),
    "image/jpeg": ("jpg", "JPEG image"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel workbook"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "docx",
        "Word document",
    ),
    "text/plain": ("txt", "text file"),
    "text/csv": ("csv", "CSV file"),
}
ALLOWED_TEXT = "PDF, PNG, JPEG, XLSX, DOCX, CSV or TXT"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the web layer received it."""

    filename: str
    data: bytes


def detect_type(data: bytes, filename: str = "") -> str | None:
    """The MIME type read from the content, or None when it is not one we accept."""
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED else None
    if b"\x00" in data[:8192]:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/csv" if filename.lower().endswith(".csv") else "text/plain"


def safe_name(filename: str, mime: str) -> str:
    """A download name: the original stem (letters, digits, -_. and spaces), our extension."""
    stem = Path(filename or "file").stem
    cleaned = "".join(ch for ch in stem if ch.isalnum() or ch in " -_.").strip(" .")[:100]
    return f"{cleaned or 'file'}.{ALLOWED[mime][0]}"


def _path(root: Path, key: str) -> Path:
    return root / key[:2] / key[2:4] / key


def store(
    session: Session,
    actor: Actor,
    upload: Upload,
    *,
    root: Path,
    supplier_id: int | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> StoredFile:
    """Check and save an upload; ServiceError says why a file is refused. Flushes."""
    if not upload.data:
        raise ServiceError("The file is empty.", {"file": "The file is empty."})
    if len(upload.data) > max_bytes:
        limit = f"{max_bytes / 1024 / 1024:.0f} MB"
        raise ServiceError(f"The file is larger than {limit}.", {"file": f"At most {limit}."})
    mime = detect_type(upload.data, upload.filename)
    if mime is None:
        message = f"This kind of file is not accepted; upload {ALLOWED_TEXT}."
        raise ServiceError(message, {"file": message})
    key = secrets.token_hex(20)
    path = _path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload.data)
    stored = StoredFile(
        storage_key=key,
        original_name=safe_name(upload.filename, mime),
        content_type=mime,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        supplier_id=supplier_id,
        uploaded_by_id=actor.user_id,
    )
    session.add(stored)
    session.flush()
    return stored


def read(stored: StoredFile, root: Path) -> bytes:
    """The bytes of a stored file (FileNotFoundError if the storage lost it)."""
    return _path(root, stored.storage_key).read_bytes()


def path_of(stored: StoredFile, root: Path) -> Path:
    return _path(root, stored.storage_key)
