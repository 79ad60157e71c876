"""Playing practice pages on the real app by simulated touches (shared by the practice UI tests).

Every value is typed by tapping the keys of the on-screen keyboard, every option and box is
touched at its centre, and the site's button is touched to go on: what a finger would do.
"""
from __future__ import annotations

from typing import Any

from kiosk.practice.solution import page_solution
from kiosk.screens.kit.layouts import (
    BACKSPACE,
    SHIFT,
    SPACE,
    TO_LETTERS,
    TO_NUMBERS,
    Layout,
    rows_for,
)
from kiosk.screens.practice.fields import ChoiceField, TextField, TickField

from .helpers import key_button as kit_key


def key_button(keyboard: Any, key: str) -> Any:
    try:
        return kit_key(keyboard, key)
    except StopIteration:
        raise AssertionError(f"no key {key!r} on the {keyboard.layout} keyboard "
                             f"(numbers page: {keyboard.numbers})") from None


def open_practice(driver: Any, app: Any, procedure_id: str, mode: str = "guided") -> Any:
    """From the home screen to the first page of a procedure, by touch: an open question
    ("Terminer et tout effacer ?") answered with its safe choice and the tile swiped into view
    first, as a person would."""
    for _question in range(3):
        if driver.confirmation() is None:
            break
        driver.answer(confirm=False)
    home = driver.screen()
    if "scroller" in home.ids:
        home.ids.scroller.scroll_to(home.ids.tile_practice, animate=False)
        driver.frames(2)
    driver.tap(home.ids.tile_practice)
    catalogue = driver.screen()
    assert catalogue.name == "practice_catalogue"
    driver.frames(2)
    catalogue.card(procedure_id)       # scrolls it into view
    driver.frames(2)
    driver.tap(catalogue.card(procedure_id))
    start = driver.screen()
    assert start.name == "practice_start"
    button = start.ids.guided if mode == "guided" else start.ids.alone
    start.ids.scroller.scroll_to(button, animate=False)   # below the sheet: a swipe
    driver.frames(2)
    driver.tap(button)
    screen = driver.screen()
    assert screen.name == "practice_page"
    driver.frames(2)
    return screen


def visible(driver: Any, screen: Any, widget: Any) -> None:
    """Scroll the page so ``widget`` is in view (as a finger would swipe); a hint bubble in
    the way is closed with its "J'ai compris" button, as a person would. Frames are drawn
    before and after: a person swipes and touches what the settled screen shows (a layout
    still pending, e.g. a hint just put in the page, moves everything below it)."""
    driver.frames(1)
    if screen.name == "practice_page":
        screen.ids.scroller.scroll_to(widget, animate=False)
    driver.frames(2)
    bubble = getattr(screen, "bubble", None)
    if bubble is not None and bubble.parent is not None and "box" in bubble.ids:
        box = bubble.ids.box
        x, y = widget.to_window(widget.center_x, widget.center_y)
        bx, by = box.to_window(box.x, box.y)
        if bx <= x <= bx + box.width and by <= y <= by + box.height:
            driver.tap(bubble.ids.ok)


def _page_of(keyboard: Any, ch: str) -> str:
    layout = Layout(keyboard.layout)
    if layout is not Layout.AZERTY:
        return "same"
    letters = {k for row in rows_for(layout) for k in row} | \
        {k for row in rows_for(layout, shifted=True) for k in row}
    return "letters" if ch in letters or ch == " " else "numbers"


def type_on_keyboard(driver: Any, keyboard: Any, text: str) -> None:
    """Tap each character's key; switches to the number page and uses shift as a person does."""
    for ch in text:
        if ch == " " and keyboard.layout in ("numeric", "date"):
            continue   # "06 12 34 56 78" is typed as its digits on the number pad
        if _page_of(keyboard, ch) == "numbers" and not keyboard.numbers:
            driver.tap(key_button(keyboard, TO_NUMBERS))   # the keys change: let them settle
        elif _page_of(keyboard, ch) == "letters" and keyboard.numbers:
            driver.tap(key_button(keyboard, TO_LETTERS))
        if ch == " ":
            driver.tap(key_button(keyboard, SPACE), draw=False)
            continue
        if ch.isalpha() and ch.isupper() and keyboard.layout == "azerty":
            driver.tap(key_button(keyboard, SHIFT))
            driver.tap(key_button(keyboard, ch))   # back to lower case: the keys change
            continue
        driver.tap(key_button(keyboard, ch), draw=False)


def fill_field(driver: Any, screen: Any, page_field: Any, value: Any) -> None:
    """Give one field its value by touch."""
    if isinstance(page_field, TextField):
        visible(driver, screen, page_field.form)
        driver.tap(page_field.form.ids.box)
        visible(driver, screen, page_field.form)
        for _ in page_field.form.value:   # what was typed before goes first
            driver.tap(key_button(screen.keyboard, BACKSPACE), draw=False)
        type_on_keyboard(driver, screen.keyboard, str(value))
    elif isinstance(page_field, TickField):
        if bool(value) != page_field.get():
            visible(driver, screen, page_field.toggle)
            driver.tap(page_field.toggle)
    elif isinstance(page_field, ChoiceField):   # choices and uploads
        option = page_field.option_widget(str(value))
        visible(driver, screen, option)
        driver.tap(option)
    else:
        raise TypeError(f"unknown field widget {page_field!r}")


def close_keyboard(driver: Any, screen: Any) -> None:
    if screen.keyboard.parent is not None:
        driver.tap(key_button(screen.keyboard, "{enter}"))
        while screen.keyboard.parent is not None:
            driver.tap(key_button(screen.keyboard, "{enter}"))


def press_site_button(driver: Any, screen: Any) -> None:
    close_keyboard(driver, screen)
    visible(driver, screen, screen.view.button)
    driver.tap(screen.view.button)
    driver.frames(1)


def play_page(driver: Any, screen: Any, overrides: dict[str, Any] | None = None) -> None:
    """Fill the current page with the persona's values (or ``overrides``) and go on."""
    run = screen.run
    values = page_solution(run.page, run.procedure, run.sms_code)
    values.update(overrides or {})
    for field_id, page_field in screen.view.fields.items():
        if values.get(field_id) is None:
            continue
        fill_field(driver, screen, page_field, values[field_id])
    press_site_button(driver, screen)


def advance_to(driver: Any, screen: Any, page_id: str, max_pages: int = 30) -> None:
    """Go quickly to ``page_id``: earlier pages are answered with the persona's values
    through the engine (they are not what the calling test is about), then shown."""
    run = screen.run
    for _ in range(max_pages):
        if run.page.id == page_id:
            break
        result = run.submit(page_solution(run.page, run.procedure, run.sms_code))
        assert result.ok, (run.page.id, {k: e.text() for k, e in result.errors.items()})
    assert run.page.id == page_id
    screen.show_page()
    driver.frames(2)
