"""The journeys of issue #11 by touch, in Arabic, text ×2, typing on the on-screen keyboard: a
practice procedure completed, an ID copy made, a help call made and cancelled, the session
ended through its confirmation. Each step is a real touch at the centre of what a finger would
press; a touch that lands on something else (hidden under the keyboard, pushed off screen)
fails the journey."""
from __future__ import annotations

import pytest

from kiosk.i18n import _
from kiosk.practice.solution import page_solution
from kiosk.screens.kit import ui
from kiosk.sessions.end_words import GLASS_REMINDER
from kiosk.sessions.state import SessionState
from kiosk.sync.help import HelpStatus

from .helpers import key_button, queued_records, type_on
from .practice_play import fill_field, open_practice, visible
from .server_desk import frames_until

pytestmark = pytest.mark.display

PROCEDURE = "mairie-rendez-vous"


def start_in_arabic_at_double_size(driver) -> None:
    welcome = driver.screen()
    driver.tap(welcome.ids.lang_ar)
    while ui.text_scale < 2.0:
        driver.tap(welcome.ids.large_text)
    assert ui.text_scale == 2.0 and ui.rtl
    driver.tap(welcome.ids.start)
    assert driver.screen().name == "home"


def on_screen(driver, widget) -> bool:
    """The widget's centre is inside the window (where a finger can reach it)."""
    x, y = widget.to_window(widget.center_x, widget.center_y)
    return 0 <= x <= driver.window.width and 0 <= y <= driver.window.height


def end_through_the_confirmation(driver, ui_app) -> None:
    if driver.screen().name != "home":
        driver.app.show("home")
        driver.frames(2)
    home = driver.screen()
    home.ids.scroller.scroll_to(home.ids.tile_done, animate=False)   # at x2 the tiles scroll
    driver.frames(2)
    driver.tap(home.ids.tile_done)
    dialog = driver.confirmation()
    assert dialog is not None and dialog.title == "هل تريد الإنهاء ومسح كل شيء؟"
    assert on_screen(driver, dialog.ids.safe) and on_screen(driver, dialog.ids.confirm)
    driver.answer()
    assert ui_app.runtime.core.state is SessionState.ENDING
    assert driver.screen().name == "end"


@pytest.mark.slow   # some 20 pages typed key by key at x2 (~30 s here)
def test_practice_completed_in_arabic_at_double_size_with_the_keyboard(driver, ui_app):
    start_in_arabic_at_double_size(driver)
    screen = open_practice(driver, ui_app, PROCEDURE, "guided")
    run = screen.run
    steps = []
    typed_with_keyboard = 0
    for _page in range(20):
        if run.completed:
            break
        steps.append(screen.step_txt)
        values = page_solution(run.page, run.procedure, run.sms_code)
        for field_id, page_field in screen.view.fields.items():
            if values.get(field_id) is not None:
                fill_field(driver, screen, page_field, values[field_id])
        if screen.keyboard.parent is not None:
            typed_with_keyboard += 1
            # The keyboard stays open: the site's button must still be reachable by touch.
            visible(driver, screen, screen.view.button)
            assert on_screen(driver, screen.view.button)
        before = run.page.id
        visible(driver, screen, screen.view.button)
        driver.tap(screen.view.button)
        driver.frames(1)
        assert run.page.id != before, f"stuck on {before}: the touch missed the button"
    assert run.completed and typed_with_keyboard >= 1
    # "الخطوة n من m", one step at a time, never a jump.
    total = len(steps) + 1
    assert steps == [f"الخطوة {n} من {total}" for n in range(1, total)]
    assert screen.step_txt == f"الخطوة {total} من {total}"
    visible(driver, screen, screen.view.button)   # below the summary at x2: a swipe
    driver.tap(screen.view.button)
    assert driver.screen().name == "practice_debrief"
    end_through_the_confirmation(driver, ui_app)
    driver.tap(driver.screen().ids.skip)
    practice = [a for a in queued_records(ui_app)[-1]["activities"] if a["kind"] == "practice"]
    assert practice and practice[0]["completed"] is True


