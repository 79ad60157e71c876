"""The official sites and the browser screen on the page template, by touch at text ×2:
from the home tile to a site card (the cards' screen audited too), the site's name in the
header, the bar's actions in their usual slots, the kiosk's keyboard docked above the bar
while typing into the page, the end confirmation reachable, and the layout audit finds
nothing (real app, real Chromium on the fake caf.fr, real touches)."""
from __future__ import annotations

from typing import Any

import pytest
from browser.fake_sites import FakeSites

from kiosk.screens import layout_audit
from kiosk.screens.kit import ui

from .helpers import type_on
from .test_browser_journey import STEP_TIMEOUT_S, fake_sites, tap_page_element, until

pytestmark = [pytest.mark.display, pytest.mark.browser]

__all__ = ["fake_sites"]  # the module's fixture, shared


def on_screen(driver: Any, widget: Any) -> bool:
    x, y = widget.to_window(widget.center_x, widget.center_y)
    return 0 <= x <= driver.window.width and 0 <= y <= driver.window.height


def test_the_browser_at_double_text_size_keeps_its_controls_and_docks_the_keyboard(
        driver: Any, ui_app: Any, fake_sites: FakeSites):
    runtime = ui_app.runtime
    browsing = runtime.browsing
    assert browsing is not None
    browsing.extra_switches = fake_sites.switches()
    welcome = driver.screen()
    while ui.text_scale < 2.0:
        driver.tap(welcome.ids.large_text)
    driver.tap(welcome.ids.start)
    home = driver.screen()
    assert home.name == "home" and ui.text_scale == 2.0

    home.ids.scroller.scroll_to(home.ids.tile_online, animate=False)
    driver.frames(2)
    driver.tap(home.ids.tile_online)          # "Faire ma démarche en ligne"
    sites = driver.screen()
    assert sites.name == "official_sites"
    driver.frames(2)
    assert sites.ids.bar_home.txt == "Accueil" and on_screen(driver, sites.ids.bar_mediator)
    assert layout_audit.audit(sites, driver.window, "official sites ×2") == []
    caf = next(card for card in sites.ids.cards.children if card.site_key == "caf")
    sites.ids.scroller.scroll_to(caf, animate=False)
    driver.frames(2)
    driver.tap(caf)
    browser = driver.screen()
    assert browser.name == "browser"
    assert until(driver, lambda: browser.site_key == "caf" and browser.ids.web.frames_shown > 0)
    assert browser.ids.page.title == "CAF"    # the site's name in the template's header
    bar = [browser.ids.bar_back, browser.ids.bar_help, browser.ids.bar_mediator,
           browser.ids.bar_home]
    assert [b.txt for b in bar] == ["Retour", "Aide", "Appeler un médiateur", "J'ai terminé"]
    assert all(on_screen(driver, b) for b in bar)
    assert layout_audit.audit(browser, driver.window, "browser ×2") == []

    tap_page_element(driver, browser, "#email")
    assert until(driver, lambda: browser.keyboard_shown)
    keyboard = browser.ids.keyboard
    assert keyboard.parent == browser.ids.page.ids.dock   # docked by the template
    assert keyboard.layout == "email"
    kb_bottom = keyboard.to_window(keyboard.x, keyboard.y)[1]
    bar_top = browser.ids.bar_back.to_window(0, browser.ids.bar_back.top)[1]
    assert kb_bottom >= bar_top - 1 and on_screen(driver, browser.ids.bar_home)
    assert layout_audit.audit(browser, driver.window, "browser ×2, keyboard") == []
    type_on(driver, keyboard, "lea")
    assert until(driver, lambda: browser.service.on_page(
        lambda page: page.input_value("#email")).result(STEP_TIMEOUT_S) == "lea")

    driver.tap(browser.ids.bar_help)          # the help under the header, by touch
    assert "J'ai terminé" in browser.ids.page.hint.txt and browser.ids.page.hint.parent
    browser.ids.page.dismiss_hint()
    driver.tap(browser.ids.bar_home)          # "J'ai terminé": a confirmation first
    assert browser.confirm_end and on_screen(driver, browser.ids.confirm_yes)
    assert not browser.keyboard_shown
    driver.tap(browser.ids.confirm_no)
    assert not browser.confirm_end and runtime.core.in_session
    driver.tap(browser.ids.bar_home)
    driver.tap(browser.ids.confirm_yes)
    assert not runtime.core.in_session and browsing.service is None
    driver.frames(2)
    assert browser.ids.web.texture is None and browser.site_key == ""  # no picture left
