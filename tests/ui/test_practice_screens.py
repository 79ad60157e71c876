"""The site fantôme on the touchscreen, driven by simulated touches on the real app (Kivy
offscreen, real session core and local store, demo devices): catalogue and search, a whole
procedure in guided mode, mistakes, traps and hints in autonomous mode, the debrief and the
memo sheet printed through the print service, and the activity in the session record."""
from __future__ import annotations

from pathlib import Path

import pytest
from kivy.metrics import dp

from kiosk import theme
from kiosk.practice.engine import Mode
from kiosk.practice.model import TrapKind
from kiosk.practice.solution import solution
from kiosk.screens.driver import touch_targets, visible_widgets
from kiosk.screens.kit import KLabel
from kiosk.sessions.state import SessionState
from kiosk_wire.schema import Accessibility, EndReason, Language

from .helpers import key_button, queued_records
from .practice_play import (
    advance_to,
    close_keyboard,
    fill_field,
    open_practice,
    play_page,
    press_site_button,
    type_on_keyboard,
    visible,
)

pytestmark = pytest.mark.display

GUIDED_PROCEDURE = "caf-trimestrielle"


def start_session(app, driver, accessibility=()):
    app.start_session(Language.FR, set(accessibility))
    driver.frames(2)
    assert driver.screen().name == "home"


def layout_problems(root) -> list[str]:
    problems = []
    for w in visible_widgets(root):
        if isinstance(w, KLabel) and w.txt and w.overflows():
            problems.append(f"text overflows its box: {w.txt[:60]!r}")
    for t in touch_targets(root):
        if min(t.width, t.height) + 0.5 < dp(theme.MIN_TOUCH_DP):
            problems.append(f"touch target too small: {getattr(t, 'txt', '') or t!r}")
    return problems


def test_practice_tile_leads_to_the_catalogue_with_every_procedure(driver, ui_app):
    start_session(ui_app, driver)
    driver.tap(driver.screen().ids.tile_practice)
    screen = driver.screen()
    assert screen.name == "practice_catalogue"
    assert sorted(screen.shown) == sorted(ui_app.runtime.practice.ids())
    assert len(screen.shown) >= 12


def test_catalogue_search_by_a_word_typed_on_the_keyboard(driver, ui_app, ui_artifacts):
    start_session(ui_app, driver)
    driver.tap(driver.screen().ids.tile_practice)
    screen = driver.screen()
    driver.tap(screen.ids.search.ids.box)
    assert screen.keyboard.parent is not None, "the keyboard docks when the search is touched"
    type_on_keyboard(driver, screen.keyboard, "impôts")
    driver.screenshot(ui_artifacts / "catalogue-search-fr.png")
    assert "impots-premiere-connexion" in screen.shown
    assert "caf-trimestrielle" not in screen.shown
    assert screen.shown == [p.id for p in ui_app.runtime.practice.search("impôts")]
    driver.tap(key_button(screen.keyboard, "{enter}"))   # "Valider": the keyboard goes
    assert screen.keyboard.parent is None and screen.ids.page.keyboard is None
    assert screen.ids.page.ids.identity.opacity == 1, "the header whole again"
    driver.tap(screen.ids.search.ids.box)

    for _ in "impôts":
        driver.tap(key_button(screen.keyboard, "{backspace}"))
    type_on_keyboard(driver, screen.keyboard, "xyzzy")
    assert screen.shown == []
    assert "xyzzy" in screen.ids.none.txt

    driver.tap(screen.ids.clear_search)
    assert len(screen.shown) == len(ui_app.runtime.practice.procedures)

    driver.tap(screen.ids.search.ids.box)
    type_on_keyboard(driver, screen.keyboard, "caf")
    assert screen.ids.search.value == "caf"
    ui_app.runtime.core.end(EndReason.FINISHED, offer_survey=False)
    assert screen.ids.search.value == "", "the searched word goes with the session"
    assert screen.ids.page.keyboard is None, "and its keyboard: the next resident's page whole"


