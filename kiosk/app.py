"""The Kivy App: wires the screens to the KioskRuntime. No business logic here.

Navigation follows the session core: the app listens to SessionState changes and shows the
matching screen (IDLE: welcome, ACTIVE: home, IDLE_WARNING: overlay, ENDING: end,
OUT_OF_ORDER: out of order). Locked down: fullscreen without decorations, Escape and window
close requests refused, keyboard shortcuts swallowed, cursor hidden; only the mediator panel's
"maintenance" quits.

Every screen is in one table, ``SCREENS`` (kiosk/screens/registry.py): its name, its module
under ``kiosk.screens`` and what builds it; kiosk/screens/screen_book.py builds each on its
first visit (an optional one, another part's, only when its module is there and works;
otherwise its home tile stays hidden).
"""
from __future__ import annotations

import logging
import signal
import sys
from typing import TYPE_CHECKING, Any

from kiosk.screens.kivy_setup import configure_kivy, kivy_schedule
from kiosk.screens.registry import MEDIATOR_SCREENS
from kiosk_wire.config import Settings

log = logging.getLogger(__name__)

__all__ = ["KioskApp", "configure_kivy", "make_runtime", "run_kiosk", "start_headless"]


def make_runtime(settings: Settings, clock: Any = None) -> Any:
    """The runtime with only what the welcome screen needs; the app opens the rest (session
    core and store, devices, help desk, sync) right after the first frame — at once when a
    crashed session left something to wipe."""
    from kiosk.runtime import KioskRuntime

    return KioskRuntime(settings, clock=clock, schedule=kivy_schedule, open_parts=False,
                        defer_core=True)


from kivy.app import App
from kivy.clock import Clock
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.exit_codes import ExitCode
from kiosk.screens.screen_book import ScreenBook
from kiosk.screens.screen_manager import LazyScreenManager, after_next_frame
from kiosk.sessions.state import SessionState

if TYPE_CHECKING:  # the wire schema (pydantic) is not needed before the first frame
    from kiosk.runtime import KioskRuntime
    from kiosk_wire.schema import Accessibility, Language


