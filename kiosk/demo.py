"""`kiosk demo`: the kiosk on embedded defaults, and the scripted walk over every screen.

Embedded defaults: a demo data directory (local SQLite), the demo device backends, a demo
mediator PIN (123456) and the demo badge enrolled. With a display the kiosk window opens; without
one (or with --headless) the kiosk runs offscreen through :func:`tour`, which touches its way
through every screen like a resident and a mediator would and saves a PNG of each.

No Kivy import here: the UI is reached through kiosk.app and kiosk.screens.driver.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import select
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.sessions.clock import ManualClock
from kiosk.sessions.mediator_pin import hash_pin
from kiosk.sessions.workspace import ArtefactLabel
from kiosk_wire import config

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

DEMO_PIN = "123456"
DEMO_BADGE_LABEL = "Badge de démonstration"
OnScreen = Callable[[str, Path], None]


def demo_settings(data_dir: Path, windowed: bool = False) -> config.Settings:
    overrides: dict[str, Any] = {
        "kiosk.data_dir": str(data_dir),
        "devices.printer_backend": "demo",
        "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo",
        "devices.hotplug_backend": "demo",
        "mediator.pin_hash": hash_pin(DEMO_PIN),
        "ui.show_cursor": True,
    }
    if windowed:
        overrides["ui.fullscreen"] = False
    return config.defaults().with_overrides(overrides)


@dataclass
class DemoServerLink:
    """The central server's demo, run as its own program (the terminal never imports the server):
    ``python -m kiosk_server.demo DIR`` prints one JSON line with its URL and the demo kiosk's
    token, then serves until it is terminated."""

    process: subprocess.Popen[str]
    url: str
    token: str

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)


def start_demo_server_if_any(data_dir: Path, timeout: float = 60.0) -> DemoServerLink | None:
    """The central server's demo when it is installed on this machine, else None (statistics
    then stay on the kiosk)."""
    if importlib.util.find_spec("kiosk_server") is None:
        return None
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk_server.demo", str(data_dir / "server")],
        stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if ready else ""
    try:
        info = json.loads(line)
        return DemoServerLink(process, str(info["url"]), str(info["token"]))
    except (ValueError, KeyError, TypeError):
        log.error("demo server could not start; statistics stay on the kiosk")
        DemoServerLink(process, "", "").stop()
        return None


def with_server(settings: config.Settings, server: DemoServerLink | None) -> config.Settings:
    if server is None:
        return settings
    return settings.with_overrides({"sync.server_url": server.url, "sync.token": server.token})


def enrol_demo_badge(runtime: KioskRuntime) -> None:
    try:
        from kiosk.devices.demo_reader import DEMO_BADGE_UID
    except ImportError:
        return
    if runtime.badges is not None and not runtime.verify_badge(DEMO_BADGE_UID):
        runtime.enrol_badge(DEMO_BADGE_UID, DEMO_BADGE_LABEL)


def present_demo_badge(runtime: KioskRuntime) -> bool:
    """Put the demo badge on the demo reader (as a mediator would), if there is one."""
    reader = runtime.reader
    backend = getattr(reader, "backend", None)
    if backend is None or not hasattr(backend, "present"):
        return False
    backend.present()
    backend.take_away()
    return True


class Tour:
    """The scripted walk: taps through every screen, a screenshot at each stop."""

    def __init__(self, app: Any, out_dir: Path, on_screen: OnScreen | None = None) -> None:
        from kiosk.screens.driver import UiDriver

        self.app = app
        self.runtime = app.runtime
        self.core = app.runtime.core
        self.d = UiDriver(app)
        self.out_dir = out_dir
        self.on_screen = on_screen
        self.shots: list[Path] = []

    def ids(self) -> Any:
        return self.d.screen().ids

    def stop(self, name: str) -> Path:
        for _ in range(8):  # nested layouts settle over a few clock ticks
            self.d.tick()
        path = self.d.screenshot(self.out_dir / f"{len(self.shots) + 1:02d}-{name}.png")
        self.shots.append(path)
        self.audit(name)
        if self.on_screen is not None:
            self.on_screen(name, path)
        return path

    def audit(self, name: str) -> None:
        """The layout audit on what the screenshot shows, written next to it."""
        from kiosk.screens.layout_audit import audit

        app = self.app
        root = app.overlay if app._overlay_shown() else app.root
        screen = self.d.screen()
        keyboard = getattr(screen, "keyboard", None)
        focused = keyboard.target if keyboard is not None and keyboard.parent else None
        problems = audit(root, self.d.window, name, focused, keyboard if focused else None)
        with (self.out_dir / "layout-audit.txt").open("a", encoding="utf-8") as report:
            report.write("".join(f"{p}\n" for p in problems) or f"{name}: ok\n")

    def tap_id(self, widget_id: str) -> None:
        self.d.tap(self.ids()[widget_id])

    def tap_visible(self, widget_id: str) -> None:
        """Scroll the page to the widget (a swipe), then touch it."""
        widget = self.ids()[widget_id]
        scroller = self.ids().get("scroller")
        if scroller is not None:
            scroller.scroll_to(widget, animate=False)
            self.d.frames(2)
        self.d.tap(widget)

    # --- parts of the walk ---------------------------------------------------------------------
    def resident(self, lang: str, tag: str) -> None:
        """Welcome -> language -> home -> help -> idle warning -> end -> survey -> welcome."""
        self.app.reset_for_next_test()
        self.d.frames(2)
        self.tap_id(f"lang_{lang}")
        self.stop(f"welcome-{tag}")
        self.tap_id("start")
        assert self.d.screen().name == "home", self.d.screen().name
        self.stop(f"home-{tag}")
        for name in ("practice_catalogue", "scan", "print"):
            if self.app.has_screen(name) and name in self._tile_routes():
                self.app.show(name)
                self.stop(f"{name}-{tag}")
                self.app.show("home")
        self.parcours(tag)
        self.d.tap(self.ids()["tile_help"])
        self.stop(f"help-{tag}")
        self.tap_id("back")
        # A scanned page, as the scan screen would leave it, so the end screen has something
        # to report as erased.
        path = self.core.new_file(".png", label=ArtefactLabel.SCAN)
        path.write_bytes(b"demo scan")
        self.core.clock.advance(self.core.idle.timeout_s)
        self.core.tick()
        self.app._tick()
        self.stop(f"idle-warning-{tag}")
        self.d.tap(self.app.overlay.ids.still_here)
        self.d.tap(self.ids()["tile_done"])
        self.stop(f"confirm-end-{tag}")
        self.d.answer()
        assert self.d.screen().name == "end"
        self.stop(f"end-{tag}")
        self.tap_id("answer")
        self.stop(f"survey-{tag}")
        for _question in range(3):
            choices = self.ids()["choices"].children
            self.d.tap(choices[-1])
        assert self.d.screen().name == "welcome"

    def parcours(self, tag: str) -> None:
        """A parcours followed, its first exercise done: its screen and the card offered at
        the end (forgotten afterwards, so "J'ai terminé" asks its usual question)."""
        if not self.app.sm.has_screen("practice_parcours"):
            return  # the practice catalogue was not shown (no practice tile)
        follow = self.app.screen("practice_catalogue").flow.parcours
        offered = list(follow.offered().values())
        if not offered:
            return
        follow.follow(offered[0], frozenset({0}))
        for name in ("practice_parcours", "practice_parcours_card"):
            self.app.show(name)
            self.stop(f"{name.replace('_', '-')}-{tag}")
        follow.forget()
        self.app.show("home")

    def _tile_routes(self) -> list[str]:
        from kiosk.screens.home import TILE_ROUTES

        home = self.app.sm.get_screen("home")
        return [TILE_ROUTES[t][1] for t in home.visible_tiles()]

    def mediator(self, tag: str) -> None:
        self.app.reset_for_next_test()
        self.d.frames(2)
        self.tap_id("mediator")
        self.stop(f"mediator-unlock-{tag}")
        keyboard = self.ids()["keyboard"]
        for digit in DEMO_PIN:
            self.d.tap(next(k for k in keyboard.walk() if getattr(k, "key", None) == digit))
        self.d.tap(next(k for k in keyboard.walk() if getattr(k, "key", None) == "{enter}"))
        assert self.d.screen().name == "mediator_panel", self.d.screen().name
        self.stop(f"mediator-panel-{tag}")
        self.tap_id("out_of_order")
        self.tap_id("close")
        assert self.d.screen().name == "out_of_order"
        self.stop(f"out-of-order-{tag}")
        if present_demo_badge(self.runtime):
            self.d.frames(2)
        else:
            self.app.open_mediator_panel()
        self.tap_id("out_of_order")
        self.tap_id("close")

    # The comfort gallery: a representative subset of the layout audit's combinations
    # (tests/ui/test_layout_audit.py checks them all), each screenshot audited too.
    COMFORT = (("fr", 1.5, False), ("fr", 2.0, True), ("ar", 2.0, False), ("ar", 2.0, True))
    COMFORT_PROCEDURE = "caf-trimestrielle"

    def comfort(self) -> None:
        """Home, scan, print, the practice catalogue and a practice page, each with the keyboard
        open where it has a field, at large text, in French and Arabic, normal and high
        contrast."""
        from kiosk.screens.kit import ui
        from kiosk_wire.schema import Language

        for lang, scale, contrast in self.COMFORT:
            tag = f"{lang}-x{scale:g}{'-hc' if contrast else ''}"
            self.app.reset_for_next_test()
            ui.set_language(lang)
            self.app.start_session(Language(lang), set())
            ui.text_scale, ui.high_contrast = scale, contrast
            for name in ("home", "scan", "print"):
                if name == "home" or (self.app.has_screen(name) and name in self._tile_routes()):
                    self.app.show(name)
                    self.stop(f"{name}-{tag}")
            if not (self.app.has_screen("practice_catalogue")
                    and "practice_catalogue" in self._tile_routes()):
                continue
            self.app.show("practice_catalogue")
            self.d.frames(2)
            catalogue = self.d.screen()
            self.d.tap(catalogue.ids.search.ids.box)
            self.stop(f"practice-catalogue-keyboard-{tag}")
            catalogue.hide_keyboard()
            catalogue.open_procedure(self.COMFORT_PROCEDURE)
            self.d.frames(2)
            self.stop(f"practice-start-{tag}")
            self.d.screen().begin("guided")
            self.d.frames(2)
            page = self.d.screen()
            typed = next((f for f in page.view.fields.values() if hasattr(f, "form")), None)
            if typed is not None:
                page.focus_field(typed.form)
            self.stop(f"practice-page-keyboard-{tag}")
            page.quit()
            from kiosk import demo_later_steps

            if (lang, scale, contrast) in (self.COMFORT[0], self.COMFORT[-1]):
                demo_later_steps.box_to_tick(self, tag)
            if (lang, scale, contrast) == self.COMFORT[-1]:   # the hardest: the later states
                demo_later_steps.id_copy_steps(self, tag)
                demo_later_steps.help_call_on_a_practice_page(self, tag)
        ui.text_scale, ui.high_contrast = 1.0, False

    def run(self, languages: tuple[str, ...] = ("fr", "en", "ar"),
            large_text: bool = True) -> list[Path]:
        for lang in languages:
            self.resident(lang, lang)
        self.mediator("fr")
        self.comfort()
        if large_text:
            from kiosk.screens.kit import ui

            self.app.reset_for_next_test()
            ui.text_scale = 2.0
            self.stop("welcome-fr-large")
            self.tap_id("start")
            ui.text_scale = 2.0
            self.stop("home-fr-large")
            self.tap_visible("tile_done")   # at x2 the tiles scroll
            self.stop("confirm-end-fr-large")
            self.d.answer()
            self.stop("end-fr-large")
            self.tap_id("skip")
        self.app.reset_for_next_test()
        return self.shots


def run_headless(out_dir: Path, data_dir: Path | None = None) -> list[Path]:
    """The scripted walk on an offscreen window; returns the screenshots."""
    from kiosk.app import start_headless

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "layout-audit.txt").unlink(missing_ok=True)
    data_dir = data_dir or out_dir / "data"
    server = start_demo_server_if_any(data_dir)
    settings = with_server(demo_settings(data_dir), server)
    app = start_headless(settings, clock=ManualClock())
    try:
        enrol_demo_badge(app.runtime)
        shots = Tour(app, out_dir).run()
        if app.runtime.sync is not None:
            app.runtime.sync.flush()
    finally:
        app.runtime.close()
        if server is not None:
            server.stop()
    return shots


def run_windowed(data_dir: Path) -> None:
    """The kiosk window on demo defaults (a mediator's PIN 123456 or the demo badge quits)."""
    from kiosk.app import KioskApp, configure_kivy, make_runtime

    server = start_demo_server_if_any(data_dir)
    settings = with_server(demo_settings(data_dir, windowed=True), server)
    configure_kivy(settings)
    runtime = make_runtime(settings)
    enrol_demo_badge(runtime)
    try:
        KioskApp(runtime).run()
    finally:
        if server is not None:
            server.stop()


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