def test_catalogue_filters_by_theme(driver, ui_app):
    start_session(ui_app, driver)
    driver.tap(driver.screen().ids.tile_practice)
    screen = driver.screen()
    chip = next(c for c in screen.ids.themes.children
                if getattr(c, "theme_value", "") == "papiers_elections_citoyennete")
    driver.tap(chip)
    procedures = [ui_app.runtime.practice.get(i) for i in screen.shown]
    assert procedures and all(p.theme.value == "papiers_elections_citoyennete"
                              for p in procedures)


def test_a_procedure_is_played_to_the_end_by_touch_in_guided_mode(driver, ui_app, ui_artifacts):
    core = ui_app.runtime.core
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "guided")
    run = screen.run
    assert run.mode is Mode.GUIDED
    hints_seen: set[str] = set()
    page_number = 0
    while not run.page.end:
        page_number += 1
        driver.frames(2)
        assert screen.view.page is run.page
        # Guided: the next thing to touch is highlighted and its hint is shown beside it.
        pending, hint = run.guide()
        if pending is not None:
            frame = screen.view.fields[pending.id].frame
            assert frame.highlighted, f"{run.page.id}: {pending.id} should be highlighted"
            if hint is not None:
                assert screen.bubble.parent is not None
                assert screen.bubble.txt == hint.text.get("fr")
                hints_seen.add(hint.text.fr)
        if page_number == 1:
            driver.screenshot(ui_artifacts / f"guided-{GUIDED_PROCEDURE}-first-page.png")
        # Follow the guide: touch what is highlighted, type the persona's value, go on.
        before = run.page.id
        play_page(driver, screen)
        assert run.page.id != before or run.page.end, f"stuck on {before}"
    driver.screenshot(ui_artifacts / f"guided-{GUIDED_PROCEDURE}-end.png")
    assert run.completed

    visible(driver, screen, screen.view.button)
    driver.tap(screen.view.button)   # "Terminer l'exercice et voir mon bilan"
    debrief = driver.screen()
    assert debrief.name == "practice_debrief"
    assert debrief.ids.body.txt.startswith("Vous avez fait tout l'exercice")
    assert debrief.ids.remember.children, "what to remember for the real site is listed"
    driver.screenshot(ui_artifacts / f"debrief-{GUIDED_PROCEDURE}-fr.png")

    # Exactly one activity, with the run's counts, in the session record.
    practice = [a for a in core.session.activities if a.kind.value == "practice"]
    assert len(practice) == 1
    activity = practice[0]
    assert activity.procedure_id == GUIDED_PROCEDURE
    assert activity.completed is True
    assert activity.errors == 0
    assert activity.autonomy.value == "guided"
    assert activity.steps_reached == activity.steps_total == run.steps_total
    assert activity.hints_used == run.hints_used >= len(hints_seen) > 0

    # The memo sheet: a session file, printed through the print service (demo printer here).
    debrief.ids.scroller.scroll_to(debrief.ids.print_memo, animate=False)  # a swipe down
    driver.frames(2)
    driver.tap(debrief.ids.print_memo)
    # Built off the UI thread; meanwhile the wait is said over the screen, not a frozen frame.
    assert debrief.busy and debrief._panel.parent is debrief
    assert debrief._panel.ids.words.txt == "Préparation de votre fiche mémo…"
    debrief.wait_idle(lambda: driver.frames(1))
    assert debrief._panel.parent is None
    assert debrief.printed, debrief.print_status
    prints = [a for a in core.session.activities if a.kind.value == "print"]
    assert len(prints) == 1 and prints[0].pages >= 1
    memo_files = [a for a in core.session.artefacts if a.kind == "file"]
    assert memo_files and all(Path(a.ref).exists() for a in memo_files)

    # Leaving the kiosk: the record carries the practice once, with counts only.
    before = len(queued_records(ui_app))
    core.end(EndReason.FINISHED, offer_survey=False)
    records = queued_records(ui_app)
    assert len(records) == before + 1
    recorded = [a for a in records[-1]["activities"] if a["kind"] == "practice"]
    assert len(recorded) == 1 and recorded[0]["completed"] is True
    assert screen.views == {}, "no page view (with what was typed) survives the session"


