"""Checking one field of a practice page, generically, from its declaration.

Order of checks, as a real site does it: empty or not, the format validators, the strict
form the site demands (the ``wrong_format`` trap: a right value typed in a refused form, e.g.
with spaces), then "is it the persona's value". Returns
the first :class:`Problem`, or None. Nothing here stores or logs what was typed.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kiosk.practice.model import Field, FieldType, Trap
from kiosk.practice.validators import (
    Match,
    Problem,
    check_password,
    compact,
    compare,
    run_validator,
)

TICKED = frozenset({"true", "1", "yes", "oui", "on", "x"})

# Types whose value is checked by a validator even when the procedure names none.
IMPLICIT_VALIDATORS: dict[FieldType, str] = {FieldType.DATE: "date", FieldType.NUMBER: "number"}


def is_ticked(value: Any) -> bool:
    return value is True or str(value).strip().lower() in TICKED


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value is False


def check_field(field: Field, value: Any, *, persona_value: str | None = None,
                sms_code: str | None = None, page_values: Mapping[str, Any] | None = None,
                strict_format: Trap | None = None, today: Any = None) -> Problem | None:
    """The first problem with ``value`` for ``field``, or None when the site would accept it."""
    kind = field.type
    if kind in (FieldType.CONSENT, FieldType.SIGNATURE):
        return Problem("consent.required") if field.required and not is_ticked(value) else None
    if kind is FieldType.CHECKBOX:
        if field.expected is not None and is_ticked(value) != is_ticked(field.expected):
            return Problem("expected.mismatch")
        return None
    if is_empty(value):
        if not field.required:
            return None
        if kind is FieldType.CHOICE:
            return Problem("choice.required")
        if kind is FieldType.DOCUMENT_UPLOAD:
            return Problem("document.required")
        return Problem("required")
    text = str(value)
    if kind is FieldType.DOCUMENT_UPLOAD:
        # "scan:<id>" (scanned in this session) or "sample:<id>" (a sample of the exercise);
        # "scan:" with no id is no document.
        known = re.fullmatch(r"scan:[\w-]+", text) is not None or text == "sample:document" or \
            text in {f"sample:{sample.id}" for sample in field.samples}
        return None if known else Problem("document.required")
    if kind is FieldType.CHOICE:
        if text not in {o.value for o in field.options}:
            return Problem("choice.unknown")
        if persona_value is not None and text != persona_value:
            return Problem("persona.mismatch")
        if field.expected is not None and text != field.expected:
            return Problem("expected.mismatch")
        return None
    if kind in (FieldType.SMS_CODE, FieldType.EMAIL_CODE):
        if sms_code is not None and compact(text) == sms_code:
            return None
        # The message says how many digits to copy: as many as the real site's code has.
        return Problem("sms_code.wrong" if kind is FieldType.SMS_CODE else "email_code.wrong",
                       {"count": field.digits})
    if kind is FieldType.CAPTCHA:
        return None if text.strip() == (field.expected or "") else Problem("captcha.wrong")
    if kind is FieldType.PASSWORD:
        problem = check_password(text, field.rules) if field.rules else None
        if problem:
            return problem
        if field.same_as and page_values is not None and text != page_values.get(field.same_as):
            return Problem("password.confirm")
        if persona_value is not None and text != persona_value:
            return Problem("persona.mismatch")  # passwords are exact, case included
        return None
    names = [spec for spec in field.validators]
    implicit = IMPLICIT_VALIDATORS.get(kind)
    for spec in names:
        params = dict(spec.params)
        if spec.name == "date" and today is not None:
            params.setdefault("today", today)
        problem = run_validator(spec.name, text, params)
        if problem:
            return problem
    if implicit and not any(spec.name == implicit for spec in names):
        problem = run_validator(implicit, text, {"today": today} if today else {})
        if problem:
            return problem
    # Only now the site's strict format: the value is right, only its form is refused.
    if strict_format is not None and strict_format.format \
            and not re.fullmatch(strict_format.format, text.strip()):
        return Problem("trap.wrong_format")
    for wanted, source in ((persona_value, "persona"), (field.expected, "expected")):
        if wanted is None:
            continue
        match = compare(text, wanted)
        if match is Match.ALMOST:  # a gentle "presque", and what the real site wants
            return Problem("email.almost" if "@" in wanted else "value.almost")
        if match is Match.NO:
            return Problem(f"{source}.mismatch")
    return None
