"""The format checks of the practice sites, against known valid and invalid values."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.practice.messages import MESSAGES, message
from kiosk.practice.validators import (
    check_date,
    check_email,
    check_iban,
    check_nir,
    check_numero_acces,
    check_numero_fiscal,
    check_password,
    check_phone,
    check_postal_code,
    iban_with_check_digits,
    matches,
    nir_key,
    parse_number,
    password_rule_status,
)


def key(problem):
    return None if problem is None else problem.key


# --- NIR --------------------------------------------------------------------------------------
@pytest.mark.parametrize("nir", [
    "179021305501215",            # the ameli-like persona
    "1 79 02 13 055 012 15",      # spaces are fine for the check itself
    "2 86 05 69 123 045 62",
    "1 85 05 2A 004 123 56",      # Corsica 2A counts as 19
    "2 68 11 2A 004 025 63",
    "1 81 03 2B 033 121 58",      # Corsica 2B counts as 18
    "255081416802538",            # the widely published example NIR
])
def test_valid_nir_is_accepted(nir):
    assert check_nir(nir) is None


def test_corsican_key_uses_19_and_18_in_place_of_2a_2b():
    assert nir_key("18505" + "2A" + "004123") == 97 - int("1850519004123") % 97
    assert nir_key("18103" + "2B" + "033121") == 97 - int("1810318033121") % 97
    # the same digits read as department 19/18 give the same key: that is the rule
    assert nir_key("1850519004123") == nir_key("185052A004123")


@pytest.mark.parametrize("nir, expected", [
    ("179021305501216", "nir.key"),          # key off by one
    ("179021305501251", "nir.key"),          # two digits swapped in the key
    ("179021305510215", "nir.key"),          # two digits swapped in the body
    ("185052A00412357", "nir.key"),          # Corsica with a wrong key
    ("185052C00412356", "nir.format"),       # 2C is not a department
    ("17902130550121", "nir.length"),        # 14 characters
    ("3790213055012", "nir.first_digit"),    # sex digit 3
    ("179131305501215", "nir.month"),        # month 13
    ("", "required"),
])
def test_invalid_nir_gets_the_right_plain_message(nir, expected):
    assert key(check_nir(nir)) == expected


def test_nir_length_message_says_how_many_were_typed():
    text = message(check_nir("17902130550121"))
    assert "15 caractères" in text and "14" in text


# --- DGFiP ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2047815396024", "0123456789012", "3999999999999",
                                   "2047 815 396 024"])
def test_valid_numero_fiscal(value):
    assert check_numero_fiscal(value) is None


@pytest.mark.parametrize("value, expected", [
    ("204781539602", "numero_fiscal.length"),     # 12 digits
    ("20478153960245", "numero_fiscal.length"),   # 14 digits
    ("4047815396024", "numero_fiscal.first_digit"),
    ("9047815396024", "numero_fiscal.first_digit"),
    ("20478153960A4", "numero_fiscal.length"),    # a letter
])
def test_invalid_numero_fiscal(value, expected):
    assert key(check_numero_fiscal(value)) == expected


def test_numero_acces_has_seven_characters():
    assert check_numero_acces("A2B7K9Q") is None
    assert check_numero_acces("1234567") is None
    assert key(check_numero_acces("A2B7K9")) == "numero_acces.format"
    assert key(check_numero_acces("A2B7K9QX")) == "numero_acces.format"
    assert key(check_numero_acces("A2B7K9é")) == "numero_acces.format"


# --- IBAN -------------------------------------------------------------------------------------
@pytest.mark.parametrize("iban", [
    "FR1420041010050500013M02606",          # the classic published example (letter in account)
    "FR76 3000 6000 0112 3456 7890 189",
    "FR7630004000031234567890143",
    iban_with_check_digits("10278063010002034750158"),
])
def test_valid_french_iban(iban):
    assert check_iban(iban) is None


@pytest.mark.parametrize("iban, expected", [
    ("FR7630006000011234567890188", "iban.checksum"),   # last digit changed
    ("FR7630006000011234567809189", "iban.checksum"),   # two digits swapped
    ("FR763000600001123456789018", "iban.length"),
    ("DE89370400440532013000", "iban.country"),
    ("FR76300060000112345678901X9", "iban.format"),
    ("", "required"),
])
def test_invalid_iban(iban, expected):
    assert key(check_iban(iban)) == expected


def test_built_iban_satisfies_mod_97():
    iban = iban_with_check_digits("20041010120123456789012")
    assert iban.startswith("FR") and len(iban) == 27
    rearranged = iban[4:] + iban[:4]
    assert int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# --- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2000, 2016, 2024, 1996])
def test_29_february_exists_in_leap_years(year):
    assert check_date(f"29/02/{year}") is None


@pytest.mark.parametrize("year", [1900, 2023, 2025, 2100])
def test_29_february_is_refused_in_non_leap_years(year):
    problem = check_date(f"29/02/{year}")
    assert key(problem) == "date.not_leap"
    assert str(year) in message(problem)


@pytest.mark.parametrize("value, expected", [
    ("31/04/1990", "date.no_such_day"),
    ("14/13/1986", "date.month"),
    ("5/3/1984", "date.format"),
    ("05-03-1984", "date.format"),
    ("05/03/84", "date.format"),
    ("1984/03/05", "date.format"),
    ("05/03/1850", "date.year"),
])
def test_badly_written_or_impossible_dates(value, expected):
    assert key(check_date(value)) == expected


def test_date_in_the_future_is_refused_for_a_birth_date():
    today = dt.date(2026, 3, 2)
    assert key(check_date("01/01/2030", {"past": True, "today": today})) == "date.future"
    assert check_date("01/01/1990", {"past": True, "today": today}) is None
    assert key(check_date("01/01/2020", {"future": True, "today": today})) == "date.past"


# --- other formats ----------------------------------------------------------------------------
def test_postal_codes():
    assert check_postal_code("69003") is None
    assert check_postal_code("20000") is None      # Ajaccio
    assert check_postal_code("97400") is None      # La Réunion
    assert key(check_postal_code("6900")) == "postal_code.format"
    assert key(check_postal_code("00100")) == "postal_code.unknown"
    assert key(check_postal_code("99000")) == "postal_code.unknown"


def test_emails():
    assert check_email("camille.martin@courriel.exemple") is None
    assert key(check_email("camille martin@courriel.fr")) == "email.spaces"
    assert key(check_email("camille.martin.courriel.fr")) == "email.at"
    assert key(check_email("a@b@c.fr")) == "email.at"
    assert key(check_email("camille@courriel")) == "email.format"
    assert key(check_email("camille..martin@courriel.fr")) == "email.format"


@pytest.mark.parametrize("phone", ["0612345678", "06 12 34 56 78", "06.12.34.56.78",
                                   "+33 6 12 34 56 78", "01-23-45-67-89"])
def test_french_phone_numbers_accepted_with_spaces_or_dots(phone):
    assert check_phone(phone) is None


@pytest.mark.parametrize("phone, expected", [("061234567", "phone.format"),
                                             ("6123456789", "phone.format"),
                                             ("0012345678", "phone.format"),
                                             ("06123456AB", "phone.digits")])
def test_invalid_phone_numbers(phone, expected):
    assert key(check_phone(phone)) == expected


def test_password_rules_are_checked_one_by_one_as_typed():
    rules = {"min_length": 12, "upper": True, "lower": True, "digit": True, "special": True}
    assert dict(password_rule_status("riviere", rules)) == {
        "min_length": False, "upper": False, "lower": True, "digit": False, "special": False}
    assert all(ok for _, ok in password_rule_status("Riviere-1979!", rules))
    assert key(check_password("Riviere1979x", rules)) == "password.special"
    assert key(check_password("Rivi-19!", rules)) == "password.min_length"
    assert "12" in message(check_password("Rivi-19!", rules))


def test_matching_the_persona_value_ignores_case_and_spaces_but_not_date_format():
    assert matches("martin", "MARTIN")
    assert matches("06 12 34 56 78", "0612345678")
    assert matches("850,00", "850")
    assert not matches("MARTINE", "MARTIN")
    assert matches("14/05/1986", "14/05/1986")
    assert not matches("14/5/1986", "14/05/1986")


def test_an_email_address_matches_only_with_its_dots_and_dashes():
    from kiosk.practice.validators import Match, compare
    card = "camille.martin@courriel.exemple"
    assert compare("Camille.Martin@Courriel.exemple", card) is Match.EXACT
    assert compare("camillemartin@courriel.exemple", card) is Match.ALMOST
    assert compare("camille-martin@courriel.exemple", card) is Match.ALMOST
    assert compare("camille.martine@courriel.exemple", card) is Match.NO


def test_a_quantity_with_stray_spaces_is_almost_but_an_identifier_takes_any_spacing():
    from kiosk.practice.validators import Match, compare
    assert compare("1 6 5", "165") is Match.ALMOST
    assert compare("165", "165") is Match.EXACT
    assert compare("1 650,50", "1650.50") is Match.EXACT
    assert compare("06 12 34 56 78", "0612345678") is Match.EXACT
    assert compare("1 79 02 13 055 012 15", "179021305501215") is Match.EXACT
    assert compare("Jean Pierre", "Jean-Pierre") is Match.ALMOST
    assert compare("jean-pierre", "Jean-Pierre") is Match.EXACT
    assert parse_number("1 6 5") is None and parse_number("1 650,50") == 1650.5


def test_every_message_is_translated_and_its_placeholders_match():
    import string
    for name, text in MESSAGES.items():
        assert text.missing() == (), f"{name} lacks {text.missing()}"
        fields = [{f for _, f, _, _ in string.Formatter().parse(text.get(lang)) if f}
                  for lang in ("fr", "en", "ar")]
        assert fields[0] == fields[1] == fields[2], f"{name}: placeholders differ {fields}"