def test_mistakes_show_plain_messages_and_are_counted_in_autonomous_mode(driver, ui_app,
                                                                         ui_artifacts):
    core = ui_app.runtime.core
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "autonomous")
    run = screen.run
    assert screen.bubble.parent is None, "alone: no hint until asked"
    assert not any(f.frame.highlighted for f in screen.view.fields.values())

    # A social security number with its key (15 digits): a plain message under the field and on top.
    play_page(driver, screen, {"nir": "291077511203428"})
    assert run.page.id == "connexion"
    field = screen.view.fields["nir"]
    assert "13 chiffres" in field.form.message
    assert "erreur" in screen.view.summary.title   # the error summary on top of the page
    driver.screenshot(ui_artifacts / f"mistake-{GUIDED_PROCEDURE}-fr.png")

    # "Aide" gives the hint for the field to fix, and counts it.
    driver.tap(screen.ids.help)
    driver.frames(2)
    assert screen.bubble.parent is not None and "2910775112034" in screen.bubble.txt
    driver.tap(screen.bubble.ids.ok)
    assert screen.bubble.parent is None

    play_page(driver, screen)   # clears the box with backspace and types it right
    assert run.page.id == "verification"
    play_page(driver, screen)   # the code received by e-mail, read on the simulated phone
    assert run.page.id == "espace"

    # "Ma fiche" is always reachable and shows the persona's values.
    driver.tap(screen.ids.persona)
    assert screen.overlay.parent is not None
    assert "Sofia Haddad" in screen.overlay.ids.body.children[0].card
    driver.screenshot(ui_artifacts / "persona-card-fr.png")
    driver.tap(screen.overlay.ids.close)
    assert screen.overlay.parent is None

    # Typed work would be lost: leaving is asked first, staying is the big safe answer.
    driver.tap(screen.ids.quit)
    dialog = driver.confirmation()
    assert dialog is not None and dialog.title == "Quitter l'exercice ?"
    assert dialog.ids.safe.height > dialog.ids.confirm.height
    driver.answer(confirm=False)   # "Non, je reste sur l'exercice"
    assert driver.screen().name == "practice_page" and driver.confirmation() is None
    assert screen.run is run and run.history, "nothing was lost"
    driver.tap(screen.ids.quit)
    driver.answer()                # "Oui, quitter l'exercice"
    assert driver.screen().name == "practice_catalogue"
    activity = [a for a in core.session.activities if a.kind.value == "practice"][-1]
    assert activity.completed is False
    assert activity.errors == 1
    assert activity.hints_used == 1
    assert activity.autonomy.value == "partly_autonomous"
    assert 1 < activity.steps_reached < activity.steps_total


def test_session_expired_trap_sends_back_with_the_sites_message(driver, ui_app):
    core = ui_app.runtime.core
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "autonomous")
    trap = screen.run.page.traps[0]
    assert trap.kind.value == "session_expired"
    core.clock.advance(trap.after_s + 1)   # the person waited too long on the page
    play_page(driver, screen)
    assert screen.run.page.id == "connexion"
    assert "expiré" in screen.view.notice.txt
    assert screen.view.fields["nir"].get() == "", "what was typed is lost, as on the site"


