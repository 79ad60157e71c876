"""The resident's whole journey, driven by simulated touches on the real app."""
from __future__ import annotations

import pytest

from kiosk import i18n
from kiosk.sessions.state import SessionState

from .helpers import queued_records

pytestmark = pytest.mark.display


def test_resident_goes_from_welcome_to_everything_erased_by_touch(driver, ui_app):
    core = ui_app.runtime.core
    before = len(queued_records(ui_app))
    ids = driver.screen().ids
    assert driver.screen().name == "welcome"

    driver.tap(ids.lang_en)
    assert ids.start.txt == "Touch the screen to start"
    driver.tap(ids.lang_fr)
    assert ids.start.txt == "Touchez l'écran pour commencer"
    driver.tap(ids.large_text)
    driver.tap(ids.start)

    assert core.state is SessionState.ACTIVE
    assert driver.screen().name == "home"
    driver.tap(driver.screen().ids.tile_help)
    assert driver.screen().name == "help_call"
    # No help desk is reachable here: the screen says so honestly and sends the resident
    # to the desk named in the settings.
    assert driver.screen().ids.status.txt == "Nous n'avons pas pu prévenir un médiateur."
    assert "l'accueil" in driver.screen().ids.body.txt

    driver.tap(driver.screen().ids.back)
    scan = core.new_file(".png", label="scan")
    scan.write_bytes(b"page")
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()  # "Oui, terminer et tout effacer"

    assert driver.screen().name == "end"
    assert core.state is SessionState.ENDING
    assert not scan.exists()
    assert driver.screen().ids.title.txt == "Tout a été effacé"
    assert "1 document scanné" in driver.screen().ids.body.txt

    driver.tap(driver.screen().ids.answer)
    for expected_question in ("Quel âge avez-vous ?", "Avez-vous eu besoin d'aide aujourd'hui ?",
                              "Cette borne vous a-t-elle convenu ?"):
        assert driver.screen().ids.invite.txt == expected_question
        choices = driver.screen().ids.choices.children
        # at large text the page scrolls: a swipe down to the last choice
        driver.screen().ids.scroller.scroll_to(choices[0], animate=False)
        driver.frames(2)
        driver.tap(choices[0])  # the last choice (children are in reverse order)

    assert driver.screen().name == "welcome"
    assert core.state is SessionState.IDLE
    records = queued_records(ui_app)
    assert len(records) == before + 1
    record = records[-1]
    assert record["end_reason"] == "finished"
    assert record["help_requests"] == 1
    assert record["accessibility"] == ["large_text"]
    assert record["survey"] == {"age_bracket": "70_plus", "autonomy": "autonomous",
                                "satisfaction": "satisfied"}
    # The next resident gets the defaults back.
    assert i18n.current_language() == "fr"
    from kiosk.screens.kit import ui
    assert ui.text_scale == 1.0


def test_survey_can_be_skipped_and_the_record_has_no_answers(driver, ui_app):
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()  # "Oui, terminer et tout effacer"
    driver.tap(driver.screen().ids.skip)
    assert driver.screen().name == "welcome"
    assert queued_records(ui_app)[-1]["survey"] is None


def test_session_starts_in_the_language_chosen_on_the_welcome_screen(driver, ui_app):
    driver.tap(driver.screen().ids.lang_ar)
    driver.tap(driver.screen().ids.start)
    assert ui_app.runtime.core.session.language.value == "ar"
    assert driver.screen().ids.header.title == "ماذا تريد أن تفعل؟"
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()  # "Oui, terminer et tout effacer"
    driver.tap(driver.screen().ids.skip)
    assert queued_records(ui_app)[-1]["language"] == "ar"
    assert i18n.current_language() == "fr"


def test_switching_language_changes_every_visible_string_at_once(driver, ui_app):
    from kiosk.screens.driver import walk
    from kiosk.screens.kit import KLabel

    def texts():
        return sorted(w.txt for w in walk(driver.screen()) if isinstance(w, KLabel) and w.txt)

    french = texts()
    driver.tap(driver.screen().ids.lang_en)
    english = texts()
    changed = [t for t in french if t not in english]
    # Everything but the language names (written in their own script) was translated.
    unchanged = set(french) & set(english)
    assert unchanged <= set(i18n.NATIVE_NAMES.values()) | {"×1,5", "×2"}
    assert changed


def test_read_aloud_speaks_each_screen_in_the_chosen_language_and_stops_on_change(
        driver, ui_app):
    from kiosk.screens.kit import ui

    speaker = ui_app.runtime.speaker
    said: list[tuple[str, str]] = []
    hook = ui.speak_hook
    ui.speak_hook = lambda text: said.append((text, ui.language))
    try:
        driver.tap(driver.screen().ids.lang_en)
        driver.tap(driver.screen().ids.read_aloud)
        assert said[-1] == ("Touch the screen to start\nWelcome. Here you can practise a "
                            "procedure, copy a document or call a mediator. At the end, "
                            "everything is erased.", "en")
        driver.tap(driver.screen().ids.start)
        assert said[-1] == ("What would you like to do?", "en")
        driver.tap(driver.screen().ids.tile_help)
        assert said[-1][0].startswith("Call a mediator\nWe could not reach a mediator.")
    finally:
        ui.speak_hook = hook
    # The real speaker (espeak-ng): what it was saying is cut when the screen changes, and
    # with read aloud on, the new screen is read instead.
    speaker.say("Une phrase assez longue pour être encore en cours au changement d'écran.",
                "fr")
    first = speaker.processes  # espeak-ng, and sox's play when installed
    assert first
    driver.tap(driver.screen().ids.back)
    assert all(p.poll() is not None for p in first)  # the old sentence's speech was stopped
    assert speaker.last_text == "What would you like to do?"
    assert speaker.last_language == "en"
    ui.read_aloud = False
    driver.tap(driver.screen().ids.tile_help)
    assert not speaker.speaking