class KioskApp(App):
    title = "kiosk"
    use_kivy_settings = False

    def __init__(self, runtime: KioskRuntime, tick_interval: float | None = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.tick_interval = tick_interval  # None: the caller (tests, demo) ticks the core
        self.mediator_mode = False
        self.allow_quit = False
        self.left_for_maintenance = False
        self.sm: ScreenManager | None = None
        self._book: ScreenBook | None = None
        self._overlay: Any = None
        self._started = False

    # --- Kivy lifecycle ----------------------------------------------------------------------
    def load_config(self) -> Any:  # no kiosk.ini next to the package: settings are ours
        from kivy.config import ConfigParser

        self.config = ConfigParser(name="kiosk-app")
        return self.config

    def open_settings(self, *largs: Any) -> bool:  # F1 must not open Kivy's settings panel
        return False

    def build(self) -> FloatLayout:
        """Only what the first frame needs: the screen for the current state (the welcome
        screen, unless crash recovery already opened the core). The session core, the devices
        and the other screens follow right after (:meth:`finish_start`)."""
        from kivy.core.window import Window

        from kiosk.screens.kit import ui
        from kiosk.screens.kit.icons import use_cache_dir

        # drawn icons kept between starts (not a trace of anyone: the kiosk's own pictograms)
        use_cache_dir(self.runtime.settings.data_dir / "cache" / "icons")
        self.ui = ui
        ui.reset(self.default_language())
        ui.place = str(self.runtime.settings.get("kiosk.place_name"))

        def speak(text: str) -> None:
            self.runtime.speaker.say(text, ui.language)

        ui.speak_hook = speak
        sm = LazyScreenManager(transition=NoTransition())
        self.sm = sm
        self._book = ScreenBook(sm, self.runtime)
        core_ready = self.runtime.core_ready
        self.show(self.screen_for(self.runtime.core.state) if core_ready else "welcome")
        sm.bind(current=self._screen_changed)
        root = FloatLayout()
        root.add_widget(sm)
        self.runtime.when_core_ready(self._core_opened)
        Window.bind(on_touch_down=self._any_input, on_request_close=self._request_close,
                    on_keyboard=self._on_keyboard)
        Window.show_cursor = bool(self.runtime.settings.get("ui.show_cursor"))
        if self.tick_interval:
            Clock.schedule_interval(self._tick, self.tick_interval)
        return root

    def on_start(self) -> None:
        if self.tick_interval:  # a real loop: finish once the welcome screen is on the glass
            Clock.schedule_once(lambda _dt: self.finish_start(), 0.1)
            # SDL turns SIGTERM into a window-close request, which the kiosk refuses: systemctl
            # stop (and every shutdown) would wait for its timeout, then SIGKILL. SIGTERM is the
            # system's, not a resident's: the kiosk stops at once (a live session's files are
            # wiped at the next start, as after any interruption).
            signal.signal(signal.SIGTERM, self._terminated)

    def finish_start(self) -> None:
        """Open the session core, devices, help desk and sync, build the resident's next
        screen and find the optional ones (practice, scan, print). The other screens are
        built on their first visit. Idempotent; the first touch calls it if the clock has not
        yet."""
        if self._started:
            return
        self._started = True
        self.runtime.watchdog.ready()  # the welcome screen is on the glass
        self.runtime.open_parts()  # opens the session core first (see _core_opened)
        self.runtime.add_help_listener(self._help_changed)
        self.runtime.on_card_inserted(self._card_inserted)
        self.book.find_optional()
        self.screen("home")  # the first tap's screen: ready before the resident touches
        if self.screens.current == "home":
            self.screens.current_screen.refresh_tiles()

    def _core_opened(self, core: Any) -> None:
        core.add_listener(self._state_changed)
        from kiosk.sessions.core import return_freed_memory  # loaded with the core, after frame 1

        # The finished session's memory goes back once the welcome screen is on the glass.
        core.release_memory = after_next_frame(return_freed_memory)
        if core.state is not SessionState.IDLE:  # only ever when recovery opened it early
            self.show(self.screen_for(core.state))

    @property
    def overlay(self) -> Any:
        """The idle warning overlay, built the first time it is needed."""
        if self._overlay is None:
            from kiosk.screens import idle_warning

            self._overlay = idle_warning.IdleWarning(self.runtime.core)
        return self._overlay

    def _overlay_shown(self) -> bool:
        return self._overlay is not None and self._overlay.parent is not None

    @property
    def screens(self) -> ScreenManager:
        """The screen manager, once :meth:`build` made it (the app's methods run after)."""
        return self.book.sm

    @property
    def book(self) -> ScreenBook:
        """What builds the screens, once :meth:`build` made it (the app's methods run after)."""
        if self._book is None:
            raise RuntimeError("the app is not built yet")
        return self._book

    def screen(self, name: str) -> Any:
        """The screen called ``name``, built on first use (KeyError when there is none)."""
        return self.book.get(name)

    def default_language(self) -> str:
        return str(self.runtime.settings.get("kiosk.default_language"))

    def on_stop(self) -> None:
        self.runtime.close()

    # --- navigation --------------------------------------------------------------------------
    def has_screen(self, name: str) -> bool:
        return self._book is not None and self._book.knows(name)

    def show(self, name: str) -> None:
        if self.sm is None or self.sm.current == name:
            return
        try:
            self.screen(name)
        except KeyError:
            log.error("no screen called %s; staying on %s", name, self.sm.current)
            return
        self.sm.current = name

    @property
    def current_screen(self) -> Any:
        return self.sm.current_screen if self.sm is not None else None

    def screen_for(self, state: SessionState) -> str:
        return {SessionState.IDLE: "welcome", SessionState.ACTIVE: "home",
                SessionState.IDLE_WARNING: "home", SessionState.ENDING: "end",
                SessionState.OUT_OF_ORDER: "out_of_order",
                SessionState.MAINTENANCE: "mediator_panel"}[state]

    def _screen_changed(self, *_args: Any) -> None:
        self.runtime.speaker.stop()  # speech never runs over the next screen
        hint = sys.modules.get("kiosk.screens.kit.hint")
        if hint is None:  # no hint bubble was ever made: do not load the input widgets for it
            return
        bubble = hint.HintBubble
        for child in list(self.root.children if self.root else []):
            if isinstance(child, bubble):  # a hint belongs to the screen it points into
                child.dismiss()

    def _state_changed(self, old: SessionState, new: SessionState) -> None:
        if new is SessionState.IDLE_WARNING:
            self._show_overlay()
            return
        if old is SessionState.IDLE_WARNING and new is SessionState.ACTIVE:
            # The touch that woke the session is still being dispatched: let the overlay
            # swallow it, so it does not also press whatever lies underneath.
            Clock.schedule_once(lambda _dt: self._hide_overlay_if_active(), 0)
        else:
            self._hide_overlay()
        if new is SessionState.IDLE:
            self.ui.reset(self.default_language())
        if self.mediator_mode:
            self.screen("mediator_panel").refresh()
            return
        if new is SessionState.ACTIVE and old is SessionState.IDLE_WARNING:
            return  # the resident is back: stay where they were
        self.show(self.screen_for(new))

    def _show_overlay(self) -> None:
        if self.overlay.parent is None:
            self.root.add_widget(self.overlay)
        self.overlay.shown()

    def _hide_overlay_if_active(self) -> None:
        if self.runtime.core.state is not SessionState.IDLE_WARNING:
            self._hide_overlay()

    def _hide_overlay(self) -> None:
        if self._overlay_shown():
            self.root.remove_widget(self._overlay)

    def _tick(self, *_args: Any) -> None:
        self.runtime.watchdog.tick()  # from the UI thread: a frozen UI stops the pings
        if not self.runtime.core_ready:
            return  # nothing to time before the core opens (just after the first frame)
        self.runtime.core.tick()
        if self._overlay_shown():
            self.overlay.update()

    def _help_changed(self, view: Any) -> None:
        self.screen("help_call").help_changed(view)

    # --- the session ---------------------------------------------------------------------------
    def start_session(self, language: Language, accessibility: set[Accessibility]) -> None:
        core = self.runtime.core
        if core.state is not SessionState.IDLE:
            return
        core.start(language)
        if accessibility:
            core.set_accessibility(accessibility)

    # --- mediator ----------------------------------------------------------------------------
    def open_mediator_panel(self) -> None:
        self.mediator_mode = True
        self._hide_overlay()
        self.show("mediator_panel")

    def try_practice_drafts(self) -> None:
        """The mediator's test mode: a session (started if none runs) whose practice catalogue
        also lists drafts; the mode ends with the session."""
        from kiosk_wire.schema import Language

        if self.runtime.core.state is SessionState.IDLE:
            self.start_session(Language.FR, set())
        self.runtime.practice_drafts_shown = True
        self.mediator_mode = False
        self.show("practice_catalogue")

    def leave_mediator(self) -> None:
        self.mediator_mode = False
        self.show(self.screen_for(self.runtime.core.state))
        if self.runtime.core.state is SessionState.IDLE_WARNING:
            self._show_overlay()

    @property
    def exit_code(self) -> ExitCode:
        """What `kiosk run` tells systemd once the app has stopped."""
        return ExitCode.MAINTENANCE if self.left_for_maintenance else ExitCode.OK

    def quit_for_maintenance(self) -> None:
        """The only way out of the kiosk a person has (`kiosk run` then exits with
        ExitCode.MAINTENANCE, and systemd leaves it stopped)."""
        self.runtime.core.set_maintenance()
        self.left_for_maintenance = True
        self.allow_quit = True
        self.stop()

    def _terminated(self, *_args: Any) -> None:
        Clock.schedule_once(lambda _dt: self._stop_for_the_system(), 0)

    def _stop_for_the_system(self) -> None:
        self.allow_quit = True
        self.stop()

    def _card_inserted(self, uid: bytes) -> None:
        current = self.screens.current
        if current in MEDIATOR_SCREENS:
            self.screens.current_screen.badge(uid)
        elif self.runtime.verify_badge(uid):  # a mediator's badge opens the panel anywhere
            self.open_mediator_panel()

    # --- locked down -------------------------------------------------------------------------
    def _any_input(self, *_args: Any) -> bool:
        self.finish_start()  # a touch before the scheduled start: open everything now
        self.runtime.core.touch()
        return False  # let the touch reach the widgets

    def _request_close(self, *_args: Any, **_kwargs: Any) -> bool:
        return not self.allow_quit  # True = refused

    def _on_keyboard(self, _window: Any, key: int, _scancode: int, codepoint: str | None,
                     _modifiers: list[str]) -> bool:
        """Every key counts as activity; a PIN may be typed on a real keyboard; nothing else
        (Escape, F1, Alt+F4 and friends) does anything."""
        self.finish_start()
        self.runtime.core.touch()
        if self.sm is not None and self.sm.current == "mediator_unlock":
            screen = self.sm.current_screen
            if codepoint and codepoint.isdigit():
                screen.ids.pin.type_text(codepoint)
            elif key == 8:
                screen.ids.pin.backspace()
            elif key in (13, 271):
                screen.submit_pin()
        return True

    # --- tests and the scripted demo -----------------------------------------------------------
    def reset_for_next_test(self) -> None:
        """Back to a fresh welcome screen with no session (tests reuse one app per process)."""
        from kiosk_wire.schema import EndReason

        core = self.runtime.core
        self.mediator_mode = False
        if core.in_session:
            core.end(EndReason.MEDIATOR, offer_survey=False)
        if core.state is SessionState.ENDING:
            core.complete(None)
        if core.state in (SessionState.OUT_OF_ORDER, SessionState.MAINTENANCE):
            core.back_in_service()
        self._hide_overlay()
        self.ui.reset(self.default_language())
        self.show("welcome")


def run_kiosk(settings: Settings) -> ExitCode:
    """`kiosk run`: the kiosk window, locked down, until a mediator leaves for maintenance
    (:attr:`ExitCode.MAINTENANCE`) or the system stops it (:attr:`ExitCode.OK`)."""
    configure_kivy(settings)
    from kiosk.restarts import count_start

    restarts = count_start(settings.data_dir)
    app = KioskApp(make_runtime(settings))
    app.runtime.restarts = restarts
    app.run()
    return app.exit_code


def start_headless(settings: Settings, clock: Any = None, complete: bool = True) -> KioskApp:
    """An app on an offscreen window, built and started but not looping: the caller drives
    frames (tests, scripted demo, benchmarks). Kivy allows one window per process.
    ``complete=False`` leaves :meth:`KioskApp.finish_start` to the caller (after a frame)."""
    configure_kivy(settings, headless=True)
    app = KioskApp(make_runtime(settings, clock), tick_interval=None)
    app._run_prepare()  # build, add the root to the window, dispatch on_start
    if complete:
        app.finish_start()
    return app
