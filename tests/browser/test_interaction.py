"""What the kiosk forwards to the page: pictures out, taps and typing in, text size, printing."""
from __future__ import annotations

import pytest

from browser.conftest import STEP_TIMEOUT_S, eventually
from browser.fake_sites import ALLOWED_HOST
from kiosk.browser import interaction
from kiosk.browser.interaction import FieldKind
from kiosk.browser.service import BrowserService

pytestmark = pytest.mark.browser

CAF = f"https://{ALLOWED_HOST}/"


def centre_of(browser: BrowserService, selector: str) -> tuple[float, float]:
    box = browser.on_page(lambda page: page.locator(selector).bounding_box()).result(
        STEP_TIMEOUT_S)
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_page_is_sent_as_jpeg_pictures(browser: BrowserService):
    frames: list[bytes] = []
    browser.watch(frames.append).result(STEP_TIMEOUT_S)
    browser.open(CAF).result(STEP_TIMEOUT_S)
    assert eventually(lambda: len(frames) > 0)
    assert frames[-1][:2] == b"\xff\xd8"  # JPEG


def test_a_tap_on_an_email_field_asks_for_the_email_keyboard_and_typing_fills_it(
        browser: BrowserService):
    browser.open(CAF).result(STEP_TIMEOUT_S)
    x, y = centre_of(browser, "#email")
    kind = browser.on_page(lambda page: interaction.tap(page, x, y)).result(STEP_TIMEOUT_S)
    assert kind is FieldKind.EMAIL
    browser.on_page(lambda page: interaction.type_text(page, "léa.durand@exemple.fr")).result(
        STEP_TIMEOUT_S)
    browser.on_page(lambda page: interaction.press(page, "Backspace")).result(STEP_TIMEOUT_S)
    value = browser.on_page(lambda page: page.input_value("#email")).result(STEP_TIMEOUT_S)
    assert value == "léa.durand@exemple.f"
    title_x, title_y = centre_of(browser, "#title")
    kind = browser.on_page(lambda page: interaction.tap(page, title_x, title_y)).result(
        STEP_TIMEOUT_S)
    assert kind is FieldKind.NONE  # the keyboard hides


def test_each_field_asks_for_the_keyboard_its_type_or_inputmode_calls_for(
        browser: BrowserService):
    browser.open(f"https://{ALLOWED_HOST}/champs").result(STEP_TIMEOUT_S)
    expected = {"#name": FieldKind.TEXT, "#tel": FieldKind.NUMERIC, "#number": FieldKind.NUMERIC,
                "#code": FieldKind.NUMERIC, "#decimal": FieldKind.NUMERIC,
                "#mail": FieldKind.EMAIL, "#day": FieldKind.DATE, "#fixed": FieldKind.NONE,
                "#note": FieldKind.TEXT}
    found = {}
    for selector in expected:
        x, y = centre_of(browser, selector)
        found[selector] = browser.on_page(lambda page, x=x, y=y: interaction.tap(page, x, y)
                                          ).result(STEP_TIMEOUT_S)
    assert found == expected


def test_read_aloud_reads_the_words_a_double_or_triple_tap_selects_else_the_heading(
        browser: BrowserService):
    browser.open(f"https://{ALLOWED_HOST}/champs").result(STEP_TIMEOUT_S)

    def readable() -> str:
        return browser.on_page(interaction.readable_text).result(STEP_TIMEOUT_S)

    def taps(selector: str, count: int) -> None:
        x, y = centre_of(browser, selector)
        for clicks in range(1, count + 1):  # a quick series on one spot, as the view counts
            browser.on_page(lambda page, c=clicks: interaction.tap(page, x, y, c)).result(
                STEP_TIMEOUT_S)

    assert readable() == "Votre dossier"  # nothing selected: the page's main heading
    taps("#word", 2)
    assert readable() == "montant"
    taps("#word", 3)
    assert readable() == "Le montant de votre aide change en janvier."
    taps("#title", 1)  # a single tap elsewhere: the selection goes
    assert readable() == "Votre dossier"


def test_text_size_zooms_the_page_and_stays_for_the_next_pages(browser: BrowserService):
    browser.open(CAF).result(STEP_TIMEOUT_S)
    browser.set_zoom(1.5).result(STEP_TIMEOUT_S)

    def zoom() -> str:
        return browser.on_page(
            lambda page: page.evaluate("document.documentElement.style.zoom")).result(
            STEP_TIMEOUT_S)

    assert zoom() == "1.5"
    browser.open(f"https://{ALLOWED_HOST}/frames").result(STEP_TIMEOUT_S)
    assert eventually(lambda: zoom() == "1.5")
    browser.set_zoom(1.0).result(STEP_TIMEOUT_S)


def test_this_page_prints_as_a_pdf(browser: BrowserService, tmp_path):
    browser.open(CAF).result(STEP_TIMEOUT_S)
    path = browser.on_page(
        lambda page: interaction.print_to_pdf(page, tmp_path / "page.pdf")).result(STEP_TIMEOUT_S)
    assert path.read_bytes()[:5] == b"%PDF-"
