"""The device layer: one facade per kind, one module per backend, a factory that probes.

    devices = open_devices(settings, schedule)   # schedule(fn, delay) from the UI (Kivy Clock)
    devices.printer.state, devices.scanner.scan(...), devices.reader.add_card_listener(...)
    devices.states()                              # {"printer": "ready", ...} for heartbeats

Each kind's backend setting is "auto" or the real backend's name (the real stack: CUPS, SANE,
PC/SC, udev), or "demo" (only when asked for: ``kiosk demo`` sets it). A real stack that is not
there yet never becomes a demo: the device shows a fault in plain words (absent, offline) and is
probed again on every hotplug event and every ``devices.reprobe_s`` seconds, so it becomes
ready without restarting the kiosk. :meth:`Devices.backends` names each device's backend for
the heartbeat (the console shows a demo device as such). Device libraries (cups, sane,
smartcard, pyudev) are imported only inside their backend modules.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from kiosk.devices import errors
from kiosk.devices.base import Schedule, StatefulDevice
from kiosk.devices.hotplug import DeviceKind, Hotplug, PluggedDevice
from kiosk.devices.printer import Printer
from kiosk.devices.reader import CardReader
from kiosk.devices.scanner import Scanner
from kiosk.devices.usb_storage import StoragePolicy, UsbStorage
from kiosk_wire.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
D = TypeVar("D", bound=StatefulDevice[Any])

__all__ = [
    "Devices",
    "open_devices",
    "open_hotplug",
    "open_printer",
    "open_reader",
    "open_scanner",
    "state_vocabulary",
]


def _probe(kind: str, setting: str, real_name: str, make_real: Callable[[], T],
           make_demo: Callable[[], T], quiet: bool = False) -> tuple[T | None, str]:
    """The backend for one kind: the demo one only when the setting says "demo"; else the real
    one, or None while it is not there (the facade then shows a fault, and :class:`Devices`
    probes again). The second value says why there is none."""
    if setting == "demo":
        log.info("%s: demo backend (devices.%s_backend = demo)", kind, kind)
        return make_demo(), ""
    try:
        backend = make_real()
        log.info("%s: %s backend", kind, real_name)
        return backend, ""
    except errors.DeviceError as err:
        if not quiet:
            log.error("%s: %s unavailable (%s); shown as a fault until it answers "
                      "(probed again at each plug and every devices.reprobe_s)",
                      kind, real_name, err.technical)
        return None, err.technical


def _faulted(device: D, why: str) -> D:
    if why:
        device.last_error = why
    return device


def _demo_output(settings: Settings) -> Path:
    configured = settings.get("devices.demo_output_dir")
    return Path(configured).expanduser() if configured else settings.data_dir / "demo-printer"


def open_printer(settings: Settings) -> Printer:
    from kiosk.devices.demo_printer import DemoPrinter

    def real() -> Any:
        from kiosk.devices.cups_printer import CupsPrinter
        return CupsPrinter(settings.get("devices.printer_queue"),
                           settings.get("devices.cups_server"))

    # A CUPS backend exists even while cupsd does not answer: each state query reconnects, so
    # the printer shows "offline" and becomes ready by itself when cupsd is back.
    backend, why = _probe("printer", settings.get("devices.printer_backend"), "CUPS", real,
                          lambda: DemoPrinter(_demo_output(settings)))
    return _faulted(Printer(backend), why)


def _real_scanner(settings: Settings) -> Any:
    from kiosk.devices.sane_scanner import SaneScanner
    return SaneScanner(settings.get("devices.scanner_device"))


def _real_reader() -> Any:
    from kiosk.devices.pcsc_reader import PcscReader
    return PcscReader()


def open_scanner(settings: Settings) -> Scanner:
    from kiosk.devices.demo_scanner import DemoScanner

    backend, why = _probe("scanner", settings.get("devices.scanner_backend"), "SANE",
                          lambda: _real_scanner(settings), DemoScanner)
    return _faulted(Scanner(backend), why)


def open_reader(settings: Settings, schedule: Schedule) -> CardReader:
    from kiosk.devices.demo_reader import DemoReader

    backend, why = _probe("reader", settings.get("devices.reader_backend"), "PC/SC",
                          _real_reader, DemoReader)
    return _faulted(CardReader(backend, schedule), why)


def open_hotplug(settings: Settings, schedule: Schedule) -> Hotplug:
    from kiosk.devices.demo_hotplug import DemoHotplug

    def real() -> Any:
        from kiosk.devices.udev_hotplug import UdevHotplug
        return UdevHotplug()

    backend, _why = _probe("hotplug", settings.get("devices.hotplug_backend"), "udev", real,
                           DemoHotplug)
    if backend is None:  # no udev: nothing tells of plugs (the timer still re-probes devices)
        backend = NoHotplug()
    return Hotplug(backend, schedule, settings.get("devices.hotplug_debounce_ms") / 1000.0)


class NoHotplug:
    """Where udev cannot be read: no plug events, and the hotplug facade says "unavailable"."""

    name = "none"

    def scan(self) -> list[PluggedDevice]:
        return []

    def start(self, on_event: Callable[[], None]) -> None:
        raise errors.DeviceAbsent("udev is not available: plugged devices are not watched")

    def stop(self) -> None:
        pass


@dataclass
class Devices:
    printer: Printer
    scanner: Scanner
    reader: CardReader
    hotplug: Hotplug
    usb_storage: UsbStorage   # USB keys (not kiosk.storage, the local outbox)
    settings: Settings | None = None
    _closed: bool = False
    _in_reprobe_tick: bool = False

    def states(self) -> dict[str, str]:
        """Every device's state by kind, for the heartbeat and the mediator panel."""
        return {"printer": self.printer.state.value, "scanner": self.scanner.state.value,
                "reader": self.reader.state.value, "hotplug": self.hotplug.state.value,
                "usb_storage": self.usb_storage.state.value}

    def backends(self) -> dict[str, str]:
        """Which backend drives each device ("cups", "sane", "pcsc", "udev", "demo", or "none"
        while the real stack is missing), for the heartbeat: the console shows demo devices."""
        return {"printer": self.printer.backend_name, "scanner": self.scanner.backend_name,
                "reader": self.reader.backend_name, "hotplug": self.hotplug.backend_name}

    # --- probing again: what was missing at start becomes ready without a restart -----------
    def reprobe(self) -> None:
        """Open the real backend of each device that has none yet (its stack was missing), and
        refresh the others. Runs on the main loop (timer, hotplug)."""
        if self.settings is None:
            return
        if self.printer.backend_name == "none" and self._wants_real("printer"):
            printer, _why = _probe("printer", "auto", "CUPS", self._real_printer, _no_demo,
                                   quiet=True)
            self.printer.attach(printer)
        if self.scanner.backend is None and self._wants_real("scanner"):
            scanner, why = _probe("scanner", "auto", "SANE", lambda: _real_scanner(self._settings),
                                  _no_demo, quiet=True)
            self.scanner.backend = scanner
            if scanner is not None:
                log.info("scanner: SANE %s found", getattr(scanner, "device", ""))
            else:
                self.scanner.last_error = why
        if self.reader.backend is None and self._wants_real("reader"):
            reader, why = _probe("reader", "auto", "PC/SC", _real_reader, _no_demo, quiet=True)
            if reader is not None:
                log.info("reader: PC/SC found")
                self.reader.attach(reader)
            else:
                self.reader.last_error = why
        self.refresh_all()

    def start_reprobing(self, schedule: Schedule, interval_s: float) -> None:
        """Call :meth:`reprobe` every ``interval_s`` through the UI's ``schedule``."""
        self._reprobe_every = interval_s
        self._reprobe_schedule = schedule

        def tick() -> None:
            # A schedule that runs at once (tests, tools: kiosk.scheduling.run_now) would call
            # tick from tick: probe once there, never recurse.
            if self._closed or self._in_reprobe_tick:
                return
            self._in_reprobe_tick = True
            try:
                self.reprobe()
            except Exception:
                log.exception("probing the devices again failed")
            try:
                schedule(tick, interval_s)
            finally:
                self._in_reprobe_tick = False
        schedule(tick, interval_s)

    @property
    def _settings(self) -> Settings:
        assert self.settings is not None
        return self.settings

    def _wants_real(self, kind: str) -> bool:
        return bool(self._settings.get(f"devices.{kind}_backend") != "demo")

    def _real_printer(self) -> Any:
        from kiosk.devices.cups_printer import CupsPrinter
        return CupsPrinter(self._settings.get("devices.printer_queue"),
                           self._settings.get("devices.cups_server"))

    def refresh_all(self) -> dict[str, str]:
        """Ask every device for its state now (the UI calls this every few seconds, so that
        "paper out" shows while nobody prints); returns :meth:`states`."""
        self.printer.refresh()
        self.scanner.refresh()
        self.reader.refresh()
        return self.states()

    # --- hotplug wiring: runs on the main loop (scheduled by the hotplug facade) ------------------
    def on_plug_change(self, kind: DeviceKind, added: bool, device: PluggedDevice) -> None:
        present = bool(self.hotplug.plugged(kind))
        if kind is DeviceKind.PRINTER:
            self.printer.unplugged = not present
            self.printer.refresh()
        elif kind is DeviceKind.SCANNER:
            self.scanner.unplugged = not present
            if present and added:
                self._reopen_scanner()
            self.scanner.refresh()
        elif kind is DeviceKind.READER:
            self.reader.unplugged = not present
            self.reader.refresh()
        self.usb_storage.on_change(kind, added, device)
        if added:  # a device whose stack was missing may be there now
            self.reprobe()

    def _reopen_scanner(self) -> None:
        """A scanner plugged (back) in: SANE must open it again to see it."""
        if self.settings is None or not self._wants_real("scanner"):
            return
        from kiosk.devices.sane_scanner import SaneScanner

        old = self.scanner.backend
        if old is not None:
            old.close()  # its handle points at the device that went away
        try:
            sane = SaneScanner(self.settings.get("devices.scanner_device"))
            self.scanner.backend = sane
            log.info("scanner plugged in: SANE %s", sane.device)
        except errors.DeviceError as err:
            self.scanner.last_error = err.technical
            log.warning("scanner plugged in but SANE cannot open it: %s", err.technical)
            self.scanner.backend = None

    def close(self) -> None:
        self._closed = True
        for closing in (self.hotplug.stop, self.reader.close, self.scanner.close,
                        self.printer.close):
            try:
                closing()
            except Exception:
                log.exception("closing a device failed")


