"""What the resident is asked and told in words: confirmations before irreversible actions,
the scanner-glass reminder, a session closed by idle, shaped Arabic everywhere, translated
states and plurals, wording that guesses no gender, the out-of-order screen in every language."""
from __future__ import annotations

import pytest

from kiosk import i18n
from kiosk.devices.scanner import ScannerState
from kiosk.sessions.state import SessionState

from .helpers import queued_records

pytestmark = pytest.mark.display


def start(driver, lang: str = "fr") -> None:
    driver.tap(driver.screen().ids[f"lang_{lang}"])
    driver.tap(driver.screen().ids.start)
    assert driver.screen().name == "home"


# --- confirmations -----------------------------------------------------------------------------
def test_ending_the_session_is_asked_first_and_staying_keeps_everything(driver, ui_app):
    core = ui_app.runtime.core
    start(driver)
    kept = core.new_file(".pdf", label="scan")
    kept.write_bytes(b"page")
    driver.tap(driver.screen().ids.tile_done)
    dialog = driver.confirmation()
    assert dialog is not None and dialog.title == "Terminer et tout effacer ?"
    assert "seront effacés" in dialog.body
    # The safe answer is the big primary button, above the irreversible one.
    safe, risky = dialog.ids.safe, dialog.ids.confirm
    assert safe.kind == "primary" and risky.kind == "danger"
    assert safe.height > risky.height and safe.y > risky.y
    # Touches outside the card do not reach the tiles underneath.
    tiles = driver.screen().ids.tile_help
    driver.tap(tiles)
    assert driver.screen().name == "home" and driver.confirmation() is dialog

    driver.answer(confirm=False)
    assert driver.confirmation() is None
    assert core.state is SessionState.ACTIVE and kept.exists()

    driver.tap(driver.screen().ids.tile_done)
    driver.answer()
    assert core.state is SessionState.ENDING and not kept.exists()
    assert driver.screen().name == "end"


def test_end_confirmation_says_a_running_scan_will_be_stopped(driver, ui_app):
    scanner = ui_app.runtime.scanner
    start(driver)
    scanner.set_state(ScannerState.BUSY)  # what the facade says while a page is being scanned
    try:
        driver.tap(driver.screen().ids.tile_done)
        assert "La numérisation en cours sera arrêtée." in driver.confirmation().body
        driver.answer(confirm=False)
    finally:
        scanner.set_state(ScannerState.READY)
    driver.tap(driver.screen().ids.tile_done)
    assert "numérisation" not in driver.confirmation().body
    driver.answer(confirm=False)


def test_confirmation_closes_when_the_session_ends_under_it(driver, ui_app):
    core = ui_app.runtime.core
    start(driver)
    driver.tap(driver.screen().ids.tile_done)
    assert driver.confirmation() is not None
    core.clock.advance(core.idle.timeout_s)
    ui_app._tick()   # the idle warning, over the question
    core.clock.advance(core.idle.warning_s + 1)
    ui_app._tick()   # nobody answered: the session ends by itself
    driver.frames(2)
    assert driver.screen().name == "welcome"
    assert driver.confirmation() is None  # no answer can apply to the next resident


# --- reminders and notices -------------------------------------------------------------------
def test_end_screen_reminds_to_take_the_original_only_after_a_scan(driver, ui_app):
    core = ui_app.runtime.core
    start(driver)
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()
    assert driver.screen().ids.glass.txt == ""
    driver.tap(driver.screen().ids.skip)

    start(driver)
    core.new_file(".pdf", label="scan").write_bytes(b"page")
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()
    end = driver.screen()
    assert end.ids.glass.txt == "Pensez à reprendre votre document sur la vitre du scanner."
    assert end.ids.glass.txt in end.speech_text()


