"""The print screen driven by simulated touches on the real app (Kivy offscreen) with the demo
printer: the job followed to "Impression terminée", cancel, paper out and quota refusal in
plain words, and the printer's state in plain words on the mediator panel."""
from __future__ import annotations

import pytest

from kiosk.devices.printer import PrinterState

from .test_scan_flow import follow_job, shoot, start_session

pytestmark = pytest.mark.display


@pytest.fixture
def demo_devices(ui_app):
    """The demo backends behind the facades, reset to a ready state after the test."""
    scanner = ui_app.runtime.scanner.backend
    printer = ui_app.runtime.printer.backend
    yield scanner, printer
    printer.inject(None)
    ui_app.runtime.printer.refresh()


def test_paper_out_is_told_in_plain_words(driver, ui_app, demo_devices, artifacts_dir):
    _scanner, printer = demo_devices
    start_session(driver)
    driver.tap(driver.screen().ids.tile_print)
    screen = driver.screen()
    assert screen.name == "print" and screen.selected == "sample"
    printer.inject(PrinterState.PAPER_OUT)
    driver.tap(screen.ids.print_button)
    assert screen.ids.fault.message == "Plus de papier : prévenez un médiateur."
    assert screen.phase == "choose"  # nothing sent, nothing counted
    assert ui_app.runtime.documents.remaining_pages() == 20
    shoot(driver, artifacts_dir / "fr-faults", "printer-paper-out")
    driver.tap(screen.ids.fault.ids.call)
    assert driver.screen().name == "help_call"


def test_quota_refusal_message(driver, ui_app, demo_devices, artifacts_dir):
    prints = ui_app.runtime.documents.prints
    quota = prints.quota_pages
    prints.quota_pages = 2
    try:
        start_session(driver)
        driver.tap(driver.screen().ids.tile_print)
        screen = driver.screen()
        driver.tap(screen.ids.more)
        driver.tap(screen.ids.more)
        assert screen.ids.copies.txt == "3 exemplaires"
        driver.tap(screen.ids.print_button)
        assert screen.ids.fault.message.startswith(
            "Vous avez atteint le nombre de pages autorisé pour cette visite.")
        assert "Il vous reste 2 pages" in screen.ids.quota.txt
        shoot(driver, artifacts_dir / "fr-faults", "print-quota")
        driver.tap(screen.ids.fewer)
        driver.tap(screen.ids.print_button)
        follow_job(driver, screen)
        assert screen.ids.status.txt == "Impression terminée : 2 pages"
    finally:
        prints.quota_pages = quota


def test_print_can_be_cancelled(driver, ui_app, demo_devices):
    _scanner, printer = demo_devices
    start_session(driver)
    driver.tap(driver.screen().ids.tile_print)
    screen = driver.screen()
    slow, printer.job_seconds = printer.job_seconds, 3600.0  # a long job, still printing
    try:
        driver.tap(screen.ids.print_button)
        assert screen.job_running
        assert screen.ids.status.txt in ("Impression en cours…",
                                         "Votre impression attend son tour…")
        spinner = screen.ids.spinner   # the wait is visibly alive, not a still screen
        before = spinner.angle
        driver.frames(3)
        assert spinner.opacity == 1 and spinner.angle != before
        driver.tap(screen.ids.cancel)   # asked first; letting it print is the big button
        dialog = driver.confirmation()
        assert dialog is not None and dialog.title == "Annuler l'impression ?"
        driver.answer(confirm=False)
        assert screen.job_running and driver.confirmation() is None
        driver.tap(screen.ids.cancel)
        driver.answer()   # "Oui, annuler l'impression"
        assert screen.ids.status.txt == "Impression annulée."
        assert not screen.job_running and screen.ids.spinner.opacity == 0
        assert printer.spool_files() == []
    finally:
        printer.job_seconds = slow


def test_a_job_that_ends_while_its_cancel_is_asked_closes_the_question(driver, ui_app,
                                                                         demo_devices):
    _scanner, printer = demo_devices
    start_session(driver)
    driver.tap(driver.screen().ids.tile_print)
    screen = driver.screen()
    slow, printer.job_seconds = printer.job_seconds, 3600.0  # still printing when asked
    try:
        driver.tap(screen.ids.print_button)
        driver.tap(screen.ids.cancel)
        assert driver.confirmation() is not None
        printer.job_seconds = 0.0   # the job ends meanwhile: nothing is left to cancel
        follow_job(driver, screen)
    finally:
        printer.job_seconds = slow
    assert driver.confirmation() is None
    assert screen.job_ok and screen.ids.status.txt.startswith("Impression terminée")


