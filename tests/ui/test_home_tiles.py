"""Widgets a screen keeps out of its layout until they are needed (a home tile whose device is
unplugged, the browser's end confirmation and picker, the mediator's PIN pad) are owned by the
screen, not left to the garbage collector: ``ids`` holds only weak proxies, and once built
widgets stopped being kept alive by a strong binding on the shared ui state, the practice monkey
met a ReferenceError on its way home (the scan tile had been freed while hidden)."""
from __future__ import annotations

import gc

import pytest

from kiosk.runtime import Feature
from kiosk_wire.schema import Language

pytestmark = pytest.mark.display


def test_a_tile_hidden_then_available_again_is_shown_and_leads_to_its_screen(
        driver, ui_app, monkeypatch):
    runtime = ui_app.runtime
    ui_app.start_session(Language.FR, set())
    driver.frames(2)
    home = driver.screen()
    assert home.name == "home" and "scan" in home.visible_tiles()

    available = runtime.feature_available
    monkeypatch.setattr(runtime, "feature_available",
                        lambda feature: feature is not Feature.SCAN and available(feature))
    ui_app.show("official_sites")
    ui_app.show("home")                  # the scanner is gone: no scan tile
    driver.frames(2)
    assert "scan" not in home.visible_tiles()
    gc.collect()                         # nothing but the screen keeps the hidden tile

    monkeypatch.setattr(runtime, "feature_available", available)
    ui_app.show("official_sites")
    ui_app.show("home")                  # the scanner is back
    driver.frames(2)
    assert driver.screen().name == "home"
    tile = home.ids.tile_scan
    assert tile.parent is home.ids.tiles.__self__
    driver.tap(tile)
    assert driver.screen().name == "scan"


def test_widgets_kept_out_of_the_layout_until_shown_survive_the_garbage_collector(
        driver, ui_app):
    """The browser's end confirmation and document picker, and the mediator's PIN pad, wait
    out of the layout until shown: still there after a garbage collection."""
    browser = ui_app.screen("browser")
    unlock = ui_app.screen("mediator_unlock")
    gc.collect()
    browser.confirm_end = True
    browser.picking = True
    assert browser.ids.confirm.parent is not None and browser.ids.picker.parent is not None
    browser.confirm_end = browser.picking = False
    ui_app.show("mediator_unlock")
    driver.frames(2)
    assert unlock.ids.keyboard.parent is not None    # docked under the PIN field
