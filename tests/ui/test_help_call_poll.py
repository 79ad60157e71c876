"""« Appeler un médiateur » on the real app against a real `kiosk-server run` (uvicorn subprocess on
SQLite): when a mediator answers "J'arrive" in the console, the help-call screen says "Un
médiateur arrive." within a few seconds — from the help desk's poll, with no heartbeat at all —
and the UI loop never waits on the network meanwhile."""
from __future__ import annotations

import pytest

from kiosk.sync.help import HelpStatus
from kiosk_server import live

from .server_desk import frames_until

pytestmark = pytest.mark.display


def test_mediator_answer_reaches_the_help_screen_without_a_heartbeat(driver, ui_app,
                                                                     polling_desk):
    desk, engine = polling_desk
    # The fixture's desk has no heartbeat beside it: only its own poll can bring the answer.
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_help)
    screen = driver.screen()
    assert screen.name == "help_call"
    assert frames_until(driver, lambda: screen.ids.status.txt == "Un médiateur a été prévenu.")
    assert desk.status is HelpStatus.SENT

    with engine.begin() as conn:  # "J'arrive" in the console
        assert live.acknowledge_help(conn, str(desk.request_id))

    assert frames_until(driver, lambda: screen.ids.status.txt == "Un médiateur arrive.")
    assert screen.ids.body.txt == "Restez devant la borne : il vient vers vous."
    assert desk.status is HelpStatus.ACKNOWLEDGED
