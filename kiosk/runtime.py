"""KioskRuntime: everything the touch UI talks to, built once from the settings.

The app (kiosk/app.py) wires screens to this one object and nothing else: the session core
(crash leftovers wiped by :meth:`SessionCore.recover` *before* the welcome screen shows), the
devices, the help desk and sync when those parts are installed, the practice catalogue, the
mediator PIN gate and badge registry, and the read-aloud speaker. No Kivy here: the UI passes
its own ``schedule`` so device threads hand their callbacks to the Kivy clock.

Parts written by other teams are looked up by name and used when present; each missing part
is logged once and the matching feature is hidden or shown as unavailable, never faked.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from kiosk import __version__
from kiosk_wire.config import Settings
from kiosk.i18n import N_
from kiosk.sessions import has_leftovers
from kiosk.speech import Speaker

if TYPE_CHECKING:  # imported when used: the welcome screen's first frame needs none of them
    from kiosk.sessions.clock import Clock
    from kiosk.sessions.core import SessionCore
    from kiosk.sessions.mediator_pin import PinGate

log = logging.getLogger(__name__)

Schedule = Callable[[Callable[[], None], float], None]


class Feature(str, Enum):
    PRACTICE = "practice"
    SCAN = "scan"
    PRINT = "print"
    HELP = "help"


class HelpView(str, Enum):
    """What the help screen tells the resident, from the help desk's status."""

    SENDING = "sending"          # request on its way
    NOTIFIED = "notified"        # the server has it: a mediator was told
    COMING = "coming"            # a mediator acknowledged: "Un médiateur arrive"
    GO_TO_DESK = "go_to_desk"    # offline or not delivered: go to the desk


@dataclass(frozen=True)
class DeviceLine:
    kind: str      # printer, scanner, reader, hotplug
    state: str     # the facade's state Enum value
    detail: str    # the facade's technical message, for the mediator


def _optional(module: str, attr: str) -> Any | None:
    """An attribute of a module that another team may not have written yet."""
    try:
        return getattr(importlib.import_module(module), attr, None)
    except ImportError as err:
        log.info("%s not available (%s)", module, err)
        return None


