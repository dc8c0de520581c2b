"""Text keys that make names in any script searchable and sortable the same way everywhere."""

from __future__ import annotations

import unicodedata

# Letters that carry no combining mark to strip but read as a plain letter in search.
_FOLD = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "ı": "i", "æ": "ae"})


def normalise(text: str) -> str:
    """NFC-normalise and trim a name as entered (what is stored and shown)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def search_key(text: str) -> str:
    """Case- and accent-insensitive key: 'Công ty TNHH Thép Việt' -> 'cong ty tnhh thep viet'.

    Scripts without accents (Chinese, Japanese) pass through unchanged, so
    '深圳精密电子' still matches a search for '精密'.
    """
    folded = unicodedata.normalize("NFKD", normalise(text).casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.translate(_FOLD))
