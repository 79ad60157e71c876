"""On-screen keyboard layouts as data (no Kivy): AZERTY with every French letter, a numeric
pad and an e-mail layout. A key is a plain string (typed as is) or one of the ``SPECIAL`` names.
Kivy's stock azerty layout lacks ê â î ô û ë ï œ, hence our own.
"""
from __future__ import annotations

from enum import Enum


class Layout(str, Enum):
    AZERTY = "azerty"
    NUMERIC = "numeric"
    EMAIL = "email"
    DATE = "date"


BACKSPACE = "{backspace}"
SHIFT = "{shift}"
SPACE = "{space}"
ENTER = "{enter}"
TO_NUMBERS = "{numbers}"
TO_LETTERS = "{letters}"
SPECIAL = frozenset({BACKSPACE, SHIFT, SPACE, ENTER, TO_NUMBERS, TO_LETTERS})

# Every letter French writing needs beyond a-z (lower case; capitals come with shift).
FRENCH_ACCENTED = "éèêëàâäùûüôöîïçœæ"

AZERTY_ROWS: tuple[tuple[str, ...], ...] = (
    tuple("azertyuiop"),
    tuple("qsdfghjklm"),
    (SHIFT, *"wxcvbn", "'", "-", BACKSPACE),
    tuple(FRENCH_ACCENTED[:9]),
    (*FRENCH_ACCENTED[9:], ","),
    (TO_NUMBERS, SPACE, ".", ENTER),
)

NUMBER_ROWS: tuple[tuple[str, ...], ...] = (
    tuple("1234567890"),
    tuple("/:;()€&@\"?"),
    tuple("!-_+=*#%$'"),   # what password rules ask for ("un caractère spécial")
    (TO_LETTERS, SPACE, ".", ",", BACKSPACE, ENTER),
)

NUMERIC_ROWS: tuple[tuple[str, ...], ...] = (
    ("1", "2", "3"),
    ("4", "5", "6"),
    ("7", "8", "9"),
    (BACKSPACE, "0", ENTER),
)

# Dates typed JJ/MM/AAAA: the digits and the slash.
DATE_ROWS: tuple[tuple[str, ...], ...] = (
    ("1", "2", "3"),
    ("4", "5", "6"),
    ("7", "8", "9"),
    ("/", "0", BACKSPACE),
    (ENTER,),
)

EMAIL_ROWS: tuple[tuple[str, ...], ...] = (
    tuple("1234567890"),
    tuple("azertyuiop"),
    tuple("qsdfghjklm"),
    (*"wxcvbn", "-", "_", BACKSPACE),
    ("@", ".", ".fr", ".com", "gmail", "orange", ENTER),
)

LAYOUTS: dict[Layout, tuple[tuple[str, ...], ...]] = {
    Layout.AZERTY: AZERTY_ROWS,
    Layout.NUMERIC: NUMERIC_ROWS,
    Layout.EMAIL: EMAIL_ROWS,
    Layout.DATE: DATE_ROWS,
}


def rows_for(layout: Layout, shifted: bool = False, numbers: bool = False
             ) -> tuple[tuple[str, ...], ...]:
    if layout is Layout.AZERTY and numbers:
        return NUMBER_ROWS
    rows = LAYOUTS[layout]
    if shifted and layout is Layout.AZERTY:
        return tuple(tuple(k if k in SPECIAL else k.upper() for k in row) for row in rows)
    return rows


def typeable(layout: Layout) -> set[str]:
    """Every string a layout can type (both cases for AZERTY, its number page included)."""
    keys: set[str] = set()
    pages = [rows_for(layout)]
    if layout is Layout.AZERTY:
        pages += [rows_for(layout, shifted=True), rows_for(layout, numbers=True)]
    for rows in pages:
        keys |= {k for row in rows for k in row if k not in SPECIAL}
    return keys
