"""« Scanner un document maintenant » from a site's upload picker (issue #12): the scan screen
says it will go back to the site, and going back (from its first step, or « Revenir au site »
once the document is made) returns to the browser's page, where the upload is still to do. A
scan begun from home, or in the next session, ends at home as before. Real app, simulated
touches; the browser's page itself is not needed for the way back."""
from __future__ import annotations

from typing import Any

import pytest

from kiosk_wire.schema import EndReason

from .test_practice_screens import start_session

pytestmark = pytest.mark.display


def _scan_from_the_picker(driver: Any, ui_app: Any) -> Any:
    browser = ui_app.sm.get_screen("browser")
    ui_app.sm.current = "browser"   # the resident is on a site's page
    driver.settle()
    browser.scan()                  # the picker's « Scanner un document maintenant »
    driver.settle()
    driver.frames(2)
    scan = driver.screen()
    assert scan.name == "scan"
    return scan


def test_a_scan_asked_by_a_sites_upload_comes_back_to_the_site(driver: Any, ui_app: Any):
    if not ui_app.has_screen("browser") or not ui_app.has_screen("scan"):
        pytest.skip("the browser or the scan screen is not offered on this machine")
    start_session(ui_app, driver)
    scan = _scan_from_the_picker(driver, ui_app)
    assert scan.ids.finish.txt == "Revenir au site"
    assert scan.ids.bar_back.offered  # « Retour » on the first step too: back to the site
    driver.tap(scan.ids.bar_back)
    assert driver.screen().name == "browser"

    scan = _scan_from_the_picker(driver, ui_app)
    scan.finish()                   # « Revenir au site » on the result
    driver.settle()
    assert driver.screen().name == "browser" and not scan.for_site

    _scan_from_the_picker(driver, ui_app)
    ui_app.runtime.core.end(EndReason.FINISHED)
    driver.frames(2)
    assert not scan.for_site        # the next resident's scan ends at home
    ui_app.reset_for_next_test()    # (the end screen, then the welcome screen)
    start_session(ui_app, driver)
    driver.tap(driver.screen().ids.tile_scan)
    driver.settle()
    assert driver.screen().name == "scan" and scan.ids.finish.txt == "Terminé"
    assert not scan.ids.bar_back.offered  # from home: « Accueil » only, as before
