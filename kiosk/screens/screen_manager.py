"""The app's screen manager and its frame timing helper (Kivy side, no business logic)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.uix.screenmanager import ScreenManager


class LazyScreenManager(ScreenManager):
    """A screen manager that builds a known screen the first time it is asked for."""

    builder: Any = None

    def get_screen(self, name: str) -> Any:
        if not self.has_screen(name) and self.builder is not None:
            try:
                self.builder(name)
            except KeyError:
                pass
        return super().get_screen(name)


def after_next_frame(work: Callable[[], None]) -> Callable[[], None]:
    """A callable that, when called, runs ``work`` once the next frame is on the glass: what
    can wait (returning a finished session's memory takes tens of ms) must not hold up the
    frame the resident is waiting for."""
    from kivy.core.window import Window  # not at import: that would open the window before
                                         # the kiosk's graphics settings are applied

    def after_flip(*_args: Any) -> None:
        Window.unbind(on_flip=after_flip)
        Clock.schedule_once(lambda _dt: work(), 0)

    return lambda: Window.bind(on_flip=after_flip)
