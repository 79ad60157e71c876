"""A practice page keeps its room for the site: what the kiosk shows above the simulated browser
takes no space for what is not there (no call to a mediator, no simulated phone), and the
browser's address bar, the site's band and the page join as one browser does."""
from __future__ import annotations

import pytest

from kiosk_wire.schema import Language

from .practice_play import open_practice

pytestmark = pytest.mark.display


def test_the_tools_above_a_practice_page_take_no_room_for_what_is_hidden(driver, ui_app):
    ui_app.start_session(Language.FR, set())
    driver.frames(2)
    screen = open_practice(driver, ui_app, "caf-demenagement", mode="alone")
    driver.frames(2)
    ids = screen.ids
    assert not screen.help_status and not screen.has_sms
    tools = ids.tools
    top, bottom = tools.padding[1], tools.padding[3]
    buttons = ids.persona.parent
    # before: three hidden lines (call, cancel, phone) still took 10 dp of spacing each
    assert tools.height == pytest.approx(top + buttons.height + ids.mode.height + bottom, abs=1)
    # the simulated browser: no gap between the address bar, the site's band and the page
    assert ids.address.y == pytest.approx(ids.operator.top, abs=1)
    assert ids.operator.y == pytest.approx(ids.form.top, abs=1)


def test_a_call_in_progress_shows_its_line_and_its_cancel_button_in_the_tools(driver, ui_app):
    ui_app.start_session(Language.FR, set())
    driver.frames(2)
    screen = open_practice(driver, ui_app, "caf-demenagement", mode="alone")
    screen.help_status = "Un médiateur va venir."
    screen.help_cancellable = True
    driver.frames(3)
    ids = screen.ids
    try:
        assert ids.help_status.height > 0 and ids.cancel_call.height >= 48
        # each shown line keeps a gap from the line above it
        assert ids.mode.y - ids.help_status.top == pytest.approx(0, abs=1)
        assert ids.help_status.y - ids.cancel_call.top >= 9
        assert ids.cancel_call.y >= ids.tools.y
    finally:
        screen.help_status = ""
        screen.help_cancellable = False
        driver.frames(2)
