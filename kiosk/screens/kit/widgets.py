"""The widget kit's basic pieces: labels that translate and shape, big buttons, tiles, toggles,
radio answers and boxes to tick, a screen header with a read-aloud button, and the base class
of every kiosk screen."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.screens.kit.fonts import face_for
from kiosk.screens.kit.rules import load_choice_rules
from kiosk.screens.kit.state import ui
from kiosk.screens.kit.text import (
    PRESHAPED,
    clamp_lines,
    needs_shaping,
    rtl_lines,
    wrap_words,
)

_MEASURE_CACHE: dict[tuple[str, float, bool], Any] = {}


def _measurer(font_name: str, font_size: float, bold: bool) -> Any:
    """Width of a string in a font, cached: wrapping Arabic measures many candidate lines."""
    key = (font_name, float(font_size), bool(bold))
    if key not in _MEASURE_CACHE:
        core = CoreLabel(font_size=font_size, font_name=font_name, bold=bold)
        _MEASURE_CACHE[key] = lru_cache(maxsize=4096)(lambda s: core.get_extents(s)[0])
    return _MEASURE_CACHE[key]


def texture_x(x: float, width: float, texture_width: float, halign: str) -> int:
    """Where a label's texture starts: at its start, centre or end as ``halign`` says (a texture
    as wide as the box starts at ``x`` whatever the alignment)."""
    if halign == "left":
        return int(x)
    if halign == "right":
        return int(x + width - texture_width)
    return int(x + (width - texture_width) / 2)


# A tick in a unit square (origin bottom-left): the short stroke down, the long one up.
TICK = ((0.22, 0.52), (0.42, 0.30), (0.80, 0.72))


def tick_points(x: float, y: float, side: float) -> list[float]:
    """The tick of a box to tick whose square starts at (x, y), for a Line's points."""
    return [v for u, w in TICK for v in (x + side * u, y + side * w)]


class DirBox(BoxLayout):
    """A horizontal box that mirrors its children in right-to-left languages."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # watched weakly: the global ui state must not keep every box ever built alive (fbind
        # leaked ~1.7 MB per dialog shown; bind's list grew with every box: UiState.watch)
        ui.watch("rtl", self._rtl_changed)

    def _rtl_changed(self, *_args: Any) -> None:
        self._trigger_layout()

    def do_layout(self, *largs: Any) -> None:
        super().do_layout(*largs)
        if ui.rtl and self.orientation == "horizontal":
            for child in self.children:
                child.x = self.x + (self.right - child.right)


class Collapsible:
    """For a box that a kv rule hides by collapsing it (height 0, opacity 0, disabled): its
    children keep the places they were last laid out in, over what now sits there, and Kivy
    still offers them touches, where a disabled one swallows any touch on it (the hidden
    simulated phone took the taps meant for 'Annuler mon appel'). Hidden, the box passes
    every touch on to what is really there."""

    def collapsed(self) -> bool:
        box: Any = self  # a Kivy widget (this is a mixin of one)
        return bool(box.opacity == 0 or box.width <= 0 or box.height <= 0)

    def on_touch_down(self, touch: Any) -> bool:
        if self.collapsed():
            return False
        return bool(super().on_touch_down(touch))  # type: ignore[misc]


class KLabel(Label):
    """A label fed with logical text (``txt``); wraps and shapes right-to-left text per line."""

    txt = StringProperty("")
    align = OptionProperty("start", options=["start", "center", "end"])
    # False: one line, the label takes its text's size (set size_hint to None in kv)
    wrap = BooleanProperty(True)
    # At most this many lines (0: all), the last ending with "…" when the text goes on
    clamp = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("txt", "width", "font_size", "font_name", "padding", "align", "wrap",
                     "clamp"):
            self.fbind(name, self._refresh)
        ui.watch("rtl", self._refresh)  # weakly (see DirBox)
        self._refresh()

    def _refresh(self, *_args: Any) -> None:
        current: str = str(self.font_name)  # type: ignore[has-type]  # a Kivy property
        face = face_for(current, self.txt)
        if face != current:
            self.font_name = face  # calls _refresh again, with the face that draws the text
            return
        rtl = ui.rtl
        # A box under two em wide is a layout's first guess (labels are built 100 px wide, their
        # boxes' padding taken off): no label of the kiosk wraps in so little. Wrapping there cut
        # the text word by word, or letter by letter, measuring each (about 900 measures before
        # the welcome screen's first frame), for a texture redone at the real width right after.
        wrap = self.wrap and self.width >= 2 * self.font_size
        if self.align == "center":
            self.halign = "center"
        else:
            self.halign = "right" if (rtl == (self.align == "start")) else "left"
        # Arabic is shaped by what the text is, not by the interface's direction: the
        # language button "العربية" must read right even when the interface is French.
        clamp = int(self.clamp) if wrap else 0
        if self.txt in PRESHAPED:
            self.text = PRESHAPED[self.txt]
        elif wrap and needs_shaping(self.txt):
            measure = _measurer(self.font_name, self.font_size, self.bold)
            self.text = "\n".join(rtl_lines(self.txt, self._room(), measure, rtl or None,
                                            max_lines=clamp))
        elif needs_shaping(self.txt):
            self.text = "\n".join(rtl_lines(self.txt, 0, len, rtl or None))
        elif clamp:
            measure = _measurer(self.font_name, self.font_size, self.bold)
            room = self._room()
            lines = [line for paragraph in self.txt.split("\n")
                     for line in wrap_words(paragraph, room, measure)]
            self.text = "\n".join(clamp_lines(lines, clamp, room, measure))
        else:
            self.text = self.txt
        wraps = wrap and not self._fits_one_line()
        self.text_size = (self.width, None) if wraps else (None, None)

    def _room(self) -> float:
        """The width the lines of text may take: the box's, less its padding and a margin."""
        pad = self.padding[0] + self.padding[2] if len(self.padding) == 4 else 0
        return max(1.0, self.width - pad) - 2

    def _fits_one_line(self) -> bool:
        """Whether the text fits on one line of the box: its texture is then as wide as its words
        (placed by ``halign``: kit.kv), not as the box. Box-wide textures, mostly transparent,
        were ~4 MB over the bench journey's screens (process memory with software GL).
        Markup is measured with its tags: it keeps the box's width."""
        text = self.text
        if not text or self.markup or "\n" in text:
            return False
        room = self._room()
        # no glyph is narrower than ~0.15 em: a text that cannot fit is not measured (labels
        # are first built 100 px wide, before their layout)
        if len(text) * 0.15 * self.font_size > room:
            return False
        return bool(_measurer(self.font_name, self.font_size, self.bold)(text) <= room)

    def overflows(self) -> bool:
        """True when the rendered text does not fit the label's box (1 px tolerance)."""
        tw, th = self.texture_size
        return tw > self.width + 1 or th > self.height + 1