def _now_schedule(fn: Callable[[], None], delay: float) -> None:
    fn()


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
        self.schedule: Schedule = schedule or _now_schedule
        self.speaker = speaker or Speaker()
        self._core: SessionCore | None = None
        self._pin_gate: PinGate | None = None
        self._core_listeners: list[Callable[[SessionCore], None]] = []
        self.recovered = 0
        self.devices: Any | None = None
        self.documents: Any | None = None
        self._demo_reader: Any | None = None
        self.badges: Any | None = None
        self.help_desk: Any | None = None
        self.sync: Any | None = None
        self._practice: Any | None = None
        self._practice_loaded = False
        self.parts_open = False
        self._help_listeners: list[Callable[[HelpView], None]] = []
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
        listeners, self._core_listeners = self._core_listeners, []
        for listener in listeners:
            listener(self._core)

    @property
    def pin_gate(self) -> PinGate:
        """The mediator PIN gate (argon2), opened on first use."""
        if self._pin_gate is None:
            from kiosk.sessions.mediator_pin import PinGate

            self._pin_gate = PinGate(self.settings.get("mediator.pin_hash"),
                                     clock=self.core.clock, store=self.core.store)
        return self._pin_gate

    def open_parts(self) -> None:
        """Devices, badges, help desk and sync. The app calls this just after the first frame
        of the welcome screen, so a resident sees the kiosk as early as possible."""
        if self.parts_open:
            return
        if self._core is None:
            self._open_core(open_parts=True)  # the parts need the core (and maybe recovery)
            return
        self.parts_open = True
        self.devices = self._open_devices()
        self.documents = self._open_documents()
        self._demo_reader = None if self.devices is not None else self._open_demo_reader()
        self.badges = self._open_badges()
        self.help_desk = self._open_help_desk()
        self.sync = self._open_sync()
        if self.help_desk is not None and hasattr(self.help_desk, "add_listener"):
            self.help_desk.add_listener(self._help_changed)

    @property
    def practice(self) -> Any | None:
        """The practice catalogue, loaded on first use (it reads and checks every procedure)."""
        if not self._practice_loaded:
            self._practice_loaded = True
            self._practice = self._open_practice()
        return self._practice

    # --- optional parts ----------------------------------------------------------------------
    def _open_devices(self) -> Any | None:
        factory = _optional("kiosk.devices", "open_devices")
        if factory is None:
            return None
        try:
            return factory(self.settings, self.schedule)
        except Exception:
            log.exception("devices could not be opened; scan, print and badge are hidden")
            return None

    def _open_documents(self) -> Any | None:
        """Scan and print services plus the session's documents (kiosk.documents)."""
        desk_cls = _optional("kiosk.documents.session_documents", "DocumentDesk")
        if desk_cls is None or self.devices is None:
            return None
        try:
            return desk_cls(self.core, self.device("scanner"), self.device("printer"),
                            self.settings.get("devices.print_quota_pages"),
                            self.settings.get("devices.scan_dpi"))
        except Exception:
            log.exception("document services could not be opened; scan and print are hidden")
            return None

    def _open_demo_reader(self) -> Any | None:
        """Without the device factory, badges still work through the demo reader backend."""
        reader_cls = _optional("kiosk.devices.reader", "CardReader")
        demo_cls = _optional("kiosk.devices.demo_reader", "DemoReader")
        if reader_cls is None or demo_cls is None:
            return None
        log.info("no device factory: using the demo badge reader")
        return reader_cls(demo_cls(), self.schedule)

    def _open_badges(self) -> Any | None:
        registry = _optional("kiosk.sessions.badges", "BadgeRegistry")
        key_path = _optional("kiosk.sessions.badges", "badge_key_path")
        if registry is None or key_path is None or self.core.store is None:
            return None
        try:
            return registry(self.core.store, key_path(self.settings.data_dir))
        except Exception:
            log.exception("badge registry could not be opened; PIN only")
            return None

    def _open_help_desk(self) -> Any | None:
        factory = _optional("kiosk.sessions.help", "open_help_desk")
        if factory is None:
            return None
        states = getattr(self.devices, "states", None)
        try:
            return factory(self.settings, self.core, schedule=self.schedule,
                           device_states=states)
        except Exception:
            log.exception("help desk could not be opened; help shows 'go to the desk'")
            return None

    def _open_sync(self) -> Any | None:
        if not self.settings.get("sync.server_url"):  # local only: no HTTP stack to load
            return None
        factory = _optional("kiosk.sessions.sync", "open_sync")
        if factory is None:
            return None
        try:
            return factory(self.settings, self.core.store)
        except Exception:
            log.exception("sync could not be started; records stay queued locally")
            return None

    def _open_practice(self) -> Any | None:
        loader = _optional("kiosk.practice", "load_catalogue")
        if loader is None:
            return None
        try:
            return loader(self.settings)
        except Exception:
            log.exception("practice catalogue could not be loaded; practice tile hidden")
            return None

    # --- features ----------------------------------------------------------------------------
    @property
    def print_service(self) -> Any | None:
        """The one print service (one quota per session) shared by every screen."""
        return getattr(self.documents, "prints", None)

    def device(self, kind: str) -> Any | None:
        if self.devices is not None:
            return getattr(self.devices, kind, None)
        if kind == "reader":
            return self._demo_reader
        return None

    def feature_available(self, feature: Feature) -> bool:
        """Switched on in the settings and backed by what it needs."""
        if not self.settings.get(f"kiosk.{feature.value}_enabled"):
            return False
        if feature is Feature.PRACTICE:
            if self._practice_loaded:
                return self._practice is not None
            return _optional("kiosk.practice", "load_catalogue") is not None
        if feature is Feature.SCAN:
            return self.device("scanner") is not None
        if feature is Feature.PRINT:
            return self.device("printer") is not None
        return True  # help: always possible, at worst "go to the desk"

    # --- help --------------------------------------------------------------------------------
    def add_help_listener(self, listener: Callable[[HelpView], None]) -> None:
        self._help_listeners.append(listener)

    def request_help(self) -> HelpView:
        """Ask for a mediator. The help desk counts the request in the session's record; without
        one, it is counted here (the resident did ask) and the answer is "go to the desk"."""
        if self.help_desk is None:
            from kiosk_wire.schema import Activity, ActivityKind

            if self.core.in_session:
                self.core.add_activity(Activity(kind=ActivityKind.HELP))
            return HelpView.GO_TO_DESK
        try:
            self.help_desk.request()
        except Exception:
            log.exception("help request failed")
            return HelpView.GO_TO_DESK
        return self.help_view()

    def help_view(self) -> HelpView:
        if self.help_desk is None:
            return HelpView.GO_TO_DESK
        status = getattr(getattr(self.help_desk, "status", None), "name", "")
        return {"SENDING": HelpView.SENDING, "SENT": HelpView.NOTIFIED,
                "ACKNOWLEDGED": HelpView.COMING}.get(status, HelpView.GO_TO_DESK)

    def _help_changed(self, *_args: Any) -> None:
        view = self.help_view()

        def tell() -> None:
            for listener in list(self._help_listeners):
                listener(view)
        self.schedule(tell, 0)

    # --- mediator ----------------------------------------------------------------------------
    def device_lines(self) -> list[DeviceLine]:
        lines = []
        for kind in ("printer", "scanner", "reader", "hotplug"):
            dev = self.device(kind)
            if dev is None:
                lines.append(DeviceLine(kind, "absent", ""))
                continue
            state = getattr(dev, "state", None)
            lines.append(DeviceLine(kind, getattr(state, "value", str(state)),
                                    str(getattr(dev, "last_error", "") or "")))
        return lines

    def server_state(self) -> str:
        """'local only', 'connected', 'unreachable' or 'not started', for the mediator panel."""
        if not self.settings.get("sync.server_url"):
            return "local"
        if self.sync is None:
            return "not_started"
        connected = getattr(self.sync, "connected", None)
        if connected is None:
            return "unknown"
        return "connected" if connected else "unreachable"

    def queued_records(self) -> int:
        store = self.core.store
        return store.queue_length() if store is not None else len(self.core.unqueued)

    def verify_badge(self, uid: str) -> bool:
        if self.badges is None:
            return False
        try:
            return bool(self.badges.verify(uid))
        except Exception:
            log.exception("badge check failed")
            return False

    def enrol_badge(self, uid: Any, label: str) -> str | None:
        """Enrol a mediator badge; None when done, else a plain message for the mediator."""
        if self.badges is None:
            return N_("Les badges ne sont pas disponibles sur cette borne.")
        try:
            self.badges.enrol(uid, label)
        except ValueError as err:  # BadgeError carries the mediator's message
            return getattr(err, "resident_message", N_("Ce badge n'a pas pu être enregistré."))
        except Exception:
            log.exception("badge enrolment failed")
            return N_("Ce badge n'a pas pu être enregistré.")
        return None

    def reset_print_quota(self) -> bool:
        prints = getattr(self.documents, "prints", None)
        if prints is not None:
            if self.core.in_session:
                prints.reset_quota()
            return True
        printer = self.device("printer")
        reset = getattr(printer, "reset_quota", None) or getattr(self.devices, "reset_quota", None)
        if reset is None:
            return False
        reset()
        return True

    def on_card_inserted(self, listener: Callable[[Any], None]) -> bool:
        """Listen for badges (listener gets the card UID); False when there is no reader."""
        reader = self.device("reader")
        if reader is not None and hasattr(reader, "add_card_listener"):
            reader.add_card_listener(on_card_inserted=listener)
            return True
        return False

    # --- life --------------------------------------------------------------------------------
    def close(self) -> None:
        self.speaker.stop()
        for part in (self.sync, self.help_desk, self.devices):
            stop = getattr(part, "stop", None) or getattr(part, "close", None)
            if stop is not None:
                try:
                    stop()
                except Exception:
                    log.exception("error while stopping %s", type(part).__name__)
        if self._core is not None and self._core.store is not None:
            self._core.store.close()
