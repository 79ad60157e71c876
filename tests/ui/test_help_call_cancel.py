"""« Annuler mon appel » on the real app against a real `kiosk-server run`: the resident
cancels a help call; the screen says so, and the mediators' side (the server's live view) no
longer shows it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from kiosk.sync.help import HelpStatus
from kiosk_server import live
from kiosk_server import tables as t

from .server_desk import frames_until

pytestmark = pytest.mark.display


def test_a_help_call_is_cancelled_by_touch_and_mediators_stop_seeing_it(driver, ui_app,
                                                                         polling_desk):
    desk, engine = polling_desk
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_help)
    screen = driver.screen()
    assert frames_until(driver, lambda: desk.status is HelpStatus.SENT)
    with engine.connect() as conn:
        assert [r["request_id"] for r in live.open_help_requests(conn)] == [str(desk.request_id)]
    cancel = screen.ids.cancel_call
    assert cancel.opacity == 1 and not cancel.disabled

    driver.tap(cancel)
    assert screen.ids.status.txt == "Votre appel est annulé."
    assert "appeler à nouveau" in screen.ids.body.txt
    assert cancel.disabled and cancel.opacity == 0
    desk.wait_idle()   # the cancellation's own thread has reached the server
    with engine.connect() as conn:
        assert live.open_help_requests(conn) == []
        status = conn.execute(sa.select(t.help_requests.c.status).where(
            t.help_requests.c.request_id == str(desk.request_id))).scalar_one()
    assert status == "cancelled"
    # The poll stops; nothing from the server brings the call back.
    desk.poll()
    assert desk.status is HelpStatus.CANCELLED

    driver.tap(screen.ids.back)
    driver.tap(driver.screen().ids.tile_help)   # calling again works
    assert frames_until(driver, lambda: desk.status is HelpStatus.SENT)
    assert driver.screen().ids.status.txt == "Un médiateur a été prévenu."


def test_there_is_nothing_to_cancel_when_no_mediator_could_be_told(driver, ui_app):
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_help)
    screen = driver.screen()
    assert screen.view == "go_to_desk"
    assert screen.ids.cancel_call.disabled and screen.ids.cancel_call.opacity == 0



def test_a_call_from_a_practice_page_is_cancelled_there_and_the_page_stays(driver, ui_app,
                                                                             polling_desk):
    from .practice_play import open_practice

    desk, engine = polling_desk
    driver.tap(driver.screen().ids.start)
    screen = open_practice(driver, ui_app, "caf-trimestrielle", "autonomous")
    page = screen.run.page.id
    assert screen.ids.cancel_call.disabled   # nothing to cancel before a call
    driver.tap(screen.ids.call_mediator)
    if screen.overlay.parent is not None:    # the status card: the page is behind it
        driver.tap(screen.overlay.ids.close)
    assert frames_until(driver, lambda: desk.status is HelpStatus.SENT)
    driver.frames(2)
    cancel = screen.ids.cancel_call
    assert not cancel.disabled and cancel.opacity == 1
    driver.tap(cancel)   # inside the page's scroll view: the button gets the tap a few frames on
    assert frames_until(driver, lambda: desk.status is HelpStatus.CANCELLED)
    assert screen.help_status == "Votre appel est annulé." and cancel.disabled
    assert driver.screen() is screen and screen.run.page.id == page
    desk.wait_idle()
    with engine.connect() as conn:
        assert live.open_help_requests(conn) == []
