"""The layout audit: every resident screen (and the mediator's, reached from them), each type of
practice page, an ID copy's later steps with their step counter, and a help call open on a
practice page, rendered in French, English and Arabic x text x1, x1.5, x2 x normal and high
contrast x keyboard closed and (where the screen has a field to type in) open. One Kivy window
for all (the session app).

What is checked in each combination, and why the two contrasts differ:
- normal contrast, every check of kiosk.screens.layout_audit: no overlap, no clipped text, the
  focused field in view above the keyboard, the bottom bar on screen, touch targets of 48 dp
  that a touch reaches, Arabic shaped; and every text against what is painted behind it
  (4.5:1);
- high contrast, the same screen with the palette switched: the palette changes colours, never
  places, so instead of running the geometry again it checks that nothing moved, appeared or
  disappeared (kiosk.screens.colour_audit.moved: the geometry checked in normal contrast is
  the geometry shown in high contrast) and every text against what is behind it (7:1).
Both count as a combination checked (the printed count: languages x sizes x contrasts x
keyboard states over the states); this halves the audit's time without leaving out any
combination of the matrix."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from kiosk.devices import errors
from kiosk.help_calls import HelpView
from kiosk.i18n import _ as translate
from kiosk.practice.engine import PracticeRun
from kiosk.practice.parcours_card import READING_MESSAGES, CardReading
from kiosk.practice.solution import page_solution
from kiosk.screens.colour_audit import moved, places, text_contrast_problems
from kiosk.screens.device_fault import describe
from kiosk.screens.kit import ui
from kiosk.screens.layout_audit import Box, audit, shown_modal
from kiosk.screens.practice.fields import TextField
from kiosk_wire.schema import Language

from .practice_play import advance_to

pytestmark = pytest.mark.display

LANGUAGES = ("fr", "en", "ar")
# A subset while working on one part (the whole audit takes ~20 min on a loaded machine):
# LAYOUT_AUDIT_LANGUAGES=ar and/or LAYOUT_AUDIT_STATES=practice-catalogue,scan (state names
# starting with these; the resident's states run up to the last one wanted). Unset (CI),
# everything is audited.
ONLY_LANGUAGES = tuple(os.environ.get("LAYOUT_AUDIT_LANGUAGES", "").split(",")) if \
    os.environ.get("LAYOUT_AUDIT_LANGUAGES") else LANGUAGES
ONLY_STATES = tuple(s for s in os.environ.get("LAYOUT_AUDIT_STATES", "").split(",") if s)
SCALES = (1.0, 1.5, 2.0)
CONTRASTS = (False, True)

# Problems known and not fixed yet, each with why (reported in the session notes): the audit
# still lists them, and fails on any other. (Each entry: the words a problem's line contains.)
# None today. (The last ones, site logos' initials alone on their card's band in the Arabic
# catalogue, were logos drawn before their mirroring: tests/ui/test_operator_logo.py.)
KNOWN: set[tuple[str, ...]] = set()

# (focused field, keyboard) once the keyboard is open
Focus = tuple[Any, Any]


class State:
    """A screen in a given state: how to reach it, and how to open its keyboard if any."""

    def __init__(self, name: str, prepare: Callable[[], None],
                 keyboard: Callable[[], Focus] | None = None) -> None:
        self.name, self.prepare, self.keyboard = name, prepare, keyboard


def page_features(page: Any) -> set[str]:
    """What kind of practice page this is: its field types, table, traps, end."""
    kinds = {f"field:{f.type.value}" for f in page.fields}
    if page.table is not None:
        kinds.add("table")
    kinds |= {f"trap:{t.kind.value}" for t in page.traps}
    if page.end:
        kinds.add("end")
    return kinds or {"text only"}


def practice_page_types(catalogue: Any) -> list[tuple[str, str]]:
    """(procedure id, page id) covering every kind of page met on the persona's path
    through the catalogue's procedures, the fewest pages first found."""
    chosen: list[tuple[str, str]] = []
    covered: set[str] = set()
    for pid in sorted(catalogue.ids()):
        run = PracticeRun(catalogue.get(pid))
        for _ in range(40):
            new = page_features(run.page) - covered
            if new:
                covered |= new
                chosen.append((pid, run.page.id))
            if run.page.end:
                break
            result = run.submit(page_solution(run.page, run.procedure, run.sms_code))
            if not result.ok:
                break
    return chosen