def test_scam_link_is_explained_and_counted(driver, ui_app, ui_artifacts):
    catalogue = ui_app.runtime.practice
    procedure, page = next((p, pg) for p in catalogue.procedures for pg in p.pages
                           if pg.trap(TrapKind.SCAM_LINK))
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, procedure.id, "autonomous")
    advance_to(driver, screen, page.id)
    assert screen.run.page.id == page.id and screen.view.scam is not None
    visible(driver, screen, screen.view.scam)
    driver.screenshot(ui_artifacts / f"scam-link-{procedure.id}-fr.png")
    driver.tap(screen.view.scam)
    assert screen.overlay.parent is not None and screen.overlay.tone == "warning"
    driver.screenshot(ui_artifacts / f"scam-link-explained-{procedure.id}-fr.png")
    driver.tap(screen.overlay.ids.close)
    assert screen.run.errors >= 1


def test_sms_code_arrives_on_the_simulated_phone_and_is_typed_from_it(driver, ui_app,
                                                                     ui_artifacts):
    catalogue = ui_app.runtime.practice
    procedure, page = next((p, pg) for p in catalogue.procedures for pg in p.pages
                           if any(f.type.value == "sms_code" for f in pg.fields))
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, procedure.id, "autonomous")
    advance_to(driver, screen, page.id)
    assert screen.run.page.id == page.id
    assert screen.has_sms and screen.run.sms_code in screen.ids.phone.ids.sms.txt
    driver.screenshot(ui_artifacts / f"sms-{procedure.id}-fr.png")
    driver.tap(screen.ids.phone.ids.resend)
    code = screen.run.sms_code
    assert code in screen.ids.phone.ids.sms.txt
    sms_field = next(f for f in screen.view.fields.values()
                     if f.field.type.value == "sms_code")
    fill_field(driver, screen, sms_field, code)
    close_keyboard(driver, screen)
    for other in screen.view.fields.values():
        if other is not sms_field:
            fill_field(driver, screen, other, solution(other.field, procedure, code))
    press_site_button(driver, screen)
    assert screen.run.page.id != page.id


def test_practice_pages_keep_text_in_boxes_and_targets_big_at_large_text(driver, ui_app):
    start_session(ui_app, driver, {Accessibility.LARGE_TEXT})
    ui_app.ui.text_scale = 2.0
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "autonomous")
    driver.frames(3)
    assert layout_problems(screen) == []


def test_an_abandoned_practice_still_counts_when_the_session_times_out(driver, ui_app):
    core = ui_app.runtime.core
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "guided")
    play_page(driver, screen)
    before = len(queued_records(ui_app))
    core.clock.advance(core.idle.timeout_s + 1)
    core.tick()
    assert core.state is SessionState.IDLE_WARNING
    core.clock.advance(core.idle.warning_s + 1)
    core.tick()
    assert core.state in (SessionState.ENDING, SessionState.IDLE)
    if core.state is SessionState.ENDING:
        core.complete(None)
    record = queued_records(ui_app)[before]
    practice = [a for a in record["activities"] if a["kind"] == "practice"]
    assert len(practice) == 1
    assert practice[0]["completed"] is False and practice[0]["steps_reached"] >= 2
    assert screen.views == {} and screen.run is None


