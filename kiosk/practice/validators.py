"""Real checks of the formats French administrative sites ask for.

Each validator takes what the person typed and returns ``None`` when it is acceptable, or a
:class:`Problem` naming a plain-language message (kiosk.practice.messages) and its parameters.
They check the same things the real sites check (the NIR key, the IBAN checksum, a date that
exists in the calendar), so a practice teaches the real formats. Pure functions, no I/O.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Why a value is refused: a message key and the values to put in the message."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


Validator = Callable[[str, Mapping[str, Any]], "Problem | None"]

_SPACES = re.compile(r"[\s.\-]+")


def compact(value: str) -> str:
    """Without spaces, dots and dashes, upper-cased: how sites store NIR, IBAN, codes."""
    return _SPACES.sub("", value).upper()


# --- NIR (numéro de sécurité sociale) -------------------------------------------------------
_NIR = re.compile(r"^([12])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$")


def nir_key(first13: str) -> int:
    """The 2-digit key: 97 - (number mod 97); Corsica 2A/2B count as 19/18."""
    dept = first13[5:7].upper()
    digits = first13[:5] + {"2A": "19", "2B": "18"}.get(dept, dept) + first13[7:]
    return 97 - int(digits) % 97


def check_nir(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    nir = compact(value)
    if not nir:
        return Problem("required")
    if nir[0] not in "12":
        return Problem("nir.first_digit")
    if len(nir) != 15:
        return Problem("nir.length", {"count": len(nir)})
    match = _NIR.match(nir)
    if not match:
        return Problem("nir.format")
    month = int(match.group(3))
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return Problem("nir.month")
    if int(match.group(7)) != nir_key(nir[:13]):
        return Problem("nir.key")
    return None


# --- DGFiP identifiers ----------------------------------------------------------------------
def check_numero_fiscal(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    number = compact(value)
    if not number:
        return Problem("required")
    if not number.isdigit() or len(number) != 13:
        return Problem("numero_fiscal.length", {"count": len(number)})
    if number[0] not in "0123":
        return Problem("numero_fiscal.first_digit")
    return None


def check_numero_acces(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    code = compact(value)
    if not code:
        return Problem("required")
    if len(code) != 7 or not code.isalnum() or not code.isascii():
        return Problem("numero_acces.format", {"count": len(code)})
    return None


# --- IBAN ------------------------------------------------------------------------------------
def iban_checksum_ok(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def check_iban(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    iban = compact(value)
    if not iban:
        return Problem("required")
    if not iban.startswith("FR"):
        return Problem("iban.country")
    if len(iban) != 27:
        return Problem("iban.length", {"count": len(iban)})
    if not re.fullmatch(r"FR\d{2}\d{10}[0-9A-Z]{11}\d{2}", iban):
        return Problem("iban.format")
    if not iban_checksum_ok(iban):
        return Problem("iban.checksum")
    return None


def iban_with_check_digits(bban: str, country: str = "FR") -> str:
    """Build a valid IBAN from a BBAN (used to write personas and tests)."""
    number = "".join(str(int(ch, 36)) for ch in (bban + country + "00").upper())
    return f"{country}{98 - int(number) % 97:02d}{bban.upper()}"


# --- addresses, dates, contact ------------------------------------------------------------
def check_postal_code(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    code = value.strip()
    if not code:
        return Problem("required")
    if not re.fullmatch(r"\d{5}", code):
        return Problem("postal_code.format")
    if not (1 <= int(code[:2]) <= 95 or code[:2] in ("97", "98")):
        return Problem("postal_code.unknown")
    return None


_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date(value: str) -> dt.date | None:
    """JJ/MM/AAAA as the real sites want it, or None."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def check_date(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    params = params or {}
    text = value.strip()
    if not text:
        return Problem("required")
    match = _DATE.match(text)
    if not match:
        return Problem("date.format")
    day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return Problem("date.month")
    if not 1900 <= year <= 2100:
        return Problem("date.year")
    try:
        date = dt.date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            return Problem("date.not_leap", {"year": year})
        return Problem("date.no_such_day", {"day": day, "month": month})
    today = params.get("today") or dt.date.today()
    if params.get("past") and date > today:
        return Problem("date.future")
    if params.get("future") and date < today:
        return Problem("date.past")
    return None


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def check_email(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    text = value.strip()
    if not text:
        return Problem("required")
    if " " in text:
        return Problem("email.spaces")
    if text.count("@") != 1:
        return Problem("email.at")
    if not _EMAIL.match(text) or ".." in text:
        return Problem("email.format")
    return None


def check_phone(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    digits = compact(value)
    if not digits:
        return Problem("required")
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    if not digits.isdigit():
        return Problem("phone.digits")
    if len(digits) != 10 or not digits.startswith("0") or digits[1] == "0":
        return Problem("phone.format")
    return None


# --- passwords ------------------------------------------------------------------------------
PASSWORD_RULES: tuple[str, ...] = ("min_length", "upper", "lower", "digit", "special",
                                   "no_spaces")


def password_rule_status(value: str, rules: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """Each rule the site shows, and whether the value follows it (checked live, as typed)."""
    status: list[tuple[str, bool]] = []
    if rules.get("min_length"):
        status.append(("min_length", len(value) >= int(rules["min_length"])))
    if rules.get("upper"):
        status.append(("upper", any(c.isupper() for c in value)))
    if rules.get("lower"):
        status.append(("lower", any(c.islower() for c in value)))
    if rules.get("digit"):
        status.append(("digit", any(c.isdigit() for c in value)))
    if rules.get("special"):
        status.append(("special", any(not c.isalnum() and not c.isspace() for c in value)))
    if rules.get("no_spaces"):
        status.append(("no_spaces", not any(c.isspace() for c in value)))
    return status


def check_password(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    params = params or {}
    if not value:
        return Problem("required")
    for rule, ok in password_rule_status(value, params):
        if not ok:
            return Problem(f"password.{rule}", {"n": params.get("min_length", 0)})
    return None


# --- numbers --------------------------------------------------------------------------------
# Spaces only as thousands separators ("1 650,50"): "1 6 5" is not a number on a real site.
_NUMBER = re.compile(r"-?(\d{1,3}(?:[ \u202f\u00a0]\d{3})+|\d+)([.,]\d{1,2})?")


def parse_number(value: str) -> float | None:
    text = value.strip().removesuffix("€").strip()
    if not _NUMBER.fullmatch(text):
        return None
    return float(re.sub(r"[ \u202f\u00a0]", "", text).replace(",", "."))


def check_number(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    params = params or {}
    if not value.strip():
        return Problem("required")
    number = parse_number(value)
    if number is None:
        return Problem("number.format")
    if "min" in params and number < float(params["min"]):
        return Problem("number.min", {"min": params["min"]})
    if "max" in params and number > float(params["max"]):
        return Problem("number.max", {"max": params["max"]})
    return None


def check_digits(value: str, params: Mapping[str, Any] | None = None) -> Problem | None:
    params = params or {}
    text = compact(value)
    if not text:
        return Problem("required")
    count = int(params.get("count", 0))
    if not text.isdigit() or (count and len(text) != count):
        return Problem("digits.format", {"count": count or len(text)})
    return None


# --- "matches the persona's value" -----------------------------------------------------------
def normalise(value: str) -> str:
    """Compare like a site does: no case, no spaces/dots/dashes, accents kept."""
    return compact(value.strip()).casefold()


class Match(Enum):
    EXACT = "exact"      # what the real site accepts
    ALMOST = "almost"    # right but for a dot, a dash or a space the real site would refuse
    NO = "no"


def _is_quantity(value: str) -> bool:
    """An amount or a measure (850, 1 650,50, 165), not a number used as an identifier
    (a phone number, a NIR, a code: a leading 0, or 7 digits and more), which sites take
    with or without its spaces."""
    digits = re.sub(r"\D", "", value.split(",")[0].split(".")[0])
    return not (digits.startswith("0") and len(digits) > 1) and len(digits) <= 6


def _words(value: str) -> str:
    return " ".join(value.split()).casefold()


def compare(typed: str, expected: str) -> Match:
    """How a real site would take ``typed`` for ``expected``.

    Dates and amounts by value; an e-mail address exactly but for letter case (every dot and
    dash counts: ``camillemartin@`` is another mailbox than ``camille.martin@``); numbers and
    codes without their spaces, dots and dashes, as sites store them; words case-insensitive,
    their dashes and dots kept (``Jean Pierre`` is almost ``Jean-Pierre``)."""
    if parse_date(expected) is not None:
        return Match.EXACT if typed.strip() == expected.strip() else Match.NO
    number = parse_number(expected) if _is_quantity(expected) else None
    if number is not None:
        value = parse_number(typed)
        if value is not None:
            return Match.EXACT if value == number else Match.NO
        return Match.ALMOST if parse_number(compact(typed)) == number else Match.NO
    if "@" in expected:
        if typed.strip().casefold() == expected.strip().casefold():
            return Match.EXACT
        return Match.ALMOST if normalise(typed) == normalise(expected) else Match.NO
    if normalise(typed) != normalise(expected):
        return Match.NO
    if not any(c.isalpha() for c in expected) or _words(typed) == _words(expected):
        return Match.EXACT
    return Match.ALMOST


def matches(typed: str, expected: str) -> bool:
    return compare(typed, expected) is Match.EXACT


VALIDATORS: dict[str, Validator] = {
    "nir": check_nir,
    "numero_fiscal": check_numero_fiscal,
    "numero_acces": check_numero_acces,
    "iban": check_iban,
    "postal_code": check_postal_code,
    "date": check_date,
    "email": check_email,
    "phone": check_phone,
    "password": check_password,
    "number": check_number,
    "digits": check_digits,
}


def run_validator(name: str, value: str, params: Mapping[str, Any] | None = None
                  ) -> Problem | None:
    try:
        validator = VALIDATORS[name]
    except KeyError:
        raise KeyError(f"unknown validator {name!r}; known: {', '.join(sorted(VALIDATORS))}"
                       ) from None
    return validator(value, params or {})
