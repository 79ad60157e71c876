"""Locked down: no way out of the kiosk but the mediator panel."""
from __future__ import annotations

import pytest
from kivy.base import EventLoop
from kivy.config import Config

from kiosk.exit_codes import ExitCode

pytestmark = pytest.mark.display


def test_window_close_requests_are_refused(driver, ui_app):
    window = driver.window
    assert window.dispatch("on_request_close") is True  # True = refused
    assert EventLoop.status != "closed"


def test_escape_and_shortcuts_do_nothing(driver, ui_app):
    before = driver.screen().name
    for key, codepoint, modifiers in [(27, None, []), (282, None, []), (285, None, ["alt"]),
                                      (113, "q", ["ctrl"]), (9, None, ["alt"])]:
        driver.key(key, codepoint, modifiers)
    driver.frames(1)
    assert driver.screen().name == before
    assert EventLoop.status != "closed"
    assert Config.get("kivy", "exit_on_escape") == "0"


def test_cursor_hidden_and_kivy_keyboard_never_shown(driver, ui_app):
    assert ui_app.runtime.settings.get("ui.show_cursor") is False
    assert driver.window.show_cursor is False
    assert Config.get("kivy", "keyboard_mode") == "system"


QUIT_SCRIPT = """
import sys
from kivy.base import EventLoop, runTouchApp
from kivy.clock import Clock
from kiosk_wire import config
from kiosk.app import start_headless
from kiosk.screens.driver import FingerTouch

settings = config.defaults().with_overrides({
    "kiosk.data_dir": sys.argv[1], "kiosk.session_dir": sys.argv[1] + "/sessions",
    "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
    "devices.reader_backend": "demo", "devices.hotplug_backend": "demo"})
app = start_headless(settings)
window = EventLoop.window

def tap(widget):
    x, y = widget.to_window(widget.center_x, widget.center_y)
    touch = FingerTouch(x, y)
    touch.down()
    touch.up()

def try_to_leave(dt):
    print("close refused:", window.dispatch("on_request_close"), flush=True)
    window.dispatch("on_keyboard", 27, 0, None, [])
    window.dispatch("on_keyboard", 285, 0, None, ["alt"])
    print("still running:", EventLoop.status, flush=True)
    app.open_mediator_panel()
    Clock.schedule_once(lambda dt: tap(app.sm.get_screen("mediator_panel").ids.maintenance), 0.3)

Clock.schedule_once(try_to_leave, 0.3)
runTouchApp()
print("exit code", int(app.exit_code), flush=True)
print("stopped in state", app.runtime.core.state.value, flush=True)
"""


def test_escape_and_close_do_not_quit_but_the_mediator_panel_does(tmp_path):
    """A real event loop in a subprocess (one window per process): only the panel ends it."""
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", QUIT_SCRIPT, str(tmp_path)],
                            capture_output=True, text=True, timeout=240,
                            env={**os.environ, "SDL_VIDEODRIVER": "offscreen"}, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "close refused: True" in lines
    assert "still running: started" in lines
    assert lines[-1] == "stopped in state maintenance"
    assert f"exit code {int(ExitCode.MAINTENANCE)}" in lines  # systemd leaves it stopped


def test_the_unit_does_not_restart_a_kiosk_left_for_maintenance():
    from pathlib import Path

    unit = Path(__file__).parents[2] / "deploy" / "systemd" / "kiosk.service"
    assert f"RestartPreventExitStatus={int(ExitCode.MAINTENANCE)}\n" in unit.read_text()


def test_fullscreen_and_borderless_are_set_for_run(tmp_path):
    from kiosk.app import configure_kivy
    from kiosk_wire import config

    saved = {k: Config.get("graphics", k) for k in ("fullscreen", "borderless")}
    try:
        configure_kivy(config.defaults().with_overrides({"kiosk.data_dir": str(tmp_path)}))
        assert Config.get("graphics", "fullscreen") == "auto"
        assert Config.get("graphics", "borderless") == "1"
    finally:
        for key, value in saved.items():
            Config.set("graphics", key, value)
