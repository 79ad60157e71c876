"""« Imprimer cette page » on the browser screen goes through the kiosk's print service: the page
is printed as a PDF and counted in the visit's quota; once the quota is spent the resident reads
the quota's own plain message, not a generic failure (real app, real Chromium on the fake caf.fr,
real touches; the demo printer of the UI suite)."""
from __future__ import annotations

from typing import Any

import pytest
from browser.fake_sites import FakeSites

from kiosk.i18n import _
from kiosk.screens.browser import PRINT_SENT

from .helpers import caf_card
from .test_browser_journey import fake_sites, until

pytestmark = [pytest.mark.display, pytest.mark.browser]

__all__ = ["fake_sites"]  # the module's fixture, shared


def open_caf(driver: Any, ui_app: Any, fake_sites: FakeSites) -> Any:
    browsing = ui_app.runtime.browsing
    assert browsing is not None
    browsing.extra_switches = fake_sites.switches()
    driver.tap(caf_card(driver))
    browser = driver.screen()
    assert browser.name == "browser"
    assert until(driver, lambda: browser.site_key == "caf" and browser.ids.web.frames_shown > 0)
    return browser


def test_printing_the_page_counts_in_the_quota_and_a_spent_quota_is_said_plainly(
        driver: Any, ui_app: Any, fake_sites: FakeSites):
    browser = open_caf(driver, ui_app, fake_sites)
    prints = ui_app.runtime.print_service
    assert prints is not None
    before = prints.remaining()

    driver.tap(browser.ids.print_page)
    assert until(driver, lambda: browser.status == _(PRINT_SENT))
    assert prints.remaining() < before           # the page went through the quota

    quota = prints.quota_pages
    prints.quota_pages = 0                       # this visit's pages are spent
    try:
        driver.tap(browser.ids.print_page)
        assert until(driver, lambda: browser.status not in ("", _(PRINT_SENT)))
    finally:
        prints.quota_pages = quota
    assert browser.status.startswith("Vous avez atteint le nombre de pages autorisé")
    assert ui_app.runtime.core.in_session        # nothing lost: the resident stays on the page
