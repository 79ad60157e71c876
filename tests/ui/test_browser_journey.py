"""Practise, then do it for real: the debrief opens the real (fake, local) caf.fr in the
kiosk's browser screen, the resident types into the page with the kiosk's keyboard, ends the
session, and nothing of the browser is left. Real app, real Chromium, simulated touches."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser.fake_sites import FakeSites, start_fake_sites

from kiosk.browser.profile import processes_using
from kiosk.browser.service import CHROMIUM

from .helpers import type_on
from .practice_play import open_practice, play_page, press_site_button
from .test_practice_screens import GUIDED_PROCEDURE, start_session

pytestmark = [pytest.mark.display, pytest.mark.browser]

STEP_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def fake_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeSites]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    sites = start_fake_sites(tmp_path_factory.mktemp("fake-sites"))
    yield sites
    sites.stop()


def until(driver: Any, check: Any, timeout_s: float = STEP_TIMEOUT_S) -> bool:
    """Let the app run (the browser answers through the Kivy clock) until ``check()``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        driver.frames(1)
        if check():
            return True
        time.sleep(0.03)
    return bool(check())


def tap_page_element(driver: Any, screen: Any, selector: str) -> None:
    """Touch the centre of a page element on the kiosk's picture of the page."""
    box = screen.service.on_page(lambda page: page.locator(selector).bounding_box()).result(
        STEP_TIMEOUT_S)
    view = screen.ids.web
    width, height = view.viewport
    x = view.x + (box["x"] + box["width"] / 2) / width * view.width
    y = view.top - (box["y"] + box["height"] / 2) / height * view.height
    driver.tap_at(*view.to_window(x, y))


def test_practise_caf_then_do_it_for_real_type_and_end_with_everything_wiped(
        driver: Any, ui_app: Any, fake_sites: FakeSites):
    runtime = ui_app.runtime
    browsing = runtime.browsing
    assert browsing is not None
    browsing.extra_switches = fake_sites.switches()
    core = runtime.core
    start_session(ui_app, driver)
    home = driver.screen()
    assert home.ids.tile_online.parent is not None  # "Faire ma démarche en ligne" is offered

    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "guided")
    run = screen.run
    while not run.page.end:
        before = run.page.id
        play_page(driver, screen)
        assert run.page.id != before or run.page.end, f"stuck on {before}"
    press_site_button(driver, screen)   # "Terminer l'exercice et voir mon bilan", scrolled to
    debrief = driver.screen()
    assert debrief.name == "practice_debrief"
    assert debrief.ids.real_address.txt == "Le vrai site : www.caf.fr"
    assert debrief.can_go_real

    debrief.ids.scroller.scroll_to(debrief.ids.go_real, animate=False)   # swiped to, by a finger
    driver.frames(2)
    driver.tap(debrief.ids.go_real)   # "Faire la vraie démarche maintenant"
    browser = driver.screen()
    assert browser.name == "browser"
    assert until(driver, lambda: browser.site_key == "caf" and browser.ids.web.frames_shown > 0)
    assert browser.status == ""
    assert "/" in fake_sites.reached("www.caf.fr")

    from kiosk.screens.kit import ui
    said: list[str] = []
    hook, ui.speak_hook = ui.speak_hook, said.append
    view = browser.ids.web
    # (a loaded machine's frames must not split the series: the time is not what is tested)
    series, view.tap_series_s = view.tap_series_s, 60.0
    try:
        driver.tap(browser.ids.speak)  # the header's read aloud: the page's main heading
        assert until(driver, lambda: said == ["Caisse d'allocations familiales"])
        tap_page_element(driver, browser, "#aides")  # a double tap selects the word
        tap_page_element(driver, browser, "#aides")
        driver.tap(browser.ids.speak)  # read aloud now reads what is selected
        assert until(driver, lambda: said[-1:] == ["aides"])
    finally:
        ui.speak_hook = hook
        view.tap_series_s = series

    from kiosk.sessions.state import SessionState
    core.clock.advance(core.idle.timeout_s - 1)  # (the injected clock) nearly idle...
    ui_app._tick()
    assert core.state is SessionState.ACTIVE
    tap_page_element(driver, browser, "#email")  # ...a touch on the page is activity
    core.clock.advance(2)
    ui_app._tick()
    assert core.state is SessionState.ACTIVE  # no idle warning: the countdown started again
    assert until(driver, lambda: browser.keyboard_shown)
    keyboard = browser.ids.keyboard
    assert keyboard.layout == "email"
    type_on(driver, keyboard, "lea")

    def typed() -> str:
        return browser.service.on_page(lambda page: page.input_value("#email")).result(
            STEP_TIMEOUT_S)

    assert until(driver, lambda: typed() == "lea")

    # A scan made earlier in the session, sent to the site through the kiosk's own picker.
    from kiosk.documents.scanning import ScanResult
    from kiosk.documents.session_documents import DocumentKind
    from kiosk.media.pdf import images_to_pdf
    from kiosk.media.samples import letter_page

    scan = core.new_file(".pdf", "scan")
    images_to_pdf([letter_page(50)], scan, 50)
    runtime.documents.add(ScanResult(scan, 1), DocumentKind.SCAN, "Document scanné")
    tap_page_element(driver, browser, "#envoi")
    assert until(driver, lambda: "/envoi" in fake_sites.reached("www.caf.fr"))
    assert until(driver, lambda: browser.service.on_page(
        lambda page: page.locator("#upload").count()).result(STEP_TIMEOUT_S) == 1)
    tap_page_element(driver, browser, "#upload")
    assert until(driver, lambda: browser.picking)
    choices = browser.ids.choices.children
    assert len(choices) == 1  # only this session's documents
    driver.tap(choices[0])
    assert not browser.picking
    before = len(fake_sites.received())
    assert until(driver, lambda: not browser.service.transfers.asking)
    tap_page_element(driver, browser, "#send")
    assert until(driver, lambda: len(fake_sites.received()) > before)
    assert scan.read_bytes() in fake_sites.received()[-1]
    profile = browser.service.profile.root
    assert profile.exists() and processes_using(profile)

    driver.tap(browser.ids.bar_home)   # "J'ai terminé" in the bar, then the confirmation
    assert browser.confirm_end and core.in_session
    driver.tap(browser.ids.confirm_yes)
    assert not core.in_session
    assert browsing.service is None
    assert not Path(profile).exists()
    assert until(driver, lambda: processes_using(profile) == [])
