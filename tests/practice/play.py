"""Scripted players for practice runs (shared by the engine and privacy tests)."""
from __future__ import annotations

from kiosk.practice.engine import PracticeRun
from kiosk.practice.model import FieldType
from kiosk.practice.solution import page_solution

MAX_PAGES = 60


def play_to_end(run: PracticeRun) -> list[str]:
    """Type the persona's values on every page until the end; the pages visited."""
    visited = [run.page.id]
    for _ in range(MAX_PAGES):
        if run.completed:
            return visited
        result = run.submit(page_solution(run.page, run.procedure, run.sms_code))
        assert result.ok, (run.procedure.id, run.page.id,
                           {k: e.text() for k, e in result.errors.items()})
        visited.append(run.page.id)
    raise AssertionError(f"{run.procedure.id}: no end after {MAX_PAGES} pages")


EMPTY_MESSAGE_KEY = {
    FieldType.CHOICE: "choice.required",
    FieldType.CONSENT: "consent.required",
    FieldType.SIGNATURE: "consent.required",
    FieldType.DOCUMENT_UPLOAD: "document.required",
}


def empty_value(field_type: FieldType):
    return False if field_type in (FieldType.CONSENT, FieldType.SIGNATURE,
                                   FieldType.CHECKBOX) else ""
