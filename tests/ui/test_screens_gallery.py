"""Every screen in French, English and Arabic, at the largest text size and in high contrast:
a screenshot of each (test artifacts), and computed checks on the widget tree of each:
no label's text overflows its box, every touch target is big enough."""
from __future__ import annotations

from pathlib import Path

import pytest
from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp
from kivy.uix.scrollview import ScrollView

from kiosk import theme
from kiosk.help_calls import HelpView
from kiosk.screens.driver import touch_targets, visible_widgets
from kiosk.screens.kit import HintBubble, KLabel, ui

pytestmark = pytest.mark.display

VARIANTS = [
    ("fr", 1.0, False), ("en", 1.0, False), ("ar", 1.0, False),
    ("fr", 2.0, False), ("ar", 2.0, False), ("en", 1.5, True),
]


def inside_scroll(widget) -> bool:
    parent = widget.parent
    for _ in range(100):  # the window is its own parent: bound the walk
        if parent is None:
            return False
        if isinstance(parent, ScrollView):
            return True
        parent = parent.parent
    return False


def word_is_cut(label) -> bool:
    """Kivy breaks a word that is wider than the label: the text no longer reads."""
    core = CoreLabel(font_size=label.font_size, font_name=label.font_name, bold=label.bold)
    room = label.width - label.padding[0] - label.padding[2] + 1
    return any(core.get_extents(word)[0] > room for word in label.txt.split())


def check_tree(root, window, where: str) -> list[str]:
    problems = []
    scale = ui.text_scale
    for w in visible_widgets(root):
        if isinstance(w, KLabel) and w.txt:
            if w.overflows():
                problems.append(f"{where}: text overflows its box: {w.txt[:50]!r} "
                                f"(texture {w.texture_size}, box {w.size})")
            elif w.wrap and not ui.rtl and word_is_cut(w):
                problems.append(f"{where}: a word is cut over two lines in {w.txt[:50]!r}")
            x, y = w.to_window(w.x, w.y)
            if not inside_scroll(w) and (x < -1 or x + w.width > window.width + 1
                                         or y < -1 or y + w.height > window.height + 1):
                problems.append(f"{where}: label outside the window: {w.txt[:50]!r}")
    minimum = dp(theme.MIN_TOUCH_DP) * (1.0 if scale <= 1 else 1.15)
    for t in touch_targets(root):
        if t.width + 0.5 < minimum or t.height + 0.5 < minimum:
            label = getattr(t, "txt", "") or type(t).__name__
            problems.append(f"{where}: touch target {label!r} is {t.width:.0f}x{t.height:.0f}"
                            f" px, below {minimum:.0f}")
    return problems


def states(app, driver):
    """(name, prepare) for every screen and state worth seeing."""
    core = app.runtime.core

    def show(name):
        return lambda: app.show(name)

    def home():
        app.show("welcome")
        driver.tap(driver.screen().ids.start)

    def help_view(view):
        def go():
            app.show("help_call")
            driver.screen().view = view.value
        return go

    def idle():
        core.clock.advance(core.idle.timeout_s)
        app._tick()

    def end(step):
        def go():
            if core.state is core.state.IDLE_WARNING:
                core.touch()
                driver.frames(1)
            if core.state is not core.state.ENDING:
                app.show("home")
                driver.tap(driver.screen().ids.tile_done)
                driver.answer()  # "Oui, terminer et tout effacer"
            driver.screen().show_step(step)
        return go

    def hint():
        app.show("home")
        bubble = HintBubble()
        bubble.show(driver.screen().ids.tile_help, "Touchez ici pour appeler quelqu'un.",
                    app.root)
        driver.frames(2)
        bubble.place()
        app._test_bubble = bubble

    def unlock():
        assert app._test_bubble.parent is None, "the hint bubble outlived its screen"
        app.show("mediator_unlock")

    def panel():
        app.open_mediator_panel()
        driver.frames(1)
        driver.tap(driver.screen().ids.enrol)

    def out_of_order():
        app.leave_mediator()
        core.set_out_of_order()

    return [
        ("welcome", show("welcome")), ("home", home), ("hint", hint),
        ("help-sending", help_view(HelpView.SENDING)),
        ("help-notified", help_view(HelpView.NOTIFIED)),
        ("help-coming", help_view(HelpView.COMING)),
        ("help-go-to-desk", help_view(HelpView.GO_TO_DESK)),
        ("idle-warning", idle),
        ("end", end(0)), ("survey-age", end(1)), ("survey-autonomy", end(2)),
        ("survey-satisfaction", end(3)),
        ("mediator-unlock", unlock), ("mediator-panel", panel),
        ("out-of-order", out_of_order),
    ]


@pytest.mark.parametrize("lang,scale,contrast", VARIANTS,
                         ids=[f"{v[0]}-x{v[1]}{'-hc' if v[2] else ''}" for v in VARIANTS])
def test_every_screen_fits_and_is_touchable(driver, ui_app, artifacts_dir: Path,
                                            lang, scale, contrast):
    driver.tap(driver.screen().ids[f"lang_{lang}"])
    problems = []
    out = artifacts_dir / f"{lang}-x{scale}{'-hc' if contrast else ''}"
    for name, prepare in states(ui_app, driver):
        prepare()
        ui.text_scale = scale      # a session start keeps the comfort options; set them anyway
        ui.high_contrast = contrast
        driver.frames(3)
        shot = driver.screenshot(out / f"{name}.png")
        assert shot.stat().st_size > 10_000, f"{shot} looks empty"
        problems += check_tree(ui_app.root, driver.window, f"{lang} x{scale} {name}")
    assert problems == []