def test_mediator_panel_tells_printer_state_and_pages_left(driver, ui_app, demo_devices,
                                                          artifacts_dir):
    _scanner, printer = demo_devices
    start_session(driver)
    driver.tap(driver.screen().ids.tile_print)
    screen = driver.screen()
    driver.tap(screen.ids.print_button)
    follow_job(driver, screen)
    printer.inject(PrinterState.PAPER_OUT)
    ui_app.runtime.printer.refresh()
    ui_app.open_mediator_panel()
    driver.frames(2)
    panel = driver.screen()
    lines = [w.txt for w in panel.ids.devices.children]
    assert "Imprimante : plus de papier" in lines
    assert "Pages d'impression restantes pour cette session : 19" in lines
    shoot(driver, artifacts_dir / "fr", "mediator-panel-paper-out")
    driver.tap(panel.ids.reset_quota)
    lines = [w.txt for w in panel.ids.devices.children]
    assert "Pages d'impression restantes pour cette session : 20" in lines
    printer.inject(None)
    driver.tap(panel.ids.close)


@pytest.mark.parametrize("lang,scale", [("ar", 1.0), ("en", 1.0), ("fr", 2.0)])
def test_print_screens_in_other_languages_and_large_text(driver, ui_app, demo_devices,
                                                         artifacts_dir, lang, scale):
    _scanner, printer = demo_devices
    from kiosk.screens.kit import ui

    out = artifacts_dir / f"{lang}-x{scale}"
    driver.tap(driver.screen().ids[f"lang_{lang}"])
    while ui.text_scale < scale:
        driver.tap(driver.screen().ids.large_text)
    start_session(driver, lang)
    driver.tap(driver.screen().ids.tile_print)
    screen = driver.screen()
    shoot(driver, out, "print-choose")
    printer.inject(PrinterState.PAPER_OUT)
    driver.tap(screen.ids.print_button)
    assert screen.ids.fault.message
    shoot(driver, out, "print-paper-out")
    printer.inject(None)
    screen.ids.fault.clear()  # a mediator put paper back
    driver.tap(screen.ids.print_button)
    follow_job(driver, screen)
    assert screen.job_ok
    shoot(driver, out, "print-done")


def test_print_shows_its_two_steps_in_the_page_header(driver, ui_app, demo_devices):
    start_session(driver)
    driver.tap(driver.screen().ids.tile_print)
    screen = driver.screen()
    header = screen.ids.page
    assert (header.step, header.steps) == (1, 2)
    assert header.ids.step_label.txt == "Étape 1 sur 2"
    assert header.ids.next_label.txt == "Étape suivante : Impression"
    driver.tap(screen.ids.print_button)
    assert (header.step, header.steps, header.next_step) == (2, 2, "")
    follow_job(driver, screen)
    driver.tap(screen.ids.again)   # "Imprimer autre chose": back to the first step
    assert (header.step, header.steps) == (1, 2)


def test_a_tap_inside_a_scrolling_panel_has_acted_when_the_finger_is_lifted(driver, ui_app,
                                                                             demo_devices):
    """The copies' buttons sit in a scroll view, which replays a tap's release 0.2 s after the
    finger lifts: the driver's tap returns once the button has acted, as a person waits for it
    (before, a quick next tap printed the old number of copies, and a suite on a fast machine
    failed)."""
    from kivy.uix.scrollview import ScrollView

    start_session(driver)
    driver.tap(driver.screen().ids.tile_print)
    screen = driver.screen()
    parent, inside_scroll = screen.ids.more.parent, False
    while parent is not None and parent is not parent.parent:
        inside_scroll = inside_scroll or isinstance(parent, ScrollView)
        parent = parent.parent
    assert inside_scroll, "the test needs a button inside a scroll view"
    for expected in (2, 3, 4):
        driver.tap(screen.ids.more)
        assert screen.copies == expected


def test_cancel_question_in_arabic_at_double_size_is_answered_by_touch(driver, ui_app,
                                                                       demo_devices):
    from kiosk.screens.kit import ui
    from kiosk.screens.layout_audit import Box, audit

    _scanner, printer = demo_devices
    start_session(driver, "ar")
    previous = ui.text_scale
    slow, printer.job_seconds = printer.job_seconds, 3600.0
    try:
        ui.text_scale = 2.0
        driver.tap(driver.screen().ids.tile_print)
        screen = driver.screen()
        assert screen.ids.page.ids.step_label.txt == "الخطوة 1 من 2"
        driver.tap(screen.ids.print_button)
        driver.tap(screen.ids.cancel)
        dialog = driver.confirmation()
        assert dialog is not None and dialog.title == "هل تريد إلغاء الطباعة؟"
        driver.frames(2)
        assert audit(dialog, driver.window, "print cancel ar x2") == []
        window = Box(0, 0, driver.window.width, driver.window.height)
        for button in (dialog.ids.safe, dialog.ids.confirm):
            x, y = button.to_window(button.center_x, button.center_y)
            assert window.x <= x <= window.right and window.y <= y <= window.top
        driver.answer()
        assert not screen.job_running and screen.ids.status.txt == "تم إلغاء الطباعة."
    finally:
        printer.job_seconds = slow
        ui.text_scale = previous
