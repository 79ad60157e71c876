"""An official site that does not answer, in the browser screen: the kiosk's own page says so
(« Ce site ne répond pas… »), with no status line claiming the browser failed to start, and
none of Chromium's own error page reaches the screen (real app, real Chromium, www.caf.fr made
unresolvable)."""
from __future__ import annotations

from typing import Any

import pytest
from browser.fake_sites import ALLOWED_HOST, FakeSites

from kiosk.browser.allowlist import Refusal

from .helpers import caf_card
from .test_browser_journey import fake_sites, until

pytestmark = [pytest.mark.display, pytest.mark.browser]

__all__ = ["fake_sites"]  # the module's fixture, shared


def test_an_unreachable_site_shows_the_kiosks_page_and_no_failure_status(
        driver: Any, ui_app: Any, fake_sites: FakeSites):
    browsing = ui_app.runtime.browsing
    assert browsing is not None
    resolver, *others = fake_sites.switches()
    browsing.extra_switches = (resolver.replace(
        "--host-resolver-rules=", f"--host-resolver-rules=MAP {ALLOWED_HOST} ~NOTFOUND, "),
        *others)
    caf = caf_card(driver)
    browser = driver.app.sm.get_screen("browser") if driver.app.sm.has_screen("browser") \
        else None
    statuses: list[str] = []
    if browser is not None:
        browser.bind(status=lambda _screen, text: statuses.append(text))
    driver.tap(caf)
    if browser is None:
        browser = driver.screen()
        browser.bind(status=lambda _screen, text: statuses.append(text))
    assert browser.name == "browser"
    assert until(driver, lambda: browser.service is not None
                 and browser.service.view.refusal is Refusal.UNREACHABLE
                 and browser.ids.web.frames_shown > 0)
    assert until(driver, lambda: browser.service.on_page(
        lambda page: "ne répond pas" in page.inner_text("body")).result(30))
    driver.frames(3)
    assert browser.status == ""
    # Never « Le navigateur n'a pas pu démarrer » (it did start) nor a refusal of the site.
    assert [text for text in statuses if text not in ("", "Le site s'ouvre…")] == []
    assert browser.service.pages.screencast is not None
    # Back: the refusal page replaced the address that failed, and nothing was before it in
    # this visit: the list of sites, not a blank page
    driver.tap(browser.ids.bar_back)
    assert until(driver, lambda: driver.screen().name == "official_sites")
