"""In guided mode, on a page awaiting a code (SMS or e-mail), the hint says to read the code on
the simulated phone: the phone comes into view with the hint, even in Arabic at text x2 where
the page is much taller than the screen (the phone sits above the site)."""
from __future__ import annotations

from typing import Any

import pytest

from kiosk.screens.kit import ui
from kiosk.screens.layout_audit import Box, _viewport, window_box
from kiosk_wire.schema import Language

from .practice_play import advance_to, open_practice

pytestmark = pytest.mark.display

CODE_TYPES = {"sms_code", "email_code"}


def first_code_page(catalogue: Any) -> tuple[str, str]:
    """A procedure whose guide points at a code field first on some page."""
    for procedure in catalogue.procedures:
        for page in procedure.pages:
            if page.fields and page.fields[0].type.value in CODE_TYPES:
                return procedure.id, page.id
    raise AssertionError("no page starting with a code field in the catalogue")


def in_view(driver: Any, widget: Any) -> bool:
    screen = Box(0, 0, driver.window.width, driver.window.height)
    return _viewport(widget, screen).contains(window_box(widget))


def test_the_guides_hint_on_a_code_field_brings_the_phone_into_view_at_x2_in_arabic(
        driver, ui_app, ui_artifacts):
    pid, page_id = first_code_page(ui_app.runtime.practice)
    ui_app.start_session(Language.AR, set())
    ui.set_language("ar")
    ui.text_scale = 2.0
    try:
        driver.frames(2)
        screen = open_practice(driver, ui_app, pid, "guided")
        advance_to(driver, screen, page_id)
        driver.frames(6)   # the guide's hint is put in the page on the next tick, then laid out
        assert screen.has_sms and screen.bubble.parent is not None, "the guide's hint is shown"
        message = screen.ids.phone.ids.sms
        driver.screenshot(ui_artifacts / f"code-page-phone-{pid}-ar-x2.png")
        assert screen.run.sms_code in message.txt
        assert in_view(driver, message), "the code on the phone is in view with the hint"
    finally:
        ui.text_scale = 1.0
        ui.set_language("fr")