def state_vocabulary() -> dict[str, list[str]]:
    """Every state slug :meth:`Devices.states` can report, by device (for the console's labels)."""
    from kiosk.devices.hotplug import HotplugState
    from kiosk.devices.printer import PrinterState
    from kiosk.devices.reader import ReaderState
    from kiosk.devices.scanner import ScannerState
    from kiosk.devices.usb_storage import StorageState

    kinds: dict[str, type[Enum]] = {
        "printer": PrinterState, "scanner": ScannerState, "reader": ReaderState,
        "hotplug": HotplugState, "usb_storage": StorageState}
    return {name: [s.value for s in enum] for name, enum in kinds.items()}


def open_devices(settings: Settings, schedule: Schedule | None = None) -> Devices:
    """Every device facade, each on the backend its setting and the machine allow."""
    if schedule is None:
        from kiosk.devices.scheduling import TimerScheduler
        schedule = TimerScheduler()
    devices = Devices(
        printer=open_printer(settings),
        scanner=open_scanner(settings),
        reader=open_reader(settings, schedule),
        hotplug=open_hotplug(settings, schedule),
        usb_storage=UsbStorage(StoragePolicy(settings.get("devices.usb_storage"))),
        settings=settings,
    )
    devices.hotplug.add_change_listener(devices.on_plug_change)
    devices.hotplug.start()
    devices.start_reprobing(schedule, settings.get("devices.reprobe_s"))
    return devices


def _no_demo() -> Any:
    raise AssertionError("re-probing only ever opens a real backend")
