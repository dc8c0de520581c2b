"""Fonts for the reports, and supplier text made safe for Paragraph markup.

DejaVu Sans (Debian's fonts-dejavu-core) carries Latin and Vietnamese; ReportLab's built-in
CID fonts carry Chinese and Japanese (STSong-Light) and Korean (HYGothic-Medium). When
DejaVu is missing the reports fall back to Helvetica (characters it lacks print as boxes)
and `FontSet.fallback` says so; nothing crashes.

`markup(text)` is the only way supplier-entered text enters Paragraph markup: it is
NFC-normalised (ReportLab places composed glyphs better than combining marks), stripped of
control characters, XML-escaped, and only then are runs of CJK or Hangul wrapped in our own
`<font name=...>` tags, so a supplier named `<font color="[[[...]]]">` prints literally
(CVE-2023-33733 came through exactly such markup).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

DEJAVU_DIRS: tuple[str, ...] = ("/usr/share/fonts/truetype/dejavu",)
REGULAR_FILE, BOLD_FILE = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
CJK_FONT = "STSong-Light"  # Adobe-GB1: Han characters, kana, full-width forms
HANGUL_FONT = "HYGothic-Medium"  # Adobe-Korea1

# Han (with extensions), kana, CJK symbols and punctuation, full-width forms.
_CJK = (
    "\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\u3200-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f"
)
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
RUNS = re.compile(f"([{_CJK}]+)|([{_HANGUL}]+)")
_ANY_EAST_ASIAN = re.compile(f"[{_CJK}{_HANGUL}]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENTITIES = {'"': "&quot;", "'": "&#39;"}


@dataclass(frozen=True)
class FontSet:
    """The font names the builders use; `fallback` is True when Helvetica stands in."""

    regular: str = REGULAR
    bold: str = BOLD
    cjk: str = CJK_FONT
    hangul: str = HANGUL_FONT
    fallback: bool = False
    note: str = ""


_lock = threading.Lock()
_registered: dict[tuple[str, ...], FontSet] = {}


def _find(dirs: Sequence[str | os.PathLike]) -> tuple[Path, Path] | None:
    """The first directory holding both DejaVu files."""
    for folder in dirs:
        regular, bold = Path(folder) / REGULAR_FILE, Path(folder) / BOLD_FILE
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def _register_cid() -> None:
    for name in (CJK_FONT, HANGUL_FONT):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def register_fonts(dirs: Sequence[str | os.PathLike] | None = None) -> FontSet:
    """Register the report fonts (once per directory list) and say which are in use."""
    key = tuple(str(d) for d in (DEJAVU_DIRS if dirs is None else dirs))
    with _lock:
        found = _registered.get(key)
        if found is not None:
            return found
        _register_cid()
        files = _find(key)
        fonts = None
        if files is not None:
            try:
                if REGULAR not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(REGULAR, str(files[0])))
                    pdfmetrics.registerFont(TTFont(BOLD, str(files[1])))
                    for bold, italic, name in (
                        (0, 0, REGULAR),
                        (1, 0, BOLD),
                        (0, 1, REGULAR),
                        (1, 1, BOLD),
                    ):
                        addMapping(REGULAR, bold, italic, name)
                fonts = FontSet()
            except Exception as exc:  # noqa: BLE001 - a broken font file must not stop a report
                note = f"DejaVu Sans could not be loaded ({type(exc).__name__}: {exc})"
                fonts = None
        else:
            note = f"DejaVu Sans not found in {', '.join(key) or '(no directories)'}"
        if fonts is None:
            log.warning("%s; reports use Helvetica (non-Latin letters may print as boxes)", note)
            fonts = FontSet("Helvetica", "Helvetica-Bold", fallback=True, note=note)
        _registered[key] = fonts
        return fonts


def clean(text: object) -> str:
    """Text as printed: NFC-normalised, control characters removed, None as ""."""
    if text is None:
        return ""
    return _CONTROL.sub("", unicodedata.normalize("NFC", str(text)))


def markup(text: object, fonts: FontSet | None = None, *, newlines: bool = False) -> str:
    """Paragraph markup printing `text` literally, with CJK and Hangul runs in CID fonts."""
    fonts = fonts or FontSet()
    safe = escape(clean(text), _ENTITIES)

    def wrap(match: re.Match) -> str:
        name = fonts.cjk if match.group(1) else fonts.hangul
        return f'<font name="{name}">{match.group(0)}</font>'

    safe = RUNS.sub(wrap, safe)
    if newlines:
        safe = safe.replace("\r\n", "\n").replace("\n", "<br/>")
    return safe


def has_east_asian(text: str) -> bool:
    """Whether `text` holds CJK or Hangul characters."""
    return _ANY_EAST_ASIAN.search(text) is not None


def plain_font(text: str, fonts: FontSet | None = None) -> str | None:
    """For a table cell drawn as a plain string (no markup, much faster than a Paragraph):
    the font that prints all of `text` when it holds CJK or Hangul with only ASCII beside
    it; "" when it needs no special font; None when it mixes scripts (use a Paragraph)."""
    if not has_east_asian(text):
        return ""
    fonts = fonts or FontSet()
    rest = RUNS.sub("", text)
    if not rest.isascii():
        return None
    kinds = {1 if m.group(1) else 2 for m in RUNS.finditer(text)}
    if kinds == {1}:
        return fonts.cjk
    if kinds == {2}:
        return fonts.hangul
    return None
