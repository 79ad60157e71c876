"""The app's screens as the table ``SCREENS`` names them (kiosk/screens/registry.py), each
built on its first visit.

The app's own screens are classes built without arguments. An optional screen belongs to
another part (practice, scan, print): it is looked for once the kiosk has started, and built
by its module's ``build_screen(runtime)``; when the module is absent, cannot be imported or
its screen cannot be built, the screen stays unknown and its home tile hidden (logged): a
broken part must not take the kiosk down.
"""
from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import TYPE_CHECKING, Any

from kiosk.screens.registry import SCREENS
from kiosk.screens.screen_manager import LazyScreenManager

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)


class ScreenBook:
    """Builds the screens of ``SCREENS`` into the app's screen manager when asked for."""

    def __init__(self, sm: LazyScreenManager, runtime: KioskRuntime) -> None:
        self.sm = sm
        self.runtime = runtime
        self._optional: set[str] = set()  # found, not yet known to be broken
        sm.builder = self.build

    def find_optional(self) -> None:
        """Look for the optional screens' modules (built on first visit: the heaviest)."""
        for name, entry in SCREENS.items():
            if entry.optional and importlib.util.find_spec(entry.module_path) is not None:
                self._optional.add(name)

    def knows(self, name: str) -> bool:
        """Whether a screen called ``name`` is there or can be built."""
        return bool(name) and (
            (name in SCREENS and not SCREENS[name].optional) or name in self._optional
            or self.sm.has_screen(name))

    def get(self, name: str) -> Any:
        """The screen called ``name``, built on first use (KeyError when there is none)."""
        if not self.sm.has_screen(name):
            self.build(name)
        return self.sm.get_screen(name)

    def build(self, name: str) -> None:
        entry = SCREENS.get(name)
        if entry is None:
            raise KeyError(name)
        if not entry.optional:
            module = importlib.import_module(entry.module_path)
            self.sm.add_widget(getattr(module, entry.builder)())
        elif name in self._optional:
            self._add_optional(name)
            if not self.sm.has_screen(name):
                self._optional.discard(name)
                raise KeyError(name)
        else:
            raise KeyError(name)

    def _add_optional(self, name: str) -> None:
        entry = SCREENS[name]
        try:
            module = importlib.import_module(entry.module_path)
        except Exception:  # a broken optional screen must not take the kiosk down
            log.exception("screen %s cannot be imported; its tile is hidden", name)
            return
        builder = getattr(module, entry.builder, None)
        if builder is None:
            log.warning("%s has no %s(runtime); screen skipped", entry.module_path,
                        entry.builder)
            return
        try:
            screen = builder(self.runtime)
            screen.name = name
            self.sm.add_widget(screen)
        except Exception:
            log.exception("screen %s could not be built; its tile is hidden", name)
