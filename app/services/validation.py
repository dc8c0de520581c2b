"""Field parsers shared by forms, the importer and the API.

Each parser takes a raw value (a string from a CSV cell or form, or an already
typed value) and returns the clean value or raises FieldError with a message a
person can act on.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import pycountry

from app.models.text import normalise


class FieldError(ValueError):
    """A value was refused; str(exc) says why."""


MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger number names no record
CONTROL_MESSAGE = "Remove the invisible control characters from this text."


def has_control_chars(value: Any) -> bool:
    """True for text holding control characters other than tab and line breaks.

    PostgreSQL refuses NUL in text outright, so such input must stop here, not at flush.
    """
    return isinstance(value, str) and any(
        (ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in value
    )


def record_id(raw: Any) -> int | None:
    """A positive database id from an int or a string of ASCII digits, else None."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    text_ = str(raw).strip()
    if text_.isascii() and text_.isdigit() and 0 < int(text_) <= MAX_ID:
        return int(text_)
    return None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def text(value: Any, *, max_len: int, required: bool = False) -> str:
    """Trimmed, NFC-normalised text of at most max_len characters."""
    if blank(value):
        if required:
            raise FieldError("This field is required.")
        return ""
    if has_control_chars(value):
        raise FieldError(CONTROL_MESSAGE)
    cleaned = normalise(str(value))
    if len(cleaned) > max_len:
        raise FieldError(f"At most {max_len} characters (got {len(cleaned)}).")
    return cleaned


def long_text(value: Any, *, max_len: int = 5000, required: bool = False) -> str:
    """Multi-line text: keep line breaks (NFC-normalised), trim the ends."""
    if blank(value):
        if required:
            raise FieldError("This field is required.")
        return ""
    if has_control_chars(value):
        raise FieldError(CONTROL_MESSAGE)
    cleaned = unicodedata.normalize("NFC", str(value).replace("\r\n", "\n")).strip()
    if len(cleaned) > max_len:
        raise FieldError(f"At most {max_len} characters (got {len(cleaned)}).")
    return cleaned


def code(value: Any) -> str:
    """A supplier code as the ERP vendor master has it (letters, digits, . _ / -)."""
    cleaned = text(value, max_len=40, required=True)
    if not _CODE.match(cleaned):
        raise FieldError("Use letters, digits and . _ / - only, starting with a letter or digit.")
    return cleaned.upper()


def choice(
    value: Any, vocabulary: dict[str, str], *, required: bool = True, default: str | None = None
) -> str | None:
    """A vocabulary value, given as the value or its label (case-insensitive)."""
    if blank(value):
        if required and default is None:
            raise FieldError("This field is required.")
        return default
    needle = str(value).strip().casefold()
    for key, label in vocabulary.items():
        if needle in (key.casefold(), label.casefold()):
            return key
    allowed = ", ".join(vocabulary)
    raise FieldError(f"Unknown value {str(value)[:40]!r}; use one of: {allowed}.")


def choices(value: Any, vocabulary: dict[str, str], *, required: bool = False) -> list[str]:
    """Several vocabulary values: a list, or text separated by ; , or |."""
    if blank(value) or value == []:
        if required:
            raise FieldError("Choose at least one.")
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[;,|]", str(value))
    result: list[str] = []
    for item in items:
        if blank(item):
            continue
        key = choice(item, vocabulary)
        if key not in result:
            result.append(key)
    if required and not result:
        raise FieldError("Choose at least one.")
    return result


def boolean(value: Any, *, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if blank(value):
        return default
    raw = str(value).strip().casefold()
    if raw in {"1", "true", "yes", "y", "x", "ja", "oui"}:
        return True
    if raw in {"0", "false", "no", "n", "nein", "non"}:
        return False
    raise FieldError(f"Use yes or no (got {str(value)[:20]!r}).")


def date(
    value: Any,
    *,
    required: bool = False,
    not_before: dt.date | None = None,
    not_after: dt.date | None = None,
) -> dt.date | None:
    """An ISO date (YYYY-MM-DD); Excel cells arrive as dates already."""
    if blank(value):
        if required:
            raise FieldError("This field is required.")
        return None
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    else:
        try:
            result = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError as exc:
            raise FieldError(f"Not a date: {str(value)[:20]!r}; use YYYY-MM-DD.") from exc
    if not_before is not None and result < not_before:
        raise FieldError(f"Must not be before {not_before.isoformat()}.")
    if not_after is not None and result > not_after:
        raise FieldError(f"Must not be after {not_after.isoformat()}.")
    return result


def email(value: Any, *, required: bool = False) -> str:
    cleaned = text(value, max_len=255, required=required)
    if cleaned and not _EMAIL.match(cleaned):
        raise FieldError(f"Not an e-mail address: {cleaned[:40]!r}.")
    return cleaned.lower()


def url(value: Any) -> str:
    cleaned = text(value, max_len=255)
    if cleaned and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", cleaned, re.IGNORECASE):
        raise FieldError("Use a full address starting with http:// or https://.")
    return cleaned


def country(value: Any) -> str:
    """ISO 3166 alpha-2 code, from a code (DE, DEU) or an English name (Germany, Viet Nam)."""
    if blank(value):
        raise FieldError("This field is required.")
    raw = str(value).strip()
    try:
        found = pycountry.countries.lookup(raw)
    except LookupError:
        found = None
    if found is None:
        raise FieldError(f"Unknown country {raw[:40]!r}; use an ISO code such as DE or VN.")
    return found.alpha_2


def country_name(code_: str) -> str:
    found = pycountry.countries.get(alpha_2=code_)
    return getattr(found, "common_name", None) or (found.name if found else code_)


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by name, for select boxes."""
    return sorted(
        ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )


def collect(errors: dict[str, str], field: str, parse, *args, **kwargs):
    """Run a parser; on FieldError record the message under `field` and return None."""
    try:
        return parse(*args, **kwargs)
    except FieldError as exc:
        errors[field] = str(exc)
        return None