def test_upload_offers_the_document_scanned_in_this_session(driver, ui_app, ui_artifacts):
    from kiosk.documents.scanning import ScanService

    core = ui_app.runtime.core
    start_session(ui_app, driver)
    # A real scan with the demo scanner, through the scan service: a session file, listed
    # with the session's documents as the scan screen does.
    desk = getattr(ui_app.runtime, "documents", None)
    if desk is not None:
        from kiosk.documents.session_documents import DocumentKind

        scanned = desk.scans.scan_document()
        desk.add(scanned, DocumentKind.SCAN, "Document scanné")
    else:
        scanned = ScanService(ui_app.runtime.scanner, core, dpi=75).scan_document()
    assert scanned.pdf.exists()
    catalogue = ui_app.runtime.practice
    # an upload on the last page before the end (the exercise is then finished)
    procedure, page = next((p, pg) for p in catalogue.procedures for pg in p.pages
                           if any(f.type.value == "document_upload" for f in pg.fields)
                           and pg.next and all(p.page(b.page).end for b in pg.next))
    screen = open_practice(driver, ui_app, procedure.id, "autonomous")
    advance_to(driver, screen, page.id)
    upload = next(f for f in screen.view.fields.values()
                  if f.field.type.value == "document_upload")
    assert "scan:1" in upload.options, "the document scanned here is offered"
    assert "n° 1" in upload.options["scan:1"].txt
    driver.screenshot(ui_artifacts / f"upload-{procedure.id}-fr.png")
    fill_field(driver, screen, upload, "scan:1")
    for other in screen.view.fields.values():
        if other is not upload:
            fill_field(driver, screen, other, solution(other.field, procedure,
                                                       screen.run.sms_code))
    press_site_button(driver, screen)
    assert screen.run.page.id != page.id
    assert screen.run.completed
    driver.tap(screen.ids.quit)    # a finished exercise loses nothing: no question asked
    assert driver.confirmation() is None
    core.end(EndReason.FINISHED, offer_survey=False)
    assert not scanned.pdf.exists(), "the scan is wiped with the session"


def test_guided_hint_is_read_aloud_when_the_option_is_on(driver, ui_app):
    speaker = ui_app.runtime.speaker
    if not speaker.available:
        pytest.skip("espeak-ng is not installed")
    start_session(ui_app, driver, {Accessibility.READ_ALOUD})
    ui_app.ui.read_aloud = True
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "guided")
    driver.frames(2)
    _pending, hint = screen.run.guide()
    assert hint is not None and screen.bubble.parent is not None
    # Real espeak-ng was started with the hint, in French.
    assert speaker.last_text == hint.text.fr and speaker.last_language == "fr"
    speaker.stop()


def test_wrong_format_trap_is_refused_on_continue_with_the_sites_message(driver, ui_app):
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "autonomous")
    advance_to(driver, screen, "correction")
    trap = screen.run.page.trap(TrapKind.WRONG_FORMAT)
    field = screen.view.fields[trap.field]
    fill_field(driver, screen, field, "920 €")    # right amount, in a form the site refuses
    assert field.form.message == "", "no warning while typing: the site says it on Continuer"
    play_page(driver, screen, {trap.field: "920 €"})
    assert screen.run.page.id == "correction"
    # the site's message, after the field's visible label (errors name their field)
    assert field.form.message == f"{field.form.label} : {trap.message.get('fr')}"
    assert screen.run.stats["correction"].field_errors == {trap.field: 1}


def test_random_touches_on_the_practice_screens_break_nothing_and_leave_nothing(driver, ui_app):
    import random

    core = ui_app.runtime.core
    rng = random.Random(2024)
    start_session(ui_app, driver)
    procedures = ui_app.runtime.practice.ids()
    window = driver.window
    for _round in range(8):
        if not driver.screen().name.startswith("practice_"):
            if driver.screen().name != "home":
                ui_app.show("home")
                driver.frames(1)
            open_practice(driver, ui_app, rng.choice(procedures),
                          rng.choice(["guided", "autonomous"]))
        for _ in range(50):
            driver.tap_at(rng.uniform(0, window.width), rng.uniform(0, window.height),
                          draw=rng.random() < 0.2)
            if core.state is not SessionState.ACTIVE:   # a stray "J'ai terminé" or idle
                break
        if core.state is not SessionState.ACTIVE:
            break
    driver.frames(2)
    if core.in_session:
        core.end(EndReason.FINISHED, offer_survey=False)
    page = ui_app.sm.get_screen("practice_page")
    assert page.views == {} and page.run is None
    assert core.state in (SessionState.IDLE, SessionState.ENDING)


