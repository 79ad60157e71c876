"""Kivy's settings for the kiosk and the hand-over of work to its main loop. configure_kivy must
run before the window exists; kiosk/app.py and the scripted demo call it."""
from __future__ import annotations

import os
from typing import Any

from kiosk_wire.config import Settings


def configure_kivy(settings: Settings, headless: bool = False) -> None:
    """Kiosk settings for Kivy; must run before the window exists (before importing it)."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "0")
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    fullscreen = settings.get("ui.fullscreen") and not headless
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")  # our own docked keyboard, never Kivy's
    Config.set("kivy", "log_level", "warning")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "width", str(settings.get("ui.width")))
    Config.set("graphics", "height", str(settings.get("ui.height")))
    Config.set("graphics", "show_cursor", "1" if settings.get("ui.show_cursor") else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def kivy_schedule(fn: Any, delay: float) -> None:
    """Hand work from device threads to the Kivy main loop."""
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: fn(), delay)