def test_id_copy_made_in_arabic_at_double_size_with_the_keyboard(driver, ui_app):
    scanner = ui_app.runtime.scanner.backend
    start_in_arabic_at_double_size(driver)
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    try:
        card = next(b for b in screen.ids.types.children if b.doc_type == "id_card")
        screen.ids.types.parent.scroll_to(card, animate=False)
        driver.frames(2)
        driver.tap(card)
        for side in ("id_recto", "id_verso"):
            assert screen.step == "place"
            scanner.place(side)
            driver.tap(screen.ids.scan_button)
            screen.wait_idle(lambda: driver.frames(1))
            driver.frames(2)   # the new step is drawn before the finger looks for its button
            assert screen.step == "crop", screen.ids.fault.message
            driver.tap(screen.ids.accept)
        assert screen.step == "watermark"
        screen.ids.wm_scroll.scroll_to(screen.ids.wm_other, animate=False)
        driver.frames(2)
        driver.tap(screen.ids.wm_other)          # "Autre : l'écrire": the keyboard opens
        keyboard = screen.ids.purpose_keyboard
        field = screen.ids.purpose_field
        driver.frames(2)
        assert on_screen(driver, field), "the field being typed in is visible"
        assert screen.ids.page.steps == 0, "typing: the header keeps one line, no stepper"
        type_on(driver, keyboard, "CAF")
        assert field.value == "CAF"
        driver.tap(key_button(keyboard, "{enter}"))
        driver.tap(screen.ids.wm_continue)
        screen.wait_idle(lambda: driver.frames(1))
        assert screen.step == "result", screen.ids.fault.message
        assert screen.ids.page.ids.step_label.txt == "الخطوة 7 من 7"
        assert screen.flow.result.watermarked and screen.flow.purpose == "CAF"
        assert _(GLASS_REMINDER) in screen.ids.body.txt
        assert _(GLASS_REMINDER) == "تذكّر أن تأخذ وثيقتك من على زجاج الماسح الضوئي."
    finally:
        scanner.place("letter")
    end_through_the_confirmation(driver, ui_app)
    assert driver.screen().ids.glass.txt == _(GLASS_REMINDER)   # a scan happened: reminded


def test_help_call_made_and_cancelled_in_arabic_at_double_size(driver, ui_app, polling_desk):
    desk, _engine = polling_desk
    start_in_arabic_at_double_size(driver)
    driver.tap(driver.screen().ids.tile_help)
    screen = driver.screen()
    assert frames_until(driver, lambda: desk.status is HelpStatus.SENT)
    assert frames_until(driver, lambda: screen.ids.status.txt == "تم إخطار وسيط."
                        or not screen.ids.cancel_call.disabled)
    assert on_screen(driver, screen.ids.cancel_call)
    driver.tap(screen.ids.cancel_call)
    assert screen.ids.status.txt == "تم إلغاء طلبك."
    assert desk.status is HelpStatus.CANCELLED
    driver.tap(screen.ids.back)
    end_through_the_confirmation(driver, ui_app)
    driver.tap(driver.screen().ids.skip)
    assert queued_records(ui_app)[-1]["help_requests"] == 1


def test_help_call_made_while_typing_and_cancelled_on_the_practice_page_in_arabic_at_x2(
        driver, ui_app, polling_desk):
    """The keyboard open on a practice page: « Appeler un médiateur » is in the bar, on
    screen; the call's card closes, and « Annuler mon appel » (brought into view) cancels it;
    what was typed stays."""
    from kiosk.screens.practice.fields import TextField

    desk, _engine = polling_desk
    start_in_arabic_at_double_size(driver)
    screen = open_practice(driver, ui_app, PROCEDURE, "autonomous")
    typed = next(f for f in screen.view.fields.values() if isinstance(f, TextField))
    fill_field(driver, screen, typed, "12")   # typed key by key: the keyboard is open
    assert screen.keyboard.parent is not None
    call = screen.ids.call_mediator
    assert on_screen(driver, call) and call.opacity == 1
    driver.tap(call)
    assert frames_until(driver, lambda: desk.status is HelpStatus.SENT)
    if screen.overlay.parent is not None:    # the status card over the page
        driver.tap(screen.overlay.ids.close)
    cancel = screen.ids.cancel_call
    assert frames_until(driver, lambda: not cancel.disabled and cancel.opacity == 1)
    visible(driver, screen, cancel)
    assert on_screen(driver, cancel)
    driver.tap(cancel)
    assert frames_until(driver, lambda: desk.status is HelpStatus.CANCELLED)
    assert screen.help_status == "تم إلغاء طلبك." and cancel.disabled
    assert typed.get() == "12", "what was typed is still there"
    end_through_the_confirmation(driver, ui_app)
    driver.tap(driver.screen().ids.skip)
    assert queued_records(ui_app)[-1]["help_requests"] == 1