def resident_states(app: Any, driver: Any) -> list[State]:
    core = app.runtime.core

    def visit(name: str) -> None:
        app.show(name)
        settle(driver)

    def show(name: str) -> Callable[[], None]:
        return lambda: visit(name)

    def help_view(view: HelpView) -> Callable[[], None]:
        def go() -> None:
            visit("help_call")
            driver.screen().view = view.value
        return go

    def scan_fault() -> None:
        visit("scan")
        driver.screen().ids.fault.show(describe(errors.CoverOpen("capot ouvert")))

    def hint_on_home() -> None:
        visit("home")
        driver.tap(driver.screen().ids.bar_help)

    def idle() -> None:
        visit("home")
        core.clock.advance(core.idle.timeout_s)
        app._tick()

    def end(step: int) -> Callable[[], None]:
        def go() -> None:
            if core.state is not core.state.ENDING:
                visit("home")
                driver.tap(driver.screen().ids.tile_done)
                if driver.screen().name == "practice_parcours_card":  # a parcours followed
                    driver.tap(driver.screen().ids.finish)   # the card's "Terminer"
                driver.answer()   # "J'ai terminé" asks first: yes, end
            driver.screen().show_step(step)
        return go

    def catalogue_keyboard() -> Focus:
        screen = driver.screen()
        driver.tap(screen.ids.search.ids.box)
        return screen.ids.search, screen.keyboard

    def parcours(screen: str) -> Callable[[], None]:
        """A parcours followed with its first exercise done (the catalogue brings the
        parcours screens along), then ``screen``."""
        def go() -> None:
            visit("practice_catalogue")
            follow = app.screen("practice_catalogue").flow.parcours
            follow.follow(next(iter(follow.offered().values())), frozenset({0}))
            if screen == "practice_parcours_resume":
                refused = app.screen(screen)
                visit(screen)
                refused._show_refusal(translate(READING_MESSAGES[CardReading.TAMPERED]))
                return
            visit(screen)
        return go

    states = [
        State("home", show("home")), State("home-help", hint_on_home),
        State("scan", show("scan")), State("scan-fault", scan_fault),
        *scan_states(app, driver),
        State("print", show("print")),
        State("help-sending", help_view(HelpView.SENDING)),
        State("help-go-to-desk", help_view(HelpView.GO_TO_DESK)),
        State("practice-catalogue", show("practice_catalogue"), catalogue_keyboard),
        State("practice-parcours", parcours("practice_parcours")),
        State("practice-parcours-card-refused", parcours("practice_parcours_resume")),
        State("practice-parcours-card-print", parcours("practice_parcours_card")),
    ]
    catalogue = app.runtime.practice
    for number, (pid, page_id) in enumerate(practice_page_types(catalogue)):
        states += practice_states(app, driver, pid, page_id, first=number == 0)
    states += help_call_states(app, driver, practice_page_types(catalogue))
    states += [State("idle-warning", idle), State("end", end(0)),
               State("survey", end(1))]
    return states


def mediator_states(app: Any, driver: Any) -> list[State]:
    """The mediator's screens, reached from the resident screens (and used at x2 too): the
    unlock screen with its numeric pad docked, the panel, a badge being named on the keyboard."""
    def unlock() -> None:
        app.show("mediator_unlock")

    def pad() -> Focus:
        screen = app.screen("mediator_unlock")
        return screen.ids.pin, screen.ids.keyboard

    def panel() -> None:
        app.open_mediator_panel()

    def naming_a_badge() -> Focus:
        screen = app.screen("mediator_panel")
        if not screen.enrolling:
            driver.tap(screen.ids.enrol)
            settle(driver)
        return screen._field, screen._keyboard

    return [State("mediator-unlock", unlock, pad), State("mediator-panel", panel, naming_a_badge)]


def scan_states(app: Any, driver: Any) -> list[State]:
    """An ID copy's later steps, each with its step counter: the recto to place (2 of 7), the
    crop (3 of 7), the watermark (6 of 7, and typing who the copy is for) and the result (7
    of 7). Each state goes on from the one before, with the demo scanner."""
    scanner = app.runtime.scanner.backend

    def screen() -> Any:
        return app.screen("scan")

    def counter(expected: tuple[int, int]) -> None:
        page = screen().ids.page
        assert (page.step, page.steps) == expected, screen().ids.fault.message

    def ready() -> None:
        screen().wait_idle(lambda: driver.frames(1))
        settle(driver)

    def place() -> None:
        # (the scan screen is still shown with the previous state's fault: the recto step
        # is audited with it, then without it from the crop on)
        app.show("scan")
        settle(driver)
        screen().choose("id_card")
        settle(driver)
        counter((2, 7))

    def crop() -> None:
        scanner.place("id_recto")
        screen().scan()
        ready()
        counter((3, 7))

    def watermark() -> None:
        screen().accept_crop()
        scanner.place("id_verso")
        screen().scan()
        ready()
        screen().accept_crop()
        ready()
        counter((6, 7))

    def typing_for_whom() -> Focus:
        scan = screen()
        scan.ids.wm_scroll.scroll_to(scan.ids.wm_other, animate=False)  # a swipe to it
        settle(driver)
        driver.tap(scan.ids.wm_other)
        settle(driver)
        return scan.ids.purpose_field, scan.ids.purpose_keyboard

    def result() -> None:
        screen().pick_purpose("CAF")   # who the copy is for: a tap on the list
        screen().watermark_continue()
        ready()
        counter((7, 7))
        scanner.place("letter")

    return [State("scan-place-recto", place), State("scan-crop", crop),
            State("scan-watermark", watermark, typing_for_whom), State("scan-result", result)]


