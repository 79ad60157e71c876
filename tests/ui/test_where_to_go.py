"""Where to go instead (setting kiosk.where_to_go): read in the resident's language when it is
the default, shown as the site typed it otherwise — on the out-of-order and help-call screens."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.display


@pytest.mark.parametrize("lang, place", [("fr", "l'accueil"), ("en", "the reception desk"),
                                         ("ar", "مكتب الاستقبال")])
def test_out_of_order_screen_names_the_default_place_in_the_residents_language(
        driver, ui_app, lang, place):
    driver.tap(driver.screen().ids[f"lang_{lang}"])
    ui_app.runtime.core.set_out_of_order()
    driver.frames(2)
    assert driver.screen().name == "out_of_order"
    assert place in driver.screen().ids.body.txt


def test_switching_language_on_the_out_of_order_screen_translates_the_place(driver, ui_app):
    ui_app.runtime.core.set_out_of_order()
    driver.frames(1)
    body = driver.screen().ids.body
    assert "l'accueil" in body.txt
    ui_app.ui.set_language("en")
    driver.frames(1)
    assert "the reception desk" in body.txt and "accueil" not in body.txt


def test_help_call_offline_sends_the_resident_to_the_place_in_english(driver, ui_app):
    driver.tap(driver.screen().ids.lang_en)
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_help)
    assert driver.screen().name == "help_call"
    assert driver.screen().ids.body.txt == "Go to the reception desk: someone will help you."


def test_a_place_typed_by_the_site_is_shown_as_typed(driver, ui_app):
    runtime = ui_app.runtime
    saved = runtime.settings
    runtime.settings = saved.with_overrides({"kiosk.where_to_go": "la salle 2 (mairie)"})
    try:
        driver.tap(driver.screen().ids.lang_en)
        runtime.core.set_out_of_order()
        driver.frames(1)
        assert "la salle 2 (mairie)" in driver.screen().ids.body.txt
    finally:
        runtime.settings = saved
