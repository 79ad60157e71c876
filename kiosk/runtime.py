"""KioskRuntime: everything the touch UI talks to, built once from the settings.

The app (kiosk/app.py) wires screens to this one object and nothing else: the session core
(crash leftovers wiped by :meth:`SessionCore.recover` *before* the welcome screen shows), the
devices, the document desk, the badge registry, the connection to the server (sync, heartbeat,
help desk), the practice catalogue, the mediator PIN gate and the read-aloud speaker. Each part
is a typed field; a part that cannot open is logged once and its feature hidden or shown as
unavailable, never faked (kiosk/runtime_parts.py opens them). No Kivy here: the UI passes its
own ``schedule`` so device and network threads hand their callbacks to the Kivy clock.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

from kiosk import __version__
from kiosk import runtime_parts as parts
from kiosk.help_calls import HelpCalls, HelpView
from kiosk.i18n import N_
from kiosk.mediator_status import DeviceLine, ServerState, device_lines, server_state
from kiosk.scheduling import Schedule, run_now
from kiosk.sessions import has_leftovers
from kiosk.speech import Speaker
from kiosk.watchdog import UiWatchdog
from kiosk_wire.config import Settings

if TYPE_CHECKING:  # imported when used: the welcome screen's first frame needs none of them
    from kiosk.browser.browsing import Browsing
    from kiosk.devices import Devices
    from kiosk.devices.printer import Printer
    from kiosk.devices.reader import CardReader
    from kiosk.devices.scanner import Scanner
    from kiosk.documents.printing import PrintService
    from kiosk.documents.session_documents import DocumentDesk
    from kiosk.practice.catalogue import Catalogue
    from kiosk.practice.live_catalogue import LiveCatalogue
    from kiosk.sessions.badges import BadgeRegistry
    from kiosk.sessions.clock import Clock
    from kiosk.sessions.core import SessionCore
    from kiosk.sessions.mediator_pin import PinGate
    from kiosk.sync import ServerConnection
    from kiosk.sync.help import HelpDesk
    from kiosk.sync.outbox import SyncClient
    from kiosk_wire.schema import PushedSettings

log = logging.getLogger(__name__)

__all__ = ["DeviceLine", "Feature", "HelpView", "KioskRuntime", "Schedule", "ServerState"]


class Feature(str, Enum):
    PRACTICE = "practice"
    SCAN = "scan"
    PRINT = "print"
    HELP = "help"
    BROWSER = "browser"   # official sites in the locked-down browser (browser.enabled)


class KioskRuntime:
    """``defer_core=True`` (the touch UI): the session core, its store and the PIN gate are
    opened on first use, normally just after the first frame of the welcome screen, so that
    frame costs only a look at the session journals. When a crashed session left something
    behind, everything opens at once and the leftovers are wiped before any screen shows."""

    def __init__(self, settings: Settings, clock: Clock | None = None,
                 schedule: Schedule | None = None, speaker: Speaker | None = None,
                 open_parts: bool = True, defer_core: bool = False) -> None:
        self.settings = settings
        self.version = __version__
        self._clock = clock
        self.schedule: Schedule = schedule or run_now
        self.speaker = speaker or Speaker()
        self.watchdog = UiWatchdog()  # systemd's, fed by the UI loop (a no-op outside systemd)
        self.restarts: int | None = None  # since boot, counted by `kiosk run` (kiosk/restarts.py)
        self._core: SessionCore | None = None
        self._pin_gate: PinGate | None = None
        self._core_listeners: list[Callable[[SessionCore], None]] = []
        self.recovered = 0
        self.devices: Devices | None = None
        self.documents: DocumentDesk | None = None
        self.badges: BadgeRegistry | None = None
        self.connection: ServerConnection | None = None
        self._live_catalogue: LiveCatalogue | None = None
        # A mediator's test mode: the practice catalogue also lists drafts (procedures not yet
        # translated). Set from the mediator panel, forgotten when the session ends.
        self.practice_drafts_shown = False
        self.parts_open = False
        self._browsing: Browsing | None = None
        self._browsing_off = False  # switched off, no Chromium, or an unusable site list
        # Extra Chromium switches (tests: host resolver rules and the test certificate).
        self.browser_switches: tuple[str, ...] = ()
        self.help_calls = HelpCalls(lambda: self.help_desk, lambda: self.core, self.schedule)
        if not defer_core or has_leftovers(settings):
            self._open_core(open_parts)

    # --- the session core --------------------------------------------------------------------
    @property
    def core(self) -> SessionCore:
        """The session core, opened on first use."""
        if self._core is None:
            self._open_core(open_parts=False)
        assert self._core is not None
        return self._core

    @property
    def core_ready(self) -> bool:
        return self._core is not None

    def when_core_ready(self, listener: Callable[[SessionCore], None]) -> None:
        """``listener(core)`` now if the core is open, else as soon as it opens."""
        if self._core is not None:
            listener(self._core)
        else:
            self._core_listeners.append(listener)

    def _open_core(self, open_parts: bool) -> None:
        from kiosk.sessions import open_core

        self._core = open_core(self.settings, clock=self._clock)
        # Crash leftovers are wiped before any screen shows. What they hold may need the
        # devices to dispose of (print jobs: the document desk registers that disposer), so
        # the parts open first when there are leftovers; otherwise after the first frame.
        if open_parts or self._core.journal.leftovers():
            self.open_parts()
        self.recovered = self._core.recover()
        self._core.add_end_hook(self._forget_test_mode)
        self.live_catalogue.attach(self._core)  # a published bundle waits for the session end
        listeners, self._core_listeners = self._core_listeners, []
        for listener in listeners:
            listener(self._core)

    def _forget_test_mode(self) -> None:
        self.practice_drafts_shown = False

    def practice_drafts(self) -> int:
        """How many drafts (untranslated procedures) a mediator could try."""
        catalogue = self.practice
        return len(catalogue.drafts) if catalogue is not None else 0

    @property
    def pin_gate(self) -> PinGate:
        """The mediator PIN gate (argon2), opened on first use."""
        if self._pin_gate is None:
            from kiosk.sessions.mediator_pin import PinGate

            self._pin_gate = PinGate(self.settings.get("mediator.pin_hash"),
                                     clock=self.core.clock, store=self.core.store)
        return self._pin_gate

    def open_parts(self) -> None:
        """Devices, documents, badges and the server connection. The app calls this just after
        the first frame of the welcome screen, so a resident sees the kiosk as early as possible."""
        if self.parts_open:
            return
        if self._core is None:
            self._open_core(open_parts=True)  # the parts need the core (and maybe recovery)
            return
        self.parts_open = True
        self.devices = parts.devices_or_none(self.settings, self.schedule)
        self.documents = parts.document_desk_or_none(self.settings, self.core, self.devices)
        self.badges = parts.badges_or_none(self.settings, self.core)
        self.connection = parts.connection_or_none(
            self.settings, self.core, self.schedule, self.devices, liveness=self.liveness,
            catalogue=self.live_catalogue.keeper, official_site=self._browsing_site)
        if self.connection is not None:
            self.connection.help_desk.add_listener(self.help_calls.desk_changed)
            if self.connection.heartbeat is not None:
                self.connection.heartbeat.add_settings_listener(self._settings_pushed)
                self._settings_pushed(self.connection.heartbeat.pushed)  # kept from last time

    @property
    def practice(self) -> Catalogue | None:
        """The practice catalogue, loaded on first use (it reads and checks every procedure),
        with the site's published bundle, swapped in between sessions."""
        return self.live_catalogue.catalogue()

    @practice.setter
    def practice(self, catalogue: Catalogue | None) -> None:
        """Show this catalogue (tests, the demo), until a bundle is swapped in."""
        self.live_catalogue.show(catalogue)

    @property
    def live_catalogue(self) -> LiveCatalogue:
        if self._live_catalogue is None:
            from kiosk.practice.live_catalogue import LiveCatalogue

            self._live_catalogue = LiveCatalogue.from_settings(
                self.settings, lambda: parts.catalogue_or_none(self.settings), self.schedule)
        return self._live_catalogue

    # --- the parts (kiosk/runtime_parts.py) ----------------------------------------------------
    def liveness(self) -> tuple[int | None, int | None]:
        """For the heartbeat thread: how long the UI loop has not turned, restarts since boot."""
        # In steps of 10 s (0 while the UI turns): a healthy kiosk always says the same, so its
        # heartbeats stay "unchanged" for the server (kiosk_server.live), a frozen one shows.
        return int(self.watchdog.stalled_s()) // 10 * 10, self.restarts

    def _browsing_site(self) -> str | None:
        """For the heartbeat thread: the official site shown now (its key), or None."""
        return self._browsing.site_now() if self._browsing is not None else None

    def _settings_pushed(self, pushed: PushedSettings) -> None:
        """Settings the server pushed (UI thread): the browser's allowlist among them."""
        if self._browsing is not None:
            self._browsing.apply_pushed(pushed)

    @property
    def help_desk(self) -> HelpDesk | None:
        return self.connection.help_desk if self.connection is not None else None

    @property
    def sync(self) -> SyncClient | None:
        return self.connection.sync if self.connection is not None else None

    # --- features ----------------------------------------------------------------------------
    @property
    def print_service(self) -> PrintService | None:
        """The one print service (one quota per session) shared by every screen."""
        return self.documents.prints if self.documents is not None else None

    @property
    def printer(self) -> Printer | None:
        return self.devices.printer if self.devices is not None else None

    @property
    def scanner(self) -> Scanner | None:
        return self.devices.scanner if self.devices is not None else None

    @property
    def reader(self) -> CardReader | None:
        return self.devices.reader if self.devices is not None else None

    def feature_available(self, feature: Feature) -> bool:
        """Switched on in the settings and backed by what it needs."""
        if feature is Feature.BROWSER:
            return self.browsing is not None
        if not self.settings.get(f"kiosk.{feature.value}_enabled"):
            return False
        if feature is Feature.PRACTICE:
            return self._live_catalogue is None or self._live_catalogue.available()
        if feature is Feature.SCAN:
            return self.scanner is not None
        if feature is Feature.PRINT:
            return self.printer is not None
        return True  # help: always possible, at worst "go to the desk"

    # --- help (kiosk/help_calls.py) ------------------------------------------------------------
    def add_help_listener(self, listener: Callable[[HelpView], None]) -> None:
        self.help_calls.add_listener(listener)

    def request_help(self) -> HelpView:
        return self.help_calls.request()

    def cancel_help(self) -> HelpView:
        return self.help_calls.cancel()

    def help_view(self) -> HelpView:
        return self.help_calls.view()

    # --- mediator ----------------------------------------------------------------------------
    def device_lines(self) -> list[DeviceLine]:
        return device_lines(self.devices)

    def server_state(self) -> ServerState:
        return server_state(self.settings, self.sync)

    def queued_records(self) -> int:
        store = self.core.store
        return store.queue_length() if store is not None else len(self.core.unqueued)

    def verify_badge(self, uid: bytes) -> bool:
        if self.badges is None:
            return False
        try:
            return bool(self.badges.verify(uid))
        except Exception:
            log.exception("badge check failed")
            return False

    def enrol_badge(self, uid: bytes, label: str) -> str | None:
        """Enrol a mediator badge; None when done, else a plain message for the mediator."""
        if self.badges is None:
            return N_("Les badges ne sont pas disponibles sur cette borne.")
        from kiosk.sessions.badges import BadgeError

        try:
            self.badges.enrol(uid, label)
        except BadgeError as err:  # it carries the mediator's message
            return err.resident_message
        except Exception:
            log.exception("badge enrolment failed")
            return N_("Ce badge n'a pas pu être enregistré.")
        return None

    def reset_print_quota(self) -> bool:
        prints = self.print_service
        if prints is None:
            return False
        if self.core.in_session:
            prints.reset_quota()
        return True

    def on_card_inserted(self, listener: Callable[[bytes], None]) -> bool:
        """Listen for badges (listener gets the card UID); False when there is no reader."""
        if self.reader is None:
            return False
        self.reader.add_card_listener(on_card_inserted=listener)
        return True

    # --- the browser -------------------------------------------------------------------------
    @property
    def browsing(self) -> Browsing | None:
        """The official sites' browser of the sessions, or None when switched off, when
        Chromium is not installed or when the site list in the settings is unusable (logged)."""
        if self._browsing is None and not self._browsing_off:
            from kiosk.browser.browsing import open_browsing

            heartbeat = self.connection.heartbeat if self.connection is not None else None
            self._browsing = open_browsing(
                self.core, self.settings, extra_switches=self.browser_switches,
                documents=self.documents,
                pushed=heartbeat.pushed if heartbeat is not None else None)
            self._browsing_off = self._browsing is None  # said once; a restart looks again
        if self._browsing is None:
            return None
        if self._browsing.documents is None:  # the parts opened after the browser was asked for
            self._browsing.documents = self.documents
        return self._browsing

    def close(self) -> None:
        if self._browsing is not None:
            self._browsing.close()
        self.watchdog.stopping()
        self.speaker.stop()
        for name, stop in (("connection", self.connection.stop if self.connection else None),
                           ("devices", self.devices.close if self.devices else None)):
            if stop is not None:
                try:
                    stop()
                except Exception:
                    log.exception("error while stopping the %s", name)
        if self._core is not None and self._core.store is not None:
            self._core.store.close()