def test_the_debrief_says_what_to_do_next_and_who_helps_for_real(driver, ui_app):
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, GUIDED_PROCEDURE, "guided")
    advance_to(driver, screen, "telechargement")
    assert screen.run.completed
    visible(driver, screen, screen.view.button)   # below the page's text: a swipe
    driver.tap(screen.view.button)   # "Terminer l'exercice et voir mon bilan"
    driver.frames(2)
    debrief = driver.screen()
    assert debrief.name == "practice_debrief"
    lines = [w.txt for w in debrief.ids.next_steps.children]
    assert any("Exercice conseillé ensuite" in line for line in lines), lines
    assert any("Aidants Connect" in line for line in lines), lines


def test_a_short_first_timer_version_is_chosen_by_touch_and_leads_to_the_full_one(driver, ui_app):
    start_session(ui_app, driver)
    driver.tap(driver.screen().ids.tile_practice)
    catalogue = driver.screen()
    assert "identite-numerique-connexion-courte" not in catalogue.shown  # one card per procedure
    catalogue.card("identite-numerique-connexion")
    driver.frames(2)
    driver.tap(catalogue.card("identite-numerique-connexion"))
    start = driver.screen()
    assert start.name == "practice_start"
    versions = start.ids.versions
    assert versions.height > 0 and versions.opacity == 1 and not versions.disabled
    assert start.ids.full_version.kind == "primary"     # the full one until the person picks
    start.ids.scroller.scroll_to(start.ids.short_version, animate=False)
    driver.frames(2)
    driver.tap(start.ids.short_version)
    assert start.ids.short_version.kind == "primary" and start.ids.full_version.kind == "secondary"
    assert start.title_txt.endswith("(version courte)")
    assert "5 min" in start.details
    start.ids.scroller.scroll_to(start.ids.alone, animate=False)
    driver.frames(2)
    driver.tap(start.ids.alone)
    screen = driver.screen()
    assert screen.name == "practice_page"
    run = screen.run
    assert run.procedure.id == "identite-numerique-connexion-courte"
    while not run.page.end:
        before = run.page.id
        play_page(driver, screen)
        assert run.page.id != before or run.page.end, f"stuck on {before}"
    visible(driver, screen, screen.view.button)
    driver.tap(screen.view.button)   # "Terminer l'exercice et voir mon bilan"
    driver.frames(2)
    debrief = driver.screen()
    assert debrief.name == "practice_debrief"
    lines = [w.txt for w in debrief.ids.next_steps.children]
    assert any("Vous avez réussi la version courte." in line for line in lines), lines
    before = len(queued_records(ui_app))
    ui_app.runtime.core.end(EndReason.FINISHED, offer_survey=False)
    records = queued_records(ui_app)
    assert len(records) == before + 1
    [practised] = [a for a in records[-1]["activities"] if a["kind"] == "practice"]
    assert practised["procedure_id"] == "identite-numerique-connexion-courte"
    assert practised["completed"] is True and practised["autonomy"] == "autonomous"


def test_a_procedure_without_short_version_shows_no_version_choice(driver, ui_app):
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, "caf-demenagement", "guided")
    assert screen.run.procedure.id == "caf-demenagement"
    start = ui_app.sm.get_screen("practice_start")
    versions = start.ids.versions
    assert versions.height == 0 and versions.disabled and not start.has_short
    assert versions.collapsed()   # it takes no touch meant for what is drawn there


