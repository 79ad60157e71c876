"""The busy state of a wait the resident can see (scan, copy, print, building a PDF).

Over the screen, opaque (never a faded, greyed-out screen that looks broken): what is
happening in words ("Numérisation en cours…"), a spinner that turns as long as the work runs,
and, for a scan, the low-resolution preview as soon as the scanner gives it, so the resident
sees the document before the full scan ends. A wait that can be stopped has its button, which
the screen backs with a confirmation.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.screens.kit import pictograms  # noqa: F401  (the "hourglass" pictogram)
from kiosk.screens.kit.rules import load_kv
from kiosk.screens.kit.state import ui

SPIN_DEG_PER_S = 240.0
FRAME_S = 1 / 30


class BusySpinner(Widget):
    """An arc that turns while ``active`` (a print job waiting, a PDF being built)."""

    active = BooleanProperty(False)
    angle = NumericProperty(0.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._spin: Any = None
        self.fbind("active", self._switch)
        self._switch()

    def _switch(self, *_args: Any) -> None:
        if self.active and self._spin is None:
            self._spin = Clock.schedule_interval(self._turn, FRAME_S)
        elif not self.active and self._spin is not None:
            self._spin.cancel()
            self._spin = None

    def _turn(self, dt: float) -> None:
        self.angle = (self.angle + SPIN_DEG_PER_S * dt) % 360


class BusyPanel(FloatLayout):
    txt = StringProperty("")
    preview = ObjectProperty(None, allownone=True)   # a Texture, once the scanner gave one
    cancel_txt = StringProperty("")                  # "" : this wait cannot be stopped
    shown = BooleanProperty(False)                   # the spinner turns while shown

    __events__ = ("on_cancel",)

    def show(self, parent: Any, txt: str, cancel_txt: str = "") -> None:
        self.txt, self.cancel_txt, self.preview = txt, cancel_txt, None
        if self.parent is None:
            parent.add_widget(self)
        self.shown = True
        if ui.read_aloud:
            ui.speak(txt)

    def hide(self) -> None:
        self.shown = False
        self.preview = None
        if self.parent is not None:
            self.parent.remove_widget(self)

    def on_cancel(self) -> None:
        pass

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True  # modal: nothing underneath reacts while the work runs

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True


load_kv(Path(__file__).with_suffix(".kv"))
