"""Widgets a screen builds and drops are freed: a kiosk runs for weeks, and every confirmation,
practice page view or scan step builds widgets again. The shared ``ui`` state must not keep
them alive (a strong ``fbind`` on it kept every label ever built: ~1.7 MB per confirmation)."""
from __future__ import annotations

import gc
import sys
import threading
import time
import weakref
from types import FrameType
from typing import Any

import pytest
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.kit import BigButton, DirBox, KLabel, ui

pytestmark = pytest.mark.display


def _alive(cls: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is cls)


def _build_and_drop(make, cls: type, settle=lambda: None) -> int:
    before = _alive(cls)
    for _ in range(5):
        make()
    # What the next frames run lets go of the last one: layout triggers, and clock events
    # still pending on it (a scroll bar's fade, 0.5 s): frames until it is freed, bounded; a
    # leak keeps every one of the five.
    deadline = time.monotonic() + 15.0  # generous: a loaded machine runs few frames a second
    settle()
    while _alive(cls) > before and time.monotonic() < deadline:
        settle()
        time.sleep(0.05)
    return _alive(cls) - before


@pytest.mark.parametrize("cls", [KLabel, BigButton, DirBox])
def test_a_dropped_kit_widget_is_freed(driver, cls):
    assert _build_and_drop(lambda: cls(), cls) == 0


def test_a_dismissed_confirmation_is_freed(driver, ui_app):
    from kiosk.screens.kit.confirm import ConfirmDialog, confirm

    def ask_and_answer() -> None:
        dialog = confirm("Terminer ?", "Tout sera effacé.", "Oui", lambda: None,
                         parent=ui_app.root)
        driver.frames(1)
        dialog.choose_safe()
        driver.frames(1)

    assert _build_and_drop(ask_and_answer, ConfirmDialog, lambda: driver.frames(3)) == 0


def test_widgets_built_and_dropped_all_day_leave_nothing_on_the_ui_state(driver):
    """Kivy's bind keeps its callbacks weakly but lets dead ones pile up until the property
    next changes, and scans them all at each new bind: in a French-only day the direction
    never changes, and every label built slowed the next. The ui state forgets a dropped
    widget with the widget."""
    from kiosk.screens.kit.keyboard import KioskKeyboard

    watched = ("rtl", "language", "palette")

    def counts() -> tuple[list[int], list[int]]:
        gc.collect()
        return ([len(ui.get_property_observers(name)) for name in watched],
                [ui.watchers(name) for name in watched])

    before = counts()
    for _ in range(300):
        KLabel(txt="Bonjour")
        DirBox()
    KioskKeyboard()
    deadline = time.monotonic() + 15.0  # the keyboard's first page waits for a frame
    while counts() != before and time.monotonic() < deadline:
        driver.frames(1)
    assert counts() == before


def test_translated_widgets_built_and_dropped_leave_nothing_on_the_translator(driver, ui_app):
    """Every kv expression using _() is bound to the translator; a page template dropped in
    a day without a change of language left its eight there (forty pages: 320 entries)."""
    from kivy.factory import Factory

    from kiosk.screens.kit.text import tr

    def entries() -> int:
        gc.collect()
        return len(tr._observers)

    before = entries()
    for _ in range(40):
        Factory.PageTemplate()
    deadline = time.monotonic() + 15.0
    while entries() > before and time.monotonic() < deadline:
        driver.frames(1)
    assert entries() == before
    ui.set_language("en")  # what is left still follows the language
    try:
        assert tr("Bienvenue") == "Welcome"
    finally:
        ui.set_language("fr")


def test_widgets_still_follow_the_direction_after_the_weak_binding(driver):
    label = KLabel(txt="Bonjour", width=400)
    box = DirBox(size=(400, 50))
    left, right = KLabel(txt="A", size_hint_x=None, width=100), KLabel(txt="B")
    box.add_widget(left)
    box.add_widget(right)
    box.do_layout()
    assert left.x < right.x
    try:
        ui.set_language("ar")
        assert label.halign == "right"
        driver.frames(1)  # the box lays itself out again, mirrored
        assert left.x > right.x
    finally:
        ui.set_language("fr")
    assert label.halign == "left"


def test_the_keyboard_and_scan_drawings_are_freed(driver):
    from kiosk.screens.kit.keyboard import KioskKeyboard
    from kiosk.screens.scan.widgets import PlacementDrawing

    def keyboard() -> None:
        KioskKeyboard()
        driver.frames(1)  # its first page is built on the next frame

    assert _build_and_drop(keyboard, KioskKeyboard) == 0
    assert _build_and_drop(lambda: PlacementDrawing(), PlacementDrawing) == 0


def test_a_rendered_label_keeps_its_texture_but_no_copy_of_its_pixels(driver):
    # Kivy's SDL2 provider kept each label's SDL surface (a full RGBA copy of the text image)
    # until its next rendering: ~7 MB over the bench journey's screens.
    label = KLabel(txt="Numérisation en cours…", width=600, markup=False)
    label.texture_update()
    core = label._label
    assert getattr(core, "_surface", None) is None
    texture = label.texture
    assert texture is not None and texture.width > 0
    before = texture.pixels
    assert any(before[3::4]), "the text is drawn in the texture"
    label.txt = "Impression terminée"
    label.texture_update()  # a new rendering still works without the old surface
    assert getattr(label._label, "_surface", None) is None
    assert label.texture.pixels != before, "the new text is drawn"


