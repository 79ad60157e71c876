"""What every kiosk screen module shares: loading its .kv next to it, reaching the runtime."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App

from kiosk.screens.kit import KioskScreen, load_kv

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


def load_screen_kv(module_file: str) -> None:
    """Load ``<module>.kv`` sitting next to ``<module>.py``."""
    load_kv(Path(module_file).with_suffix(".kv"))


class AppScreen(KioskScreen):
    """A screen of the kiosk app: reaches the runtime and navigation through the running app."""

    @property
    def app(self) -> Any:
        return App.get_running_app()

    @property
    def runtime(self) -> KioskRuntime:
        return self.app.runtime

    def go(self, name: str) -> None:
        self.app.show(name)