def test_a_session_closed_by_idle_is_told_in_words_on_the_welcome_screen(driver, ui_app):
    core = ui_app.runtime.core
    start(driver, "en")
    core.new_file(".pdf", label="scan").write_bytes(b"page")
    core.clock.advance(core.idle.timeout_s)
    ui_app._tick()
    core.clock.advance(core.idle.warning_s + 1)
    ui_app._tick()
    driver.frames(2)
    welcome = driver.screen()
    assert welcome.name == "welcome" and queued_records(ui_app)[-1]["end_reason"] == "idle_timeout"
    # The kiosk is back in its own language; the notice follows a language change.
    assert welcome.ids.notice.txt.startswith("La visite précédente a été fermée")
    assert "vitre du scanner" in welcome.ids.notice.txt
    driver.tap(welcome.ids.lang_en)
    assert welcome.ids.notice.txt.startswith("The previous visit was closed")
    driver.tap(welcome.ids.start)
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()
    driver.tap(driver.screen().ids.skip)
    assert driver.screen().ids.notice.txt == ""  # a session ended by hand: nothing to tell


def test_idle_countdown_is_big_and_says_what_will_happen(driver, ui_app):
    from kivy.metrics import dp

    from kiosk import theme

    core = ui_app.runtime.core
    start(driver)
    core.clock.advance(core.idle.timeout_s)
    ui_app._tick()
    driver.frames(2)
    overlay = ui_app.overlay
    assert overlay.ids.seconds.txt == str(int(core.idle.warning_s))
    assert overlay.ids.seconds.font_size >= 2 * dp(theme.FONT_TITLE)
    assert "tout sera effacé" in overlay.ids.countdown.txt
    driver.tap(overlay.ids.still_here)


# --- Arabic, states, plurals, wording ------------------------------------------------------
def test_arabic_language_button_is_shaped_when_the_interface_is_french(driver, ui_app):
    from kiosk.screens.kit.text import shape

    welcome = driver.screen()
    assert i18n.current_language() == "fr"
    button = welcome.ids.lang_ar
    assert button.txt == "العربية"
    assert button.text == shape("العربية") != "العربية"   # joined letters, right to left
    driver.tap(welcome.ids.lang_en)
    assert button.text == shape("العربية")


def test_preshaped_arabic_is_what_the_shaper_gives():
    from kiosk.screens.kit.text import PRESHAPED, shape

    assert PRESHAPED and all(shaped == shape(text) for text, shaped in PRESHAPED.items())


def test_practice_duration_is_translated_and_shaped_in_arabic(ui_app):
    from kiosk.practice.catalogue import load_catalogue
    from kiosk.screens.kit import KLabel
    from kiosk.screens.kit.text import shape
    from kiosk.screens.practice.operator import level_and_duration

    procedure = load_catalogue().procedures[0]
    words = level_and_duration(procedure, "ar")
    assert f"{procedure.duration_min} دقيقة" in words and "min" not in words
    label = KLabel(txt=words, wrap=False)
    assert label.text == shape(words)
    assert level_and_duration(procedure, "en").endswith(f"{procedure.duration_min} min")


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_mediator_panel_shows_every_device_state_in_words(driver, ui_app, lang):
    from kiosk.devices.hotplug import HotplugState
    from kiosk.devices.printer import PrinterState
    from kiosk.devices.reader import ReaderState
    from kiosk.screens.device_fault import KIND_STATE_WORDS, STATE_WORDS, state_words

    i18n.set_language(lang)
    try:
        for kind, states in (("printer", PrinterState), ("scanner", ScannerState),
                             ("reader", ReaderState), ("hotplug", HotplugState)):
            for state in states:
                french = KIND_STATE_WORDS.get((kind, state.value)) or STATE_WORDS.get(state.value)
                assert french, f"{kind} {state.value} has no words"
                if lang == "ar":
                    assert state_words(state.value, kind) != french, (kind, state)
        assert state_words("ready", "printer") != "prêt"  # "Imprimante : prêt" does not agree
        ui_app.open_mediator_panel()
        driver.frames(2)
        panel = driver.screen()
        lines = [w.txt for w in panel.ids.devices.children]
        assert len(lines) >= 4 and not any("watching" in line for line in lines), lines
        if lang == "en":
            assert "Printer: available" in lines and not any(" : " in t for t in lines)
        assert "(s)" not in panel.server_txt
    finally:
        ui_app.leave_mediator()
        i18n.set_language("fr")