def test_markup_labels_let_go_of_their_pixels_too(driver):
    from kivy.uix.label import Label

    label = Label(text="[b]Étape 2[/b] sur 5", markup=True)
    label.texture_update()
    assert getattr(label._label, "_surface", None) is None
    assert label.texture is not None


@pytest.mark.parametrize(("setting", "value", "default"),
                         [("text_scale", 1.5, 1.0), ("high_contrast", True, False)])
def test_a_dropped_button_collected_inside_its_own_rule_does_not_break_a_change_of_setting(
        driver: Any, setting: str, value: Any, default: Any) -> None:
    """A screen's dropped widgets stay bound to the ui state until the cyclic collector frees
    them, and their kv rules hold them weakly: an automatic collection falling inside one of
    those rules, as a change of text size or contrast re-evaluates it, freed the widget under
    it and Kivy raised ReferenceError out of the resident's tap (seen in full test runs, after
    thousands of screens). Here the collection is made to fall exactly there."""
    old_threshold = gc.get_threshold()
    gc.disable()  # the dropped button is left to the collector, young and not yet collected
    try:
        box = BoxLayout()
        button = BigButton(txt="Suivant")
        box.add_widget(button)  # a cycle: box and button refer to each other
        uid = button.uid
        ref = weakref.ref(button)
        del box, button
        in_rule: list[str] = []

        def collect_inside_its_rule(frame: FrameType, event: str, _arg: Any) -> None:
            if event != "call" or in_rule or not frame.f_code.co_filename.endswith(".kv"):
                return None
            owner = frame.f_globals.get("self")  # a kv rule runs with its widget as "self"
            try:
                mine = owner is not None and owner.uid == uid
            except ReferenceError:
                mine = False
            if mine:
                in_rule.append(frame.f_code.co_filename)
                gc.set_threshold(1)  # the next allocation starts an automatic collection
            return None

        gc.set_threshold(10**9)  # no automatic collection before the button's own rule
        gc.enable()
        sys.settrace(collect_inside_its_rule)
        try:
            setattr(ui, setting, value)  # raised ReferenceError: the collection freed the button
        finally:
            sys.settrace(None)
        assert in_rule, "the dropped button's rules were not re-evaluated"
        gc.set_threshold(*old_threshold)
        gc.collect()
        assert ref() is None  # and freed all the same
    finally:
        gc.set_threshold(*old_threshold)
        gc.enable()
        setattr(ui, setting, default)


def _rules_bound(watched: str, proxy: Any) -> bool:
    """Whether kv rules of the widget behind ``proxy`` are bound to ``ui.<watched>``."""
    # a rule's arguments (element, key, value, rule, ids) are among the callback's arguments
    # (Kivy's call_fn has them first, its update_intermediates last)
    return any(isinstance(arg, tuple) and arg and arg[0] is proxy
               for _f, largs, *_rest in ui.get_property_observers(watched, args=True)
               for arg in largs)


# (setting changed, value, default, the ui property the button's rules watch)
@pytest.mark.parametrize(("setting", "value", "default", "watched"),
                         [("text_scale", 1.5, 1.0, "text_scale"),
                          ("high_contrast", True, False, "palette")])
def test_a_widget_another_thread_collects_does_not_break_a_change_of_setting(
        driver: Any, setting: str, value: Any, default: Any, watched: str) -> None:
    """The collector also runs in the kiosk's other threads (the browser service's, starting
    Playwright): it clears every weak reference to its garbage, then runs their callbacks one
    by one, Kivy's unbinding of a freed widget's rules among them. In between, Kivy's thread
    can change a setting and meet the rules of a widget already dead but not yet unbound: Kivy
    raised ReferenceError out of the resident's tap. Here the other thread's collection is
    held just there, before Kivy's callback for the button, while the setting changes."""

    class Sentinel:  # built before the button: the collection calls back for it first
        pass

    gc.disable()  # nothing collected before the other thread's collection
    try:
        sentinel = Sentinel()
        box = BoxLayout()
        button = BigButton(txt="Suivant")
        box.add_widget(button)  # a cycle: box and button refer to each other
        box.sentinel = sentinel  # one piece of garbage with the button
        proxy = button.proxy_ref  # what its kv rules hold (held here, it keeps nothing alive)
        held, release = threading.Event(), threading.Event()
        still_bound: list[bool] = []

        def hold_the_collection(_ref: Any) -> None:
            still_bound.append(_rules_bound(watched, proxy))
            held.set()
            release.wait(10.0)

        sentinel_ref = weakref.ref(sentinel, hold_the_collection)
        del box, button, sentinel
        collector = threading.Thread(target=gc.collect, name="collector")
        collector.start()
        try:
            assert held.wait(10.0), "the other thread's collection did not reach the sentinel"
            assert still_bound == [True], "Kivy unbound the button's rules before the sentinel"
            setattr(ui, setting, value)  # raised ReferenceError: the button's rule, button dead
        finally:
            release.set()
            collector.join(10.0)
        assert sentinel_ref() is None
        assert not _rules_bound(watched, proxy)  # Kivy unbound them after all
    finally:
        gc.enable()
        setattr(ui, setting, default)
