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


class BusyWork:
    """A screen's slow job (a PDF to build and print, a card to scan and read) on a worker
    thread, the busy panel over the screen meanwhile. The screen declares ``busy`` (a Kivy
    property its buttons bind) and sets ``_panel`` and ``_worker`` to None in its __init__."""

    busy: bool
    _panel: Any
    _worker: Any

    def run_busy(self, thread: str, message: str, job: Any, on_done: Any,
                 on_failed: Any) -> None:
        """Start ``job`` unless one is running; ``on_done`` / ``on_failed`` get its outcome on
        the UI thread and call :meth:`_not_busy`."""
        if self.busy:
            return
        from kiosk.screens.scan.worker import BackgroundWork

        if self._panel is None:
            self._panel, self._worker = BusyPanel(), BackgroundWork(thread)
        self.busy = True
        self._panel.show(self, message)
        self._worker.start(job, on_done, on_failed)

    def wait_idle(self, frames: Any, limit: int = 3000) -> None:
        """Let frames run until the job is done or refused (tests and the scripted demo)."""
        import threading

        for _attempt in range(limit):
            if not self.busy:
                return
            threading.Event().wait(0.01)
            frames()
        raise TimeoutError(f"{type(self).__name__}: work still running")

    def _not_busy(self) -> None:
        self.busy = False
        if self._panel is not None:
            self._panel.hide()


load_kv(Path(__file__).with_suffix(".kv"))