def test_survey_and_debrief_words_guess_no_gender():
    from kiosk.practice.messages import MESSAGES
    from kiosk.screens.end import QUESTIONS

    french = [q for _k, q, _c in QUESTIONS] + [w for _k, _q, c in QUESTIONS for _v, w in c]
    french += [m.fr for key, m in MESSAGES.items() if key.startswith("debrief.")]
    import re
    from pathlib import Path

    import kiosk.screens
    start_kv = Path(kiosk.screens.__file__).parent / "practice" / "start.kv"  # the modes' names
    french += re.findall(r'_\("([^"]*)"\)', start_kv.read_text(encoding="utf-8"))
    masculine_only = ("débrouillé", "guidé", "satisfait", "Seul", "seul,", "êtes allé",
                      "êtes arrêté")
    assert [t for t in french if any(word in t for word in masculine_only)] == []


def test_out_of_order_screen_speaks_every_language_of_the_kiosk(driver, ui_app):
    from kiosk.screens.driver import walk
    from kiosk.screens.kit import IconView
    from kiosk.screens.kit.text import needs_shaping

    core = ui_app.runtime.core
    core.set_out_of_order()
    driver.frames(2)
    screen = driver.screen()
    assert screen.name == "out_of_order"
    assert any(isinstance(w, IconView) and w.name == "out_of_order" for w in walk(screen))
    others = screen.ids.others
    assert "This kiosk is" in others.txt or "kiosk" in others.txt.lower()
    arabic = [line for line in others.txt.split("\n") if needs_shaping(line)]
    assert arabic, "the Arabic message is there"
    assert arabic[0] not in others.text  # drawn shaped, not as logical-order letters


def test_practice_page_counts_only_the_steps_of_this_residents_route(driver, ui_app):
    import re

    from .practice_play import open_practice, play_page

    start(driver)
    screen = open_practice(driver, ui_app, "caf-trimestrielle", "guided")
    run = screen.run
    shown = []
    for _page in range(30):
        if run.completed:
            break
        shown.append((screen.step_txt, screen.next_step_txt))
        play_page(driver, screen)
    assert run.completed, (run.page.id, {k: (f.get(), f.frame.error)
                                         for k, f in screen.view.fields.items()})
    steps = [re.fullmatch(r"Étape (\d+) sur (\d+)", s) for s, _n in shown]
    assert all(steps), shown
    # One step at a time (the total may grow once an answer takes a branch, never jump).
    assert [int(m.group(1)) for m in steps] == list(range(1, len(shown) + 1))
    total = len(shown) + 1
    assert screen.step_txt == f"Étape {total} sur {total}" and screen.next_step_txt == ""
    assert total < run.steps_total          # the branches not taken are not counted
    assert all(n.startswith("Étape suivante : ") for _s, n in shown)
    # the page template's header shows it, with its step bar
    assert (screen.ids.page.step, screen.ids.page.steps) == (total, total)


def test_an_arabic_line_starting_with_a_latin_name_reads_right_to_left(driver, ui_app):
    from kiosk.screens.kit import KLabel, ui

    line = "Ma Mairie › موعد   ·   الخطوة 2 من 5"   # the practice breadcrumb, in Arabic
    driver.tap(driver.screen().ids.lang_ar)
    assert ui.rtl
    label = KLabel(txt=line, wrap=False)
    # Drawn right to left: the site's name (first in reading order) is at the right end.
    assert label.text.rstrip().endswith("Ma Mairie")
    assert "5" in label.text.split("Ma Mairie")[0]


def test_the_catalogue_opens_at_the_top_whoever_scrolled_it_before(driver, ui_app):
    start(driver)
    driver.tap(driver.screen().ids.tile_practice)
    catalogue = driver.screen()
    catalogue.ids.scroller.scroll_y = 0          # the previous resident scrolled to the bottom
    driver.frames(2)
    driver.app.show("home")
    driver.tap(driver.screen().ids.tile_practice)
    driver.frames(2)
    box = catalogue.ids.search.ids.box
    _x, y = box.to_window(box.center_x, box.center_y)
    assert catalogue.ids.scroller.scroll_y == 1 and 0 <= y <= driver.window.height