def practice_states(app: Any, driver: Any, pid: str, page_id: str, first: bool) -> list[State]:
    def start() -> None:
        app.show("home")
        settle(driver)
        driver.tap(driver.screen().ids.tile_practice)
        catalogue = driver.screen()
        settle(driver)
        driver.tap(catalogue.card(pid))

    def page() -> None:
        # straight to the page (the way there is not what this checks: test_practice_screens)
        start = app.screen("practice_start")
        start.show_procedure(app.runtime.practice.get(pid))
        app.show("practice_start")
        start.begin("guided")
        screen = driver.screen()
        advance_to(driver, screen, page_id)

    def keyboard() -> Focus:
        screen = driver.screen()
        text = [f for f in screen.view.fields.values() if isinstance(f, TextField)]
        screen.ids.scroller.scroll_to(text[0].form, animate=False)  # a swipe to the field
        settle(driver)
        driver.tap(text[0].form.ids.box)
        return text[0].form, screen.keyboard

    def start_with_versions() -> None:
        """The start sheet of a procedure with a short first-timer version, the short one
        chosen: the two versions' buttons above the two modes'."""
        catalogue = app.runtime.practice
        sheet = app.screen("practice_start")
        sheet.show_procedure(next(p for p in catalogue.procedures if p.short is not None))
        sheet.choose_version(True)
        app.show("practice_start")
        settle(driver)

    has_text = any(f.type.value in TEXT_TYPES
                   for f in app.runtime.practice.get(pid).page(page_id).fields)
    states = [State(f"practice-{pid}-{page_id}", page, keyboard if has_text else None)]
    if first:   # the start sheet looks the same for every procedure: one of each kind
        states[:0] = [State("practice-start", start),
                      State("practice-start-versions", start_with_versions)]
    return states


def help_call_states(app: Any, driver: Any, pages: list[tuple[str, str]]) -> list[State]:
    """A help call made from a practice page with a field: the card saying a mediator was told
    (over the page), then the card closed, the call's status and « Annuler mon appel » at the
    top of the page, keyboard closed and open. The desk's answer is given as the help desk's
    listener would (no server here: tests/ui/test_practice_help_call.py has the real one)."""
    catalogue = app.runtime.practice
    pid, page_id = next((p, g) for p, g in pages if any(
        f.type.value in TEXT_TYPES for f in catalogue.get(p).page(g).fields))
    [page_state] = practice_states(app, driver, pid, page_id, first=False)

    def called() -> None:
        page_state.prepare()
        screen = driver.screen()
        screen.help_call.help.view = HelpView.NOTIFIED
        screen.help_call._changed(HelpView.NOTIFIED, True)   # what the desk's answer does
        settle(driver)
        assert screen.overlay.parent is not None

    def card_closed() -> None:
        screen = driver.screen()
        driver.tap(screen.overlay.ids.close)
        settle(driver)
        assert screen.help_cancellable

    return [State("practice-help-call-card", called),
            State("practice-help-call-status", card_closed, page_state.keyboard)]


TEXT_TYPES = {"text", "date", "number", "password", "sms_code", "captcha", "email", "phone"}


def settle(driver: Any, ticks: int = 8) -> None:
    """Layout and text settle on clock ticks (nested layouts take a few); no need to draw a
    frame for each combination."""
    for _ in range(ticks):
        driver.tick()


