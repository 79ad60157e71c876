"""The right answer for each field, from the persona card: what a person should type.

Used by the checker (do the persona values pass their own checks?), by tests (a scripted run
reaches the end) and by a "show me" demonstration. Never contains anything a resident typed.
"""
from __future__ import annotations

from typing import Any

from kiosk.practice.model import Field, FieldType, Page, Procedure


def solution(field: Field, procedure: Procedure, sms_code: str | None = None) -> Any:
    """The value that the site accepts for ``field``, as the person would type or pick it."""
    kind = field.type
    if kind in (FieldType.CONSENT, FieldType.SIGNATURE):
        return True
    if kind is FieldType.CHECKBOX:
        return field.expected if field.expected is not None else False
    if kind in (FieldType.SMS_CODE, FieldType.EMAIL_CODE):
        return sms_code  # the one code last sent, by SMS or by e-mail
    if kind is FieldType.DOCUMENT_UPLOAD:
        return f"sample:{field.samples[0].id}" if field.samples else "sample:document"
    if field.persona:
        return procedure.persona.value(field.persona)
    if field.expected is not None:
        return field.expected
    if kind is FieldType.CHOICE and field.options:
        return field.options[0].value
    return None


def page_solution(page: Page, procedure: Procedure, sms_code: str | None = None
                  ) -> dict[str, Any]:
    return {f.id: solution(f, procedure, sms_code) for f in page.fields}
