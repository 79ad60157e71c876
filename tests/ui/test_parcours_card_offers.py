"""Where the progress card is offered (demo devices, by touch): on the debrief of an exercise
of the parcours, and by "J'ai terminé" in the browser as on the home screen, each card screen's
"Retour" going back where it was offered; never when the session ends by inactivity (nobody is
there to take it). Printing the card itself: tests/ui/test_parcours_journey.py (real cupsd)."""
from __future__ import annotations

import pytest

from kiosk_wire.schema import EndReason

from .test_parcours_journey import PARCOURS, play_exercise, start_session, to_catalogue

pytestmark = pytest.mark.display

CARD = "practice_parcours_card"


def one_exercise_done(driver, app):
    start_session(app, driver)
    catalogue = to_catalogue(driver)
    driver.tap(catalogue.parcours_button(PARCOURS))
    driver.frames(2)
    driver.tap(driver.screen().ids.start_next)
    return play_exercise(driver)


def back(driver, screen):
    driver.tap(screen.ids.page.ids.bar_back)
    driver.frames(2)
    return driver.screen()


def test_the_card_is_offered_on_the_debrief_and_by_the_browsers_j_ai_termine(driver, ui_app):
    debrief = one_exercise_done(driver, ui_app)
    assert debrief.card_offered
    debrief.ids.scroller.scroll_to(debrief.ids.parcours_card, animate=False)
    driver.frames(2)
    driver.tap(debrief.ids.parcours_card)
    card = driver.screen()
    assert card.name == CARD and "1 exercice" in card.ids.body.txt
    assert back(driver, card).name == "practice_debrief"

    ui_app.show("browser")
    driver.frames(2)
    browser = driver.screen()
    driver.tap(browser.ids.page.ids.bar_home)  # "J'ai terminé"
    driver.frames(2)
    assert driver.screen().name == CARD
    assert back(driver, driver.screen()) is browser and not browser.confirm_end
    ui_app.runtime.core.end(EndReason.FINISHED, offer_survey=False)
    ui_app.runtime.core.complete(None)


def test_the_card_is_not_offered_when_the_session_ends_by_inactivity(driver, ui_app):
    debrief = one_exercise_done(driver, ui_app)
    assert debrief.card_offered
    ui_app.runtime.core.end(EndReason.IDLE_TIMEOUT, offer_survey=False)
    driver.frames(2)
    assert driver.screen().name != CARD
    ui_app.runtime.core.complete(None)
    assert not ui_app.screen(CARD).worth_offering()  # the parcours went with the session