class BigButton(ButtonBehavior, KLabel):
    """A button at least 72 dp tall (more with large text), text wrapped, never clipped."""

    kind = OptionProperty("primary", options=["primary", "secondary", "danger", "help"])
    icon = StringProperty("")


class ChoiceRules:
    """The choices (tiles, pictogram buttons, radio and check answers) have their rules in
    choices.kv, loaded by the first of them built, before Kivy applies them: the welcome
    screen's first frame has none to parse."""

    def __init__(self, **kwargs: Any) -> None:
        load_choice_rules()
        super().__init__(**kwargs)


class Tile(ChoiceRules, ButtonBehavior, BoxLayout):
    """A home tile: a big icon above one or two words."""

    txt = StringProperty("")
    icon = StringProperty("")
    kind = OptionProperty("primary", options=["primary", "secondary", "danger", "help"])


class PictoButton(ChoiceRules, ButtonBehavior, DirBox):
    """A choice in a list (DSFR): its pictogram on the start side, then its words; a
    BigButton's look (kind) and height."""

    txt = StringProperty("")
    icon = StringProperty("")
    kind = OptionProperty("secondary", options=["primary", "secondary", "danger", "help"])


class RadioOption(ChoiceRules, ButtonBehavior, DirBox):
    """One answer of a question with one answer (DSFR radio button): the round mark on the
    start side, the words after it, on a white face; the chosen one's mark filled and its
    border blue France."""

    txt = StringProperty("")
    active = BooleanProperty(False)


class CheckOption(ChoiceRules, ButtonBehavior, DirBox):
    """A box to tick (DSFR checkbox): the square on the start side, its sentence after it, the
    whole row the touch target, on a white face like a radio answer. ``error``: the box and
    the row's border in the error red (the field's frame draws the line and the message)."""

    txt = StringProperty("")
    active = BooleanProperty(False)
    error = BooleanProperty(False)


class CheckMark(ChoiceRules, Widget):
    """The square of a :class:`CheckOption`: empty, or filled with its tick drawn (kit.kv)."""

    active = BooleanProperty(False)
    error = BooleanProperty(False)
    side = NumericProperty(0)


class ToggleOption(ButtonBehavior, DirBox):
    """A comfort option: icon, words, and a visible on/off state."""

    txt = StringProperty("")
    icon = StringProperty("")
    active = BooleanProperty(False)
    state_txt = StringProperty("")


class SpeakButton(ButtonBehavior, DirBox):
    """Reads the screen's main text aloud on demand."""


class ScreenHeader(DirBox):
    title = StringProperty("")

    def parent_screen(self) -> KioskScreen | None:
        widget = self.parent
        while widget is not None and not isinstance(widget, KioskScreen):
            widget = widget.parent
        return widget


# The page template's controls, reachable from the screen's ids (tests, demo, read aloud):
# screen id -> the template's id.
# (Older names too: "back", "home", "help", "call_mediator" were buttons of each screen.)
PAGE_CONTROLS = {"speak": "speak", "large_text": "text_size", "bar_back": "bar_back",
                 "bar_help": "bar_help", "bar_mediator": "bar_mediator", "bar_home": "bar_home",
                 "back": "bar_back", "home": "bar_home", "help": "bar_help",
                 "call_mediator": "bar_mediator", "scroller": "scroller"}


class KioskScreen(Screen):
    """Base of every kiosk screen: a background and a main text for read aloud."""

    def on_kv_post(self, base_widget: Any) -> None:
        page = self.ids.get("page")
        # a screen on the page template (another screen may have its own widget called page,
        # like the browser's page view)
        if page is not None and "text_size" in getattr(page, "ids", {}):
            if "header" not in self.ids:  # the page has the title, as ScreenHeader had
                self.ids["header"] = page
            page.build_bar()  # (a page offering no action has no bar: no bar_* ids)
            for mine, theirs in PAGE_CONTROLS.items():
                if mine not in self.ids and theirs in page.ids:
                    self.ids[mine] = page.ids[theirs]

    def speech_text(self) -> str:
        """The main text of the screen, read aloud on demand and on entry when the option is on."""
        parts: list[str] = []
        seen: list[Any] = []
        for key in ("page", "header", "title", "status", "body"):
            widget = self.ids.get(key)
            if widget is None or any(widget == other for other in seen):  # "header" is the page
                continue
            seen.append(widget)
            text = getattr(widget, "title", "") or getattr(widget, "txt", "")
            if text:
                parts.append(text)
        return "\n".join(parts)

    def read_aloud(self) -> None:
        ui.speak(self.speech_text())

    def on_enter(self, *args: Any) -> None:
        if ui.read_aloud:
            self.read_aloud()
