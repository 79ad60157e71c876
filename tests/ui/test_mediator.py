"""Mediator unlock by PIN (on the numeric pad) and by badge (demo reader), and the panel."""
from __future__ import annotations

import pytest

from kiosk.devices.demo_reader import DEMO_BADGE_UID
from kiosk.sessions.mediator_pin import MAX_FAILURES
from kiosk.sessions.state import SessionState

from .conftest import TEST_PIN
from .helpers import key_button, type_on

pytestmark = pytest.mark.display


def open_unlock(driver):
    driver.tap(driver.screen().ids.mediator)
    assert driver.screen().name == "mediator_unlock"
    return driver.screen()


def enter_pin(driver, screen, pin):
    keyboard = screen.ids.keyboard
    type_on(driver, keyboard, pin)
    driver.tap(key_button(keyboard, "{enter}"))


def present(app, uid):
    backend = app.runtime.reader.backend
    backend.present(uid)
    backend.take_away()


def test_mediator_unlocks_with_the_pin_typed_on_the_pad(driver, ui_app):
    screen = open_unlock(driver)
    assert screen.ids.keyboard.layout == "numeric"
    enter_pin(driver, screen, TEST_PIN)
    assert driver.screen().name == "mediator_panel"


def test_wrong_pin_is_refused_and_five_failures_lock_pin_entry(driver, ui_app):
    screen = open_unlock(driver)
    enter_pin(driver, screen, "0000")
    assert driver.screen().name == "mediator_unlock"
    assert screen.ids.status.txt == "Code incorrect."
    for _ in range(MAX_FAILURES - 1):
        enter_pin(driver, screen, "0000")
    assert screen.ids.status.txt.startswith("Trop d'essais")
    enter_pin(driver, screen, TEST_PIN)  # even the right PIN waits for the lock to end
    assert driver.screen().name == "mediator_unlock"
    ui_app.runtime.core.clock.advance(ui_app.runtime.pin_gate.locked_for() + 1)
    enter_pin(driver, screen, TEST_PIN)
    assert driver.screen().name == "mediator_panel"


def test_enrolled_badge_unlocks_and_unknown_badge_is_refused_without_reason(driver, ui_app):
    runtime = ui_app.runtime
    if not runtime.verify_badge(DEMO_BADGE_UID):
        assert runtime.enrol_badge(DEMO_BADGE_UID, "Badge de test") is None
    open_unlock(driver)
    present(ui_app, bytes.fromhex("0102030405"))
    driver.frames(2)
    assert driver.screen().name == "mediator_unlock"
    assert driver.screen().ids.status.txt == "Badge refusé."
    present(ui_app, DEMO_BADGE_UID)
    driver.frames(2)
    assert driver.screen().name == "mediator_panel"


def test_mediator_enrols_a_badge_named_on_the_azerty_keyboard(driver, ui_app):
    ui_app.open_mediator_panel()
    driver.frames(2)
    panel = driver.screen()
    driver.tap(panel.ids.enrol)
    field, keyboard = panel._field, panel._keyboard
    assert keyboard.layout == "azerty"
    type_on(driver, keyboard, "Zoé")
    assert field.value == "Zoé"
    new_uid = bytes.fromhex("0A0B0C0D")
    present(ui_app, new_uid)
    driver.frames(2)
    assert "enregistré" in panel.notice
    assert ui_app.runtime.verify_badge(new_uid)


def test_mediator_ends_a_stuck_session_and_sets_out_of_order(driver, ui_app):
    core = ui_app.runtime.core
    driver.tap(driver.screen().ids.start)
    kept = core.new_file(".pdf", label="document")
    ui_app.open_mediator_panel()
    driver.frames(2)
    panel = driver.screen()
    driver.tap(panel.ids.end_session)
    assert not kept.exists()
    assert core.state is SessionState.IDLE
    driver.tap(panel.ids.out_of_order)
    assert core.state is SessionState.OUT_OF_ORDER
    driver.tap(panel.ids.close)
    assert driver.screen().name == "out_of_order"
    assert "l'accueil" in driver.screen().ids.body.txt
    ui_app.open_mediator_panel()
    driver.frames(1)
    driver.tap(driver.screen().ids.out_of_order)
    driver.tap(driver.screen().ids.close)
    assert driver.screen().name == "welcome"


def test_panel_shows_device_states_and_server_state(driver, ui_app):
    ui_app.open_mediator_panel()
    driver.frames(2)
    panel = driver.screen()
    lines = [w.txt for w in panel.ids.devices.children]
    assert any(line.startswith("Imprimante : disponible") for line in lines)
    assert any(line.startswith("Lecteur de badge : ") for line in lines)
    assert "pas de serveur configuré" in panel.server_txt


def test_mediator_tries_a_draft_that_residents_never_see(driver, ui_app):
    """A French-only procedure is a draft: listed only in the mediator's test mode, which ends
    with the session."""
    from pathlib import Path

    from kiosk.practice.catalogue import SHIPPED_DIR, load_catalogue
    from kiosk_wire.schema import EndReason, Language

    runtime = ui_app.runtime
    saved = runtime.practice
    runtime.practice = load_catalogue(
        [SHIPPED_DIR, Path(__file__).parents[1] / "practice" / "drafts"])
    try:
        ui_app.start_session(Language.FR, set())
        ui_app.show("practice_catalogue")
        driver.frames(2)
        assert "cantine-brouillon" not in driver.screen().shown
        ui_app.open_mediator_panel()
        driver.frames(2)
        panel = driver.screen()
        assert panel.ids.drafts.txt == "Essayer 1 démarche en brouillon"
        driver.tap(panel.ids.drafts)
        driver.frames(2)
        catalogue = driver.screen()
        assert catalogue.name == "practice_catalogue"
        assert "cantine-brouillon" in catalogue.shown
        assert catalogue._cards["cantine-brouillon"].title.startswith("Brouillon (médiateurs) : ")
        runtime.core.end(EndReason.MEDIATOR, offer_survey=False)
        assert runtime.practice_drafts_shown is False
    finally:
        runtime.practice = saved
    ui_app.open_mediator_panel()
    driver.frames(2)
    assert driver.screen().ids.drafts.txt == "Aucune démarche en brouillon"
    assert driver.screen().ids.drafts.disabled


def test_the_panel_is_on_the_page_template_and_retour_steps_back_from_an_enrolment(
        driver, ui_app):
    """« Retour » in the bar's place: from a badge being named, back to the panel (the
    keyboard docked in the template goes); from the panel, out of the mediator's space."""
    ui_app.open_mediator_panel()
    driver.frames(2)
    panel = driver.screen()
    page = panel.ids.page
    driver.tap(panel.ids.enrol)
    assert page.keyboard is panel._keyboard and panel._keyboard.parent == page.ids.dock
    driver.tap(panel.ids.bar_back)
    assert driver.screen() is panel and not panel.enrolling and page.keyboard is None
    driver.tap(panel.ids.bar_back)
    assert driver.screen().name != "mediator_panel" and not ui_app.mediator_mode
