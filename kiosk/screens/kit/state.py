"""The presentation state every widget binds to: language, direction, text size, palette.

One ``ui`` object, importable from kv (``#:import ui kiosk.screens.kit.state.ui``), so the
widget kit works without the App (practice and scan screens, tests) and a change of language,
text size or contrast re-evaluates every bound widget at once.
"""
from __future__ import annotations

import gc
import math
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import MethodType
from typing import Any, cast

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk import i18n, theme

# A pressed button shows its colour under a 35 % grey veil.
PRESSED_VEIL = (0.5, 0.5, 0.5, 0.35)


def pressed(rgba: tuple[float, ...] | list[float]) -> tuple[float, ...]:
    """An opaque colour as it looks under the pressed veil (what blending the veil over it
    gives), so a button draws one quad whether pressed or not."""
    *veil, alpha = PRESSED_VEIL
    return (*(c * (1 - alpha) + v * alpha for c, v in zip(rgba[:3], veil, strict=True)), rgba[3])


# DSFR buttons (fr-btn): square corners; a secondary button is the page's own white with a
# border and words in blue France (fr-btn--secondary), the primary one filled blue France.
BUTTON_RADIUS_DP = 0.0
EDGE_DP = 2.0


def edge(pos: tuple[float, float] | list[float], size: tuple[float, float] | list[float],
         kind: str = "secondary", disabled: bool = False) -> list[float]:
    """The border of a secondary button (none for the filled kinds); a disabled button of any
    kind has one (seen in high contrast only: edge_colour)."""
    return outline(pos, size, 0.0, segments=1) if kind == "secondary" or disabled else []


def edge_colour(palette: Any, disabled: bool = False) -> tuple[float, ...]:
    """Blue France on the white face; in high contrast the text colour, so the white face
    has a frame on the black page. Disabled: DSFR draws none (the face's own grey), high
    contrast the grey of the words, so the dark grey face still has a shape on the page."""
    if disabled:
        return palette.on_disabled if palette.name == "high_contrast" else palette.disabled
    return palette.text if palette.name == "high_contrast" else palette.on_secondary


def face(palette: Any, kind: str, down: bool = False, disabled: bool = False) -> tuple[float, ...]:
    """A button's face: its kind's colour (under the pressed veil when down); DSFR's grey when
    it cannot be pressed, whatever its kind, so its words (``ink``) stay readable on it."""
    if disabled:
        return tuple(palette.disabled)
    colour = getattr(palette, kind)
    return pressed(colour) if down else tuple(colour)


def ink(palette: Any, kind: str, disabled: bool = False) -> tuple[float, ...]:
    """The colour of a button's words and pictogram on its ``face``."""
    return tuple(palette.on_disabled if disabled else getattr(palette, "on_" + kind))


def outline(pos: tuple[float, float] | list[float], size: tuple[float, float] | list[float],
            radius: float, segments: int = 6) -> list[float]:
    """The points of a closed rounded-rectangle outline (for ``Line(points=..., close=True)``).

    A Line given ``[]`` draws nothing at all, so an outline shown only in some modes costs no
    draw call when hidden (a transparent Line still would, at every frame)."""
    x, y = pos
    w, h = size
    r = max(0.0, min(radius, w / 2, h / 2))
    corners = ((x + w - r, y + h - r, 0), (x + r, y + h - r, 90), (x + r, y + r, 180),
               (x + w - r, y + r, 270))
    points: list[float] = []
    for cx, cy, start in corners:
        for i in range(segments + 1):
            a = math.radians(start + 90 * i / segments)
            points += [cx + r * math.cos(a), cy + r * math.sin(a)]
    return points


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside: for a change the ui state tells its widgets of.

    A widget a screen dropped is freed only by the cyclic collector (it and its children refer
    to each other), and until then its kv rules stay bound to the ui state and the translator,
    holding it weakly. A collection falling inside the evaluation of such a rule freed the
    widget under it, and Kivy's Builder raised ReferenceError setting the result on it, out of
    a resident's tap on the text-size button. Paused, a dropped widget is updated for nothing
    and collected afterwards as usual. Nested use leaves the collector paused until the
    outermost ends; explicit ``gc.collect()`` calls still run."""
    if not gc.isenabled():  # paused already (a change made while another is told)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class UiState(EventDispatcher):
    language = StringProperty("fr")
    rtl = BooleanProperty(False)
    text_scale = NumericProperty(1.0)
    high_contrast = BooleanProperty(False)
    read_aloud = BooleanProperty(False)
    # The place's name in every page's header (setting kiosk.place_name); "" for none.
    place = StringProperty("")
    # rebind: kv expressions like "ui.palette.text" re-evaluate when the palette is replaced
    palette = ObjectProperty(theme.STANDARD, rebind=True)
    # Set by the app: speak(text) reads aloud in the current language; None when unavailable.
    speak_hook: Callable[[str], None] | None = None

    # The properties widgets watch in Python (kv expressions bind through Kivy's Builder).
    WATCHED = ("rtl", "language", "palette")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        i18n.on_language_change(self._on_i18n_language)
        self._watchers: dict[str, weakref.WeakKeyDictionary[Any, list[str]]] = {
            name: weakref.WeakKeyDictionary() for name in self.WATCHED}
        for name in self.WATCHED:
            self.fbind(name, self._notify, name)

    def watch(self, name: str, method: Callable[..., Any]) -> None:
        """Call ``method`` (a widget's bound method) with (ui, value) whenever the property
        ``name`` changes, for as long as its widget lives: the ui state never keeps a widget
        alive. Kivy's ``bind`` also holds methods weakly, but scans every method ever bound to
        the property for a duplicate, dead ones included until the property next changes: a
        kiosk building pages all day in French kept every label it ever built in that list, and
        each new label took longer to build (2 ms instead of 0.5 ms after 3,000)."""
        bound = cast(MethodType, method)  # a bound method: its widget is held weakly
        self._watchers[name].setdefault(bound.__self__, []).append(bound.__func__.__name__)

    def watchers(self, name: str) -> int:
        """How many live widgets watch ``name`` (tests)."""
        return len(self._watchers[name])

    def _notify(self, name: str, _inst: Any, value: Any) -> None:
        for widget, methods in list(self._watchers[name].items()):
            for method in methods:
                getattr(widget, method)(self, value)

    def __setattr__(self, name: str, value: Any) -> None:
        with collector_paused():
            super().__setattr__(name, value)

    def _on_i18n_language(self, lang: str) -> None:
        self.language = lang
        self.rtl = i18n.is_rtl(lang)

    def set_language(self, lang: str) -> None:
        with collector_paused():  # every translated string is re-evaluated (collector_paused)
            i18n.set_language(lang)  # listeners update language/rtl and translated strings
            self.language = lang
            self.rtl = i18n.is_rtl(lang)

    def on_high_contrast(self, _inst: Any, value: bool) -> None:
        self.palette = theme.palette_for(value)

    def speak(self, text: str) -> None:
        if self.speak_hook is not None and text.strip():
            self.speak_hook(text)

    def reset(self, language: str = "fr") -> None:
        """Back to the defaults for the next resident."""
        self.set_language(language)
        self.text_scale = 1.0
        self.high_contrast = False
        self.read_aloud = False


ui = UiState()
