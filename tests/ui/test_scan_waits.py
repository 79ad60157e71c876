"""A scan's wait as the resident sees it: words and a turning spinner over the screen (not a
faded screen), the preview before the full scan ends, and a stop that is asked first. The
demo scanner is held like a slow flatbed (DemoScanner.hold) so the wait is there to look at."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.sessions.state import SessionState
from kiosk_wire.schema import EndReason

pytestmark = pytest.mark.display


@pytest.fixture
def slow_scanner(ui_app) -> Iterator[Any]:
    scanner = ui_app.runtime.scanner.backend
    yield scanner
    scanner.release()
    scanner.inject(None)
    scanner.place("letter")


def frames_until(driver, condition, limit: int = 500) -> bool:
    import threading

    for _ in range(limit):
        if condition():
            return True
        threading.Event().wait(0.01)
        driver.frames(1)
    return condition()


def to_place_step(driver, doc_type: str = "proof") -> Any:
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    button = next(b for b in screen.ids.types.children if b.doc_type == doc_type)
    driver.tap(button)
    assert screen.step == "place"
    return screen


def test_a_scan_shows_what_happens_and_the_preview_before_it_ends(driver, ui_app, slow_scanner):
    screen = to_place_step(driver)
    slow_scanner.hold()
    driver.tap(screen.ids.scan_button)
    panel = screen.busy_panel
    assert screen.busy and panel.parent is screen
    assert panel.ids.words.txt == "Numérisation en cours… Ne soulevez pas le capot."
    # The low-resolution preview arrives while the full scan is still held.
    assert frames_until(driver, lambda: panel.preview is not None)
    assert screen.busy and panel.ids.preview.opacity == 1
    spinner = panel.ids.spinner
    before = spinner.angle
    driver.frames(3)
    assert spinner.angle != before          # the spinner turns: visibly alive
    slow_scanner.release()
    screen.wait_idle(lambda: driver.frames(1))
    assert screen.step == "pages" and panel.parent is None and screen.flow.pages


def test_stopping_a_scan_is_asked_first_and_keeps_nothing(driver, ui_app, slow_scanner):
    screen = to_place_step(driver)
    slow_scanner.hold()
    driver.tap(screen.ids.scan_button)
    panel = screen.busy_panel
    driver.frames(2)
    driver.tap(panel.ids.cancel)                       # "Arrêter la numérisation"
    dialog = driver.confirmation()
    assert dialog is not None and dialog.title == "Arrêter la numérisation ?"
    driver.answer(confirm=False)                       # "Non, continuer la numérisation"
    assert screen.busy
    driver.tap(panel.ids.cancel)
    driver.answer()                                    # "Oui, arrêter"
    screen.wait_idle(lambda: driver.frames(1))
    assert screen.step == "place" and screen.flow.pages == []
    assert screen.ids.fault.message == ""              # a stop asked for is not a fault
    assert ui_app.runtime.scanner.state.value == "ready"
    slow_scanner.release()


def test_ending_the_session_mid_scan_stops_the_scan(driver, ui_app, slow_scanner):
    core = ui_app.runtime.core
    screen = to_place_step(driver)
    slow_scanner.hold()
    driver.tap(screen.ids.scan_button)
    assert screen.busy
    core.end(EndReason.FINISHED)
    driver.frames(2)
    assert core.state is SessionState.ENDING
    assert not screen.busy and screen.busy_panel.parent is None
    assert frames_until(driver, lambda: ui_app.runtime.scanner.state.value == "ready")
