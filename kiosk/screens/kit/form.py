"""A form field for residents: a visible label, an example, and a live message in plain words.

Validation runs on every key: the message says what is missing ("Il manque 2 chiffres") rather
than "invalid". The value lives in the field only until the session ends; screens that must
keep it hand it to ``SessionCore.remember`` so the wipe covers it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.kit.layouts import Layout
from kiosk.screens.kit.rules import load_input_rules

# A validator returns None when the value is fine, else a plain message (already translated).
Validator = Callable[[str], "str | None"]


class FieldBox(ButtonBehavior, BoxLayout):
    """The box that shows the typed value; tapping it gives the field the keyboard."""


class FormField(BoxLayout):
    label = StringProperty("")
    example = StringProperty("")
    value = StringProperty("")
    shown = StringProperty("")  # what the box displays (dots for a PIN)
    message = StringProperty("")
    valid = BooleanProperty(True)
    focused = BooleanProperty(False)
    kind = OptionProperty("text", options=["text", "number", "pin", "email", "password", "date"])
    max_length = ObjectProperty(None, allownone=True)
    validator: Validator | None = None

    __events__ = ("on_submit", "on_focus_request")

    def keyboard_layout(self) -> str:
        if self.kind in ("number", "pin"):
            return Layout.NUMERIC.value
        if self.kind == "email":
            return Layout.EMAIL.value
        if self.kind == "date":
            return Layout.DATE.value
        return Layout.AZERTY.value

    def shown_value(self) -> str:
        return "●" * len(self.value) if self.kind in ("pin", "password") else self.value

    def type_text(self, text: str) -> None:
        if self.kind in ("number", "pin") and not text.isdigit():
            return
        if self.kind == "date" and not all(c.isdigit() or c == "/" for c in text):
            return
        if self.max_length is not None and len(self.value) + len(text) > self.max_length:
            return
        self.value += text

    def backspace(self) -> None:
        self.value = self.value[:-1]

    def clear(self) -> None:
        self.value = ""
        self.message = ""
        self.valid = True

    def on_value(self, _inst: Any, value: str) -> None:
        self.shown = self.shown_value()
        self.validate()

    def validate(self) -> bool:
        message = self.validator(self.value) if self.validator and self.value else None
        self.message = message or ""
        self.valid = message is None
        return self.valid

    def on_submit(self) -> None:
        pass

    def on_focus_request(self) -> None:
        pass


load_input_rules()  # the rules of the kit's input widgets (kit_input.kv), once
