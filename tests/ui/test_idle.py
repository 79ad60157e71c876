"""Idle warning overlay, "Je suis encore là", and the wipe at zero (injected clock)."""
from __future__ import annotations

import pytest

from kiosk.sessions.state import SessionState

from .helpers import queued_records

pytestmark = pytest.mark.display


def go_idle(app, seconds):
    app.runtime.core.clock.advance(seconds)
    app._tick()


def test_idle_warning_counts_down_and_still_here_keeps_the_session(driver, ui_app):
    core = ui_app.runtime.core
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_help)
    go_idle(ui_app, core.idle.timeout_s)
    assert core.state is SessionState.IDLE_WARNING
    assert ui_app.overlay.parent is not None
    go_idle(ui_app, 10)
    driver.frames(1)
    assert ui_app.overlay.seconds == core.idle.warning_s - 10
    assert f"{int(core.idle.warning_s - 10)} secondes" in ui_app.overlay.ids.countdown.txt
    driver.tap(ui_app.overlay.ids.still_here)
    assert core.state is SessionState.ACTIVE
    assert ui_app.overlay.parent is None
    assert driver.screen().name == "help_call"  # back where they were


def test_idle_session_is_wiped_after_warning(driver, ui_app):
    core = ui_app.runtime.core
    driver.tap(driver.screen().ids.start)
    scan = core.new_file(".png", label="scan")
    scan.write_bytes(b"x")
    core.remember("nom", "Dupont")
    go_idle(ui_app, core.idle.timeout_s)
    go_idle(ui_app, core.idle.warning_s)
    assert not scan.exists()
    assert core.recall("nom") is None
    # Nobody is there to answer a survey: straight back to the welcome screen.
    assert core.state is SessionState.IDLE
    assert driver.screen().name == "welcome"
    assert ui_app.overlay.parent is None
    assert queued_records(ui_app)[-1]["end_reason"] == "idle_timeout"


def test_unanswered_end_screen_returns_to_welcome_by_itself(driver, ui_app):
    core = ui_app.runtime.core
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()  # "Oui, terminer et tout effacer"
    assert driver.screen().name == "end"
    go_idle(ui_app, core.idle.warning_s * 2)
    assert driver.screen().name == "welcome"
    assert queued_records(ui_app)[-1]["survey"] is None


def test_touches_under_the_overlay_do_not_reach_the_screen(driver, ui_app):
    core = ui_app.runtime.core
    driver.tap(driver.screen().ids.start)
    go_idle(ui_app, core.idle.timeout_s)
    done = driver.screen().ids.tile_done
    x, y = done.to_window(done.x + 5, done.y + 5)
    driver.tap_at(x, y)
    assert core.state is SessionState.ACTIVE  # any touch counts as "still here"...
    assert driver.screen().name == "home"     # ...but does not press what is underneath


def test_idle_warning_is_the_confirmations_card_with_a_title_and_reachable_at_double_size(
        driver, ui_app):
    """The idle warning and the confirmations are one modal card (kit/dialog.py): the same
    gutters, a header with a pictogram and a title at the page title's size; at text x2 in
    Arabic its button is still on screen."""
    from kiosk.screens.kit import ui
    from kiosk.screens.kit.dialog import ModalCard
    from kiosk.screens.layout_audit import window_box

    core = ui_app.runtime.core
    driver.tap(driver.screen().ids.lang_ar)
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_done)
    dialog = driver.confirmation()
    assert isinstance(dialog, ModalCard) and dialog.ids.title.txt == dialog.title
    title_size, padding = dialog.ids.title.font_size, list(dialog.ids.card.padding)
    driver.answer(confirm=False)   # stay
    previous = ui.text_scale
    try:
        ui.text_scale = 2.0
        go_idle(ui_app, core.idle.timeout_s)
        driver.frames(3)
        overlay = ui_app.overlay
        assert isinstance(overlay, ModalCard)
        assert list(overlay.ids.card.padding) == padding
        assert overlay.ids.card_icon.name == "clock"
        assert overlay.ids.title.txt == overlay.title == "هل ما زلت هنا؟"
        assert overlay.ids.title.font_size == title_size * 2
        button = window_box(overlay.ids.still_here)
        assert button.y >= 0 and button.top <= driver.window.height
        driver.tap(overlay.ids.still_here)
        assert core.state is SessionState.ACTIVE
    finally:
        ui.text_scale = previous
