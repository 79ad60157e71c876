"""A screenshot of every page of every procedure in French, and of one procedure in English
and Arabic (test artifacts), with computed checks on each page: the SIMULATION ribbon and the
operator's name are on screen, no text overflows its box, every touch target is big enough.

Pages are reached along the persona's path (engine answers, then the page is shown), plus the
pages only a branch leads to; the whole app is real (Kivy offscreen, session core, demo devices).
"""
from __future__ import annotations

import os

import pytest
from kivy.metrics import dp
from kivy.uix.scrollview import ScrollView

from kiosk import theme
from kiosk.practice.engine import Mode
from kiosk.practice.solution import page_solution
from kiosk.screens.driver import touch_targets, visible_widgets
from kiosk.screens.kit import KLabel
from kiosk_wire.schema import Language

pytestmark = pytest.mark.display

TRANSLATED_PROCEDURE = "ameli-compte"


def page_problems(screen, where: str) -> list[str]:
    problems = []
    for w in visible_widgets(screen):
        if isinstance(w, KLabel) and w.txt and w.overflows():
            problems.append(f"{where}: text overflows its box: {w.txt[:60]!r}")
    window = screen.get_root_window()
    for t in touch_targets(screen):
        name = getattr(t, "txt", "") or type(t).__name__
        if min(t.width, t.height) + 0.5 < dp(theme.MIN_TOUCH_DP):
            problems.append(f"{where}: touch target too small: {name}")
        x, y = t.to_window(t.x, t.y)
        if not in_scroll(t) and (x < -1 or y < -1 or x + t.width > window.width + 1
                                 or y + t.height > window.height + 1):
            problems.append(f"{where}: touch target outside the window: {name}")
    return problems


def in_scroll(widget) -> bool:
    parent = widget.parent
    for _ in range(100):   # the window is its own parent: bound the walk
        if parent is None:
            return False
        if isinstance(parent, ScrollView):
            return True
        parent = parent.parent
    return False


def pages_in_order(procedure) -> list[str]:
    """The persona's path, then every page only reachable through another branch."""
    from kiosk.practice.engine import PracticeRun

    run = PracticeRun(procedure, Mode.AUTONOMOUS)
    path = [run.page.id]
    for _ in range(60):
        if run.completed:
            break
        run.submit(page_solution(run.page, procedure, run.sms_code))
        path.append(run.page.id)
    return path + [p.id for p in procedure.pages if p.id not in path]


def gallery_procedures(practice) -> list:
    """Every procedure of the catalogue, or only those named in KIOSK_GALLERY_ONLY (ids separated
    by commas): to look at the pages of a procedure being written without shooting them all."""
    only = {i.strip() for i in os.environ.get("KIOSK_GALLERY_ONLY", "").split(",") if i.strip()}
    procedures = list(practice.procedures)
    if not only:
        return procedures
    unknown = only - {p.id for p in procedures}
    assert not unknown, f"KIOSK_GALLERY_ONLY names no procedure of the catalogue: {sorted(unknown)}"
    return [p for p in procedures if p.id in only]


def practice_screen(app, name: str):
    """A practice screen (the app builds optional screens on first use)."""
    if not app.sm.has_screen("practice_catalogue"):
        builder = getattr(app, "screen", None)
        if builder is not None:
            builder("practice_catalogue")   # the catalogue brings its sibling screens
    return app.sm.get_screen(name)


def show_the_site(driver, screen) -> None:
    """Scroll the page so the simulated browser starts at the top of the view: the shot shows
    the page's form, not only the kiosk's tools above it (a resident scrolls there)."""
    page = screen.ids.page
    scroller, content, bar = page.ids.scroller, page.ids.content, screen.ids.address
    spare = content.height - scroller.height
    if spare > 0:
        offset = content.top - content.to_widget(*bar.to_window(bar.x, bar.top))[1]
        scroller.scroll_y = max(0.0, min(1.0, 1 - offset / spare))
        driver.frames(2)


def shoot_procedure(driver, app, procedure, lang: str, out) -> list[str]:
    """Show each page of ``procedure`` on the page screen and save its screenshot."""
    flow = practice_screen(app, "practice_catalogue").flow
    screen = app.sm.get_screen("practice_page")
    problems: list[str] = []
    order = pages_in_order(procedure)
    for number, page_id in enumerate(order, start=1):
        flow.forget()   # screenshots are not practice: no activity for the session record
        flow.start(procedure, Mode.AUTONOMOUS).jump_to(page_id)
        screen.begin()
        app.show("practice_page")
        driver.frames(2)
        where = f"{procedure.id}/{page_id}/{lang}"
        assert screen.view.page.id == page_id
        ribbon = screen.ids.ribbon.ids.ribbon_words.text
        assert ribbon, f"{where}: no SIMULATION ribbon"
        assert screen.ids.operator.name_txt == procedure.operator.name
        problems += page_problems(screen, where)
        show_the_site(driver, screen)
        driver.screenshot(out / f"{procedure.id}-{number:02d}-{page_id}-{lang}.png")
    flow.forget()
    return problems


def test_every_page_of_every_procedure_in_french(driver, ui_app, ui_artifacts):
    ui_app.start_session(Language.FR, set())
    out = ui_artifacts / "fr"
    problems: list[str] = []
    shots = 0
    for procedure in gallery_procedures(ui_app.runtime.practice):
        problems += shoot_procedure(driver, ui_app, procedure, "fr", out)
        shots += len(procedure.pages)
    assert problems == []
    assert len(list(out.glob("*.png"))) >= shots


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_one_procedure_in_english_and_arabic(driver, ui_app, ui_artifacts, lang):
    ui_app.start_session(Language(lang), set())
    ui_app.ui.set_language(lang)
    procedure = ui_app.runtime.practice.get(TRANSLATED_PROCEDURE)
    problems = shoot_procedure(driver, ui_app, procedure, lang, ui_artifacts / lang)
    assert problems == []
    # The procedure's own strings are in that language (not the French source).
    assert procedure.pages[0].title.get(lang) != procedure.pages[0].title.fr


def test_one_procedure_at_the_largest_text_size(driver, ui_app, ui_artifacts):
    ui_app.start_session(Language.FR, set())
    ui_app.ui.text_scale = 2.0
    procedure = ui_app.runtime.practice.get(TRANSLATED_PROCEDURE)
    problems = shoot_procedure(driver, ui_app, procedure, "fr", ui_artifacts / "large-text")
    assert problems == []


def test_the_qr_code_a_page_shows_can_be_read_from_the_screen(driver, ui_app, ui_artifacts):
    from PIL import Image
    from pyzbar.pyzbar import decode

    ui_app.start_session(Language.FR, set())
    procedure, page = next((p, pg) for p in ui_app.runtime.practice.procedures
                           for pg in p.pages if pg.qr)
    flow = practice_screen(ui_app, "practice_catalogue").flow
    screen = ui_app.sm.get_screen("practice_page")
    flow.forget()
    flow.start(procedure, Mode.AUTONOMOUS).jump_to(page.id)
    screen.begin()
    ui_app.show("practice_page")
    driver.frames(2)   # the page laid out (and placed at its top) before the swipe
    screen.ids.scroller.scroll_to(screen.view.qr, animate=False)
    shot = driver.screenshot(ui_artifacts / f"qr-{procedure.id}-{page.id}.png")
    flow.forget()
    decoded = [d.data.decode() for d in decode(Image.open(shot))]
    assert page.qr in decoded