@pytest.mark.timeout(1800)   # ~3 min of CPU; much more on a loaded machine
def test_every_resident_screen_holds_in_every_language_size_contrast_and_keyboard(
        driver, ui_app, capsys, artifacts_dir):
    core = ui_app.runtime.core
    problems: list[str] = []
    checked = 0
    for lang in ONLY_LANGUAGES:
        ui_app.reset_for_next_test()
        ui.set_language(lang)
        states = [State("welcome", lambda: ui_app.show("welcome")),
                  *mediator_states(ui_app, driver)]
        for state in states:
            ui.text_scale, ui.high_contrast = 1.0, False
            state.prepare()
            settle(driver)
            checked += check_combinations(driver, ui_app, lang, state, problems)
        ui_app.leave_mediator()
        ui_app.start_session(Language(lang), set())
        driver.frames(2)
        matched = False
        for state in resident_states(ui_app, driver):
            # a subset: the states are reached one from the other; stop after the last wanted
            if ONLY_STATES and matched and not state.name.startswith(ONLY_STATES):
                break
            matched = matched or state.name.startswith(ONLY_STATES or ("",))
            ui.text_scale, ui.high_contrast = 1.0, False
            if core.state is core.state.IDLE_WARNING:
                core.touch()
            state.prepare()
            settle(driver)
            checked += check_combinations(driver, ui_app, lang, state, problems)
    known = [p for p in problems if any(all(part in p for part in k) for k in KNOWN)]
    problems = [p for p in problems if p not in known]
    report = artifacts_dir / "layout-audit.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("".join(f"{p}\n" for p in problems + [f"known: {k}" for k in known]),
                      encoding="utf-8")
    with capsys.disabled():
        print(f"\nlayout audit: {checked} combinations checked "
              f"({len(ONLY_LANGUAGES)} languages x {len(SCALES)} text sizes x {len(CONTRASTS)} "
              f"contrasts x keyboard closed/open where a field exists), "
              f"{len(problems)} problems, {len(known)} known ones left")
    assert problems == [], f"{len(problems)} problems (all in {report}):\n" + \
        "\n".join(problems[:40])


def check_combinations(driver: Any, app: Any, lang: str, state: State,
                       problems: list[str]) -> int:
    """Each text size, keyboard closed and open: the whole audit in normal contrast, then the
    same screen in high contrast, where only what a palette can break is checked (it changes
    colours, never places: :mod:`kiosk.screens.colour_audit` checks that too). Both count as
    a combination checked."""
    checked = 0
    if ONLY_STATES and not state.name.startswith(ONLY_STATES):
        return checked
    for with_keyboard in (False, True) if state.keyboard else (False,):
        focus: Focus | None = None
        if with_keyboard:
            ui.text_scale, ui.high_contrast = 1.0, False
            settle(driver)
            focus = state.keyboard()
        driver.frames(1)  # drawn once: what the audit sees is on the glass
        root = app.overlay if app._overlay_shown() else app.root
        screen = Box(0, 0, driver.window.width, driver.window.height)
        for scale in SCALES:
            relayout = ui.text_scale != scale
            ui.text_scale, ui.high_contrast = scale, False
            settle(driver, 8 if relayout else 2)
            where = f"{state.name} {lang} x{scale}{' keyboard' if with_keyboard else ''}"
            problems += audit(root, driver.window, where, *(focus if focus else (None, None)))
            problems += text_contrast_problems(shown_modal(root) or root, screen, ui.palette,
                                               where)
            seen = shown_modal(root) or root   # a modal card: what is under it is dimmed
            before = places(seen, screen)
            ui.high_contrast = True
            settle(driver, 2)  # a palette changes colours, not places
            problems += moved(before, places(seen, screen), f"{where} hc")
            problems += text_contrast_problems(seen, screen, ui.palette, f"{where} hc")
            ui.high_contrast = False
            checked += len(CONTRASTS)
    return checked


def test_the_audit_finds_a_target_whose_touches_a_hidden_box_takes(driver):
    """A box hidden by collapsing it keeps its children where they were laid out; a disabled
    one among them swallowed the taps on 'Annuler mon appel' (the practice page's phone). The
    audit names it; the kit's Collapsible box passes the touches on."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.floatlayout import FloatLayout

    from kiosk.screens.kit import BigButton
    from kiosk.screens.kit.widgets import Collapsible
    from kiosk.screens.layout_audit import Box, reach_problems

    class Hidden(BoxLayout):
        pass

    class Collapsed(Collapsible, BoxLayout):
        pass

    found = {}
    for box_class in (Hidden, Collapsed):
        root = FloatLayout(size=(800, 600))
        root.add_widget(BigButton(txt="Annuler mon appel", size_hint=(None, None),
                                  pos=(100, 100), width=300))
        hidden = box_class(size_hint=(None, None), pos=(100, 100), size=(300, 0), opacity=0,
                           disabled=True)
        hidden.add_widget(BigButton(txt="Renvoyer le code", size_hint=(None, None),
                                    pos=(100, 100), width=300))   # where it was laid out
        root.add_widget(hidden)
        found[box_class.__name__] = reach_problems(root, Box(0, 0, 800, 600), "test")
    assert found["Hidden"] == ["test: a touch on BigButton 'Annuler mon appel' goes to "
                               "BigButton 'Renvoyer le code' (disabled)"]
    assert found["Collapsed"] == []
