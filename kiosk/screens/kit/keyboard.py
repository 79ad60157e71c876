"""The docked on-screen keyboard: AZERTY with every French letter, numeric pad, e-mail layout.

It types into the :class:`~kiosk.screens.kit.form.FormField` it is attached to; the field's
``kind`` chooses the layout (number and PIN fields get the numeric pad, e-mail fields the
e-mail layout). Keys are big buttons built from the data in ``layouts``.
"""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from kiosk.screens.kit.layouts import (
    BACKSPACE,
    ENTER,
    SHIFT,
    SPACE,
    TO_LETTERS,
    TO_NUMBERS,
    Layout,
    rows_for,
)
from kiosk.screens.kit.rules import load_input_rules
from kiosk.screens.kit.state import ui
from kiosk.screens.kit.text import tr
from kiosk.screens.kit.widgets import BigButton

# Words on the special keys (French source, translated when drawn).
KEY_WORDS = {
    BACKSPACE: "⌫",  # the signs every phone keyboard uses; words would not fit the keys
    SHIFT: "⇧",
    SPACE: N_("Espace"),
    ENTER: N_("Valider"),
    TO_NUMBERS: N_("123 ?"),
    TO_LETTERS: N_("ABC"),
}
# What read aloud says for a sign-only key.
SPOKEN = {BACKSPACE: N_("Effacer"), SHIFT: N_("Majuscule")}
WIDE_KEYS = {SPACE: 4.0, ENTER: 2.0, BACKSPACE: 1.6, SHIFT: 1.6, TO_NUMBERS: 1.4,
             TO_LETTERS: 1.4, ".com": 1.4, "gmail": 1.5, "orange": 1.6}


class KeyButton(BigButton):
    key: str = ""       # what the key types now (capital when shifted)
    base_key: str = ""  # the layout's key
    word = BooleanProperty(False)  # a special key showing a word: smaller type
    spoken = StringProperty("")


class KioskKeyboard(BoxLayout):
    layout = OptionProperty(Layout.AZERTY.value, options=[m.value for m in Layout])
    shifted = BooleanProperty(False)
    numbers = BooleanProperty(False)
    target = ObjectProperty(None, allownone=True)  # a FormField

    __events__ = ("on_submit",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.orientation = "vertical"
        # Pages of key rows, built once per (layout, number page) and reused: building fifty
        # buttons takes a while on a small kiosk PC, switching pages must not.
        self._pages: dict[tuple[str, bool], list[BoxLayout]] = {}
        self._page: tuple[str, bool] | None = None
        self.fbind("layout", self._show_page)
        self.fbind("numbers", self._show_page)
        self.fbind("shifted", self._relabel)
        ui.watch("language", self._relabel)  # the words on special keys; weakly (see DirBox)
        # No page yet: the screen usually attaches a field (or its kv sets the layout) right
        # after creating the keyboard, and a PIN pad must not cost a full AZERTY page (fifty
        # buttons, their textures). Whatever is still unbuilt by the next frame is built then.
        Clock.schedule_once(lambda _dt: self._ensure_page(), 0)

    def attach(self, field: Any) -> None:
        self.target = field
        self.numbers = False
        self.shifted = False
        self.layout = field.keyboard_layout()
        self._ensure_page()

    def _current_page(self) -> tuple[str, bool]:
        return (self.layout, self.numbers and self.layout == Layout.AZERTY.value)

    def _ensure_page(self) -> None:
        if self._page != self._current_page():
            self._show_page()

    def _show_page(self, *_args: Any) -> None:
        page = self._current_page()
        self._page = page
        if page not in self._pages:
            self._pages[page] = self._build_rows(*page)
        self.clear_widgets()
        for line in self._pages[page]:
            self.add_widget(line)
        self._relabel()

    def _build_rows(self, layout: str, numbers: bool) -> list[BoxLayout]:
        lines = []
        for row in rows_for(Layout(layout), False, numbers):
            line = BoxLayout(orientation="horizontal", spacing=self.spacing, size_hint_y=None)
            for key in row:
                wide = WIDE_KEYS.get(key, 1.0) if layout != Layout.NUMERIC.value else 1.0
                button = KeyButton(kind="primary" if key == ENTER else "secondary",
                                   size_hint_x=wide, word=key in KEY_WORDS)
                button.base_key = key
                button.bind(on_release=self._pressed)
                line.add_widget(button)
            line.bind(minimum_height=line.setter("height"))
            lines.append(line)
        return lines

    def _relabel(self, *_args: Any) -> None:
        """Capitals with shift, words in the current language."""
        shifted = self.shifted and self.layout == Layout.AZERTY.value and not self.numbers
        for line in self.children:
            for button in line.children:
                base = button.base_key
                key = base.upper() if shifted and base not in KEY_WORDS else base
                button.key = key
                word = KEY_WORDS.get(base)
                button.txt = tr(word) if word else key
                button.spoken = tr(SPOKEN.get(base, "")) or button.txt

    def press(self, key: str) -> None:
        """Type one key into the attached field (also used by tests and the demo)."""
        field = self.target
        if key == SHIFT:
            self.shifted = not self.shifted
            return
        if key == TO_NUMBERS:
            self.numbers = True
            return
        if key == TO_LETTERS:
            self.numbers = False
            return
        if key == ENTER:
            self.dispatch("on_submit")
            return
        if field is None:
            return
        if key == BACKSPACE:
            field.backspace()
        else:
            field.type_text(" " if key == SPACE else key)
            if self.shifted:  # one capital, like a phone keyboard
                self.shifted = False

    def _pressed(self, button: KeyButton) -> None:
        self.press(button.key)

    def on_submit(self) -> None:
        if self.target is not None:
            self.target.dispatch("on_submit")


load_input_rules()  # the rules of the kit's input widgets (kit_input.kv), once
