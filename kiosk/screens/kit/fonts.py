"""The kiosk's typefaces, all shipped in kiosk/fonts/ with their licences (SIL Open Font
License): Atkinson Hyperlegible, drawn for low-vision readers (Braille Institute), for every
text it can draw; Kiosk Arabic (Noto Sans Arabic UI, with Atkinson's Latin added:
scripts/build_arabic_font.py) for Arabic text, joined presentation forms and Latin words
included; DejaVu Sans (Debian's fonts-dejavu-core, a dependency of the package) for the rest:
the keyboard's signs (⌫ ⇧), the error sign ⚠. Kivy draws a label in one font, so the choice
is per label, by its text (:func:`face_for`), made by KLabel. docs/ui.md says why these faces."""
from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

from kiosk.screens.kit.arabic_ranges import ARABIC_RANGES

FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"
LATIN_REGULAR = str(FONT_DIR / "AtkinsonHyperlegible-Regular.ttf")
LATIN_BOLD = str(FONT_DIR / "AtkinsonHyperlegible-Bold.ttf")
ARABIC_REGULAR = str(FONT_DIR / "KioskArabic-Regular.ttf")
ARABIC_BOLD = str(FONT_DIR / "KioskArabic-Bold.ttf")
WIDE_REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WIDE_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

# Code points both Atkinson Hyperlegible faces map (from their cmap tables; a test checks).
LATIN_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x0107), (0x010A, 0x0113), (0x0116, 0x011B), (0x011E, 0x0123),
    (0x0126, 0x0127), (0x012A, 0x012B), (0x012E, 0x012F), (0x0131, 0x0131), (0x0136, 0x0137),
    (0x013B, 0x013E), (0x0141, 0x0148), (0x0150, 0x0155), (0x0158, 0x015B), (0x015E, 0x0165),
    (0x016A, 0x016B), (0x016E, 0x0173), (0x0178, 0x017E), (0x0192, 0x0192), (0x0218, 0x021B),
    (0x02C6, 0x02C7), (0x02D8, 0x02DD), (0x0300, 0x0304), (0x0306, 0x0308), (0x030A, 0x030C),
    (0x0326, 0x0328), (0x0394, 0x0394), (0x03A9, 0x03A9), (0x03BC, 0x03BC), (0x03C0, 0x03C0),
    (0x2013, 0x2014), (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022), (0x2026, 0x2026),
    (0x2030, 0x2030), (0x2039, 0x203A), (0x2044, 0x2044), (0x2074, 0x2074), (0x20AC, 0x20AC),
    (0x2113, 0x2113), (0x2122, 0x2122), (0x212E, 0x212E), (0x2202, 0x2202), (0x220F, 0x220F),
    (0x2211, 0x2212), (0x2215, 0x2215), (0x2219, 0x221A), (0x221E, 0x221E), (0x222B, 0x222B),
    (0x2248, 0x2248), (0x2260, 0x2260), (0x2264, 0x2265), (0x25CA, 0x25CA),
)
_STARTS = [start for start, _end in LATIN_RANGES]
_ARABIC_STARTS = [start for start, _end in ARABIC_RANGES]
# Line breaks and the invisible marks of bidi reordering draw nothing: no glyph needed.
_INVISIBLE = frozenset("\n\r\t\u200e\u200f\u200b")

# Each face's weight: a label keeps its weight when its text changes face.
_BOLD = {LATIN_BOLD, ARABIC_BOLD, WIDE_BOLD}
_KIOSK_FACES = {LATIN_REGULAR, ARABIC_REGULAR, WIDE_REGULAR} | _BOLD


def _covers(ranges: tuple[tuple[int, int], ...], starts: list[int], text: str) -> bool:
    for ch in text:
        if ch in _INVISIBLE:
            continue
        code = ord(ch)
        i = bisect_right(starts, code) - 1
        if i < 0 or code > ranges[i][1]:
            return False
    return True


def latin_covers(text: str) -> bool:
    """True when Atkinson Hyperlegible has a glyph for every character of ``text``."""
    return _covers(LATIN_RANGES, _STARTS, text)


def arabic_covers(text: str) -> bool:
    """True when Kiosk Arabic has a glyph for every character of ``text`` (logical or shaped)."""
    return _covers(ARABIC_RANGES, _ARABIC_STARTS, text)


def face_for(font_name: str, text: str) -> str:
    """The kiosk face (regular or bold, as ``font_name``) that can draw ``text``; a font that
    is not one of the kiosk's faces is kept."""
    if font_name not in _KIOSK_FACES:
        return font_name
    bold = font_name in _BOLD
    if latin_covers(text):
        return LATIN_BOLD if bold else LATIN_REGULAR
    if arabic_covers(text):
        return ARABIC_BOLD if bold else ARABIC_REGULAR
    return WIDE_BOLD if bold else WIDE_REGULAR
