"""Reading a progress card on the scanner by touch (demo scanner, a card made by the kiosk's
own code): a page without a card's code is told plainly, and a card still being read when the
session ends is never resumed in the next resident's session."""
from __future__ import annotations

import threading
import time

import pytest
from PIL import Image

from kiosk.practice import parcours_card
from kiosk.practice.qr import qr_image
from kiosk_wire.schema import EndReason, Language

pytestmark = pytest.mark.display


def open_resume(driver, app):
    app.start_session(Language.FR, set())
    driver.frames(2)
    driver.tap(driver.screen().ids.tile_practice)
    driver.frames(2)
    catalogue = driver.screen()
    catalogue.ids.scroller.scroll_to(catalogue.ids.resume_card, animate=False)
    driver.frames(2)
    driver.tap(catalogue.ids.resume_card)
    resume = driver.screen()
    assert resume.name == "practice_parcours_resume"
    return catalogue.flow, resume


def a_card(flow) -> Image.Image:
    parcours = flow.parcours.offered()["initiation"]
    sheet = Image.new("RGB", (1240, 1754), "white")
    sheet.paste(qr_image(parcours_card.encode(parcours, [0], flow.parcours.key()), scale=4),
                (80, 80))
    return sheet


def test_a_page_without_a_card_is_told_plainly(driver, ui_app):
    flow, resume = open_resume(driver, ui_app)
    ui_app.runtime.scanner.backend.place("letter")
    driver.tap(resume.ids.read_card)
    resume.wait_idle(lambda: driver.frames(1))
    assert resume.ids.status.txt == parcours_card.READING_MESSAGES[
        parcours_card.CardReading.NO_CODE]
    assert flow.parcours.progress is None


def test_a_card_read_while_the_session_ends_is_not_resumed_in_the_next_one(driver, ui_app):
    flow, resume = open_resume(driver, ui_app)
    scanner = ui_app.runtime.scanner.backend
    scanner.place(a_card(flow))
    scanner.hold()                           # a slow flatbed: the scan is still running...
    try:
        driver.tap(resume.ids.read_card)
        assert resume.busy
        ui_app.runtime.core.end(EndReason.MEDIATOR, offer_survey=False)   # ...when it ends
    finally:
        scanner.release()
    ui_app.start_session(Language.FR, set())
    deadline = time.monotonic() + 30
    while any(t.name == "kiosk-card" for t in threading.enumerate()):  # the scan finishes
        assert time.monotonic() < deadline, "the card's scan never finished"
        driver.frames(1)
    driver.frames(3)                         # its result reaches the UI thread, or not
    assert flow.parcours.progress is None, "the previous resident's card is not resumed"