def test_a_box_to_tick_is_a_dsfr_checkbox_whose_whole_row_ticks_it(driver, ui_app):
    """A consent (and any checkbox or signature field) is DSFR's checkbox: the square on the
    start side (mirrored in Arabic), its sentence after it, the whole row the touch target,
    taller at large text; ticked, the square filled with its tick drawn; the engine's value
    is True / False as before; in error the box and its row red, the field's red line and a
    message naming it, all gone once ticked."""
    from kivy.graphics import Line

    import kiosk.practice
    from kiosk.practice.engine import PracticeRun
    from kiosk.practice.loader import load_procedure
    from kiosk.screens.kit import CheckMark, CheckOption, ui
    from kiosk.screens.layout_audit import window_box
    from kiosk.screens.practice.fields import TickField, build_field

    procedure = load_procedure(Path(kiosk.practice.__file__).parent / "procedures"
                               / "ameli-compte.yaml")
    run = PracticeRun(procedure, Mode.AUTONOMOUS)
    run.jump_to("conditions")
    [field] = [f for f in run.page.fields if f.id == "cgu"]
    changed: list = []
    tick = build_field(field, run, changed.append, dict, [])
    assert isinstance(tick, TickField) and isinstance(tick.toggle, CheckOption)
    row, frame = tick.toggle, tick.frame
    [mark] = [w for w in row.children if isinstance(w, CheckMark)]
    [words] = [w for w in row.children if isinstance(w, KLabel)]
    frame.size_hint_x, frame.width, frame.pos = None, 900, (100, 150)
    driver.window.add_widget(frame)

    def tick_drawn() -> list[float]:
        *_rest, tick_line = [i for i in mark.canvas.children if isinstance(i, Line)]
        return list(tick_line.points)

    try:
        heights = {}
        for scale in theme.TEXT_SCALES:
            for rtl in (False, True):
                ui.text_scale, ui.rtl = scale, rtl
                try:
                    driver.frames(2)
                    assert (mark.x > words.x) if rtl else (mark.x < words.x), "start side"
                    heights[scale] = row.height
                    assert row.height >= dp(theme.MIN_TOUCH_DP) * scale
                    assert mark.side >= dp(24) * scale   # DSFR's 24 px box, at least
                finally:
                    ui.text_scale, ui.rtl = 1.0, False
        assert heights[1.0] < heights[1.5] < heights[2.0]
        driver.frames(2)
        assert tick.get() is False and tick_drawn() == []

        # The far end of the row, away from the box and past the words, ticks it.
        box = window_box(row)
        driver.tap_at(box.x + box.w - 10, box.y + box.h / 2)
        assert tick.get() is True and run.value("cgu") is True and changed == [tick]
        assert len(tick_drawn()) == 6, "the tick is drawn in the box"
        driver.tap_at(box.x + box.w - 10, box.y + box.h / 2)
        assert tick.get() is False and run.value("cgu") is False

        # Sent unticked: the error as every field's, naming it by its sentence.
        problem = run.problem("cgu", False, {})
        assert problem is not None
        tick.show_error(problem.text("fr"))
        driver.frames(1)
        assert row.error and mark.error and frame.error
        assert "J'accepte les conditions générales d'utilisation" in tick._error.txt
        driver.tap(row)
        assert tick.get() is True and not row.error and not frame.error and not tick._error.txt
    finally:
        driver.window.remove_widget(frame)


def test_the_error_summary_counts_the_errors_left_as_each_is_corrected(driver, ui_app):
    """Two errors (a consent left unticked, a captcha left empty): the summary says 2; once
    the box is ticked its entry goes and the title says 1, in the singular; the last fix
    takes the summary away."""
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, "ameli-compte", "autonomous")
    advance_to(driver, screen, "conditions")
    screen.submit()
    driver.frames(2)
    summary = screen.view.summary
    assert summary.parent is not None and len(summary.ids.entries.children) == 2
    assert summary.title.startswith("Il y a 2 erreurs")
    tick = screen.view.fields["cgu"]
    visible(driver, screen, tick.toggle)
    driver.tap(tick.toggle)
    assert len(summary.ids.entries.children) == 1
    assert summary.title == "Il y a 1 erreur sur la page. Corrigez le champ marqué en rouge."
    captcha = next(f for f in screen.view.fields.values() if f.field.type.value == "captcha")
    captcha.form.value = captcha.field.expected
    assert summary.parent is None, "the last fix takes the summary away"
