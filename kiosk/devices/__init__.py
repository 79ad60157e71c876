"""The device layer: one facade per kind, one module per backend, a factory that probes.

    devices = open_devices(settings, schedule)   # schedule(fn, delay) from the UI (Kivy Clock)
    devices.printer.state, devices.scanner.scan(...), devices.reader.add_card_listener(...)
    devices.states()                              # {"printer": "ready", ...} for heartbeats

Each kind's backend setting is "auto" (probe the real stack, fall back to the demo backend
with a log line), the real backend's name (use it even when it does not answer yet: the
device shows as offline/absent, never silently replaced by a demo), or "demo". Device
libraries (cups, sane, smartcard, pyudev) are imported only inside their backend modules.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from kiosk_wire.config import Settings
from kiosk.devices import errors
from kiosk.devices.base import Schedule
from kiosk.devices.hotplug import DeviceKind, Hotplug, PluggedDevice
from kiosk.devices.printer import Printer
from kiosk.devices.reader import CardReader
from kiosk.devices.scanner import Scanner
from kiosk.devices.storage import StoragePolicy, UsbStorage

log = logging.getLogger(__name__)
T = TypeVar("T")

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
           make_demo: Callable[[], T], check: Callable[[T], None] | None = None) -> T | None:
    """The backend for one kind. None: the real backend was asked for and is not there."""
    if setting == "demo":
        log.info("%s: demo backend (devices.%s_backend = demo)", kind, kind)
        return make_demo()
    try:
        backend = make_real()
        if check is not None:
            check(backend)
        log.info("%s: %s backend", kind, real_name)
        return backend
    except errors.DeviceError as err:
        if setting == "auto":
            log.warning("%s: %s unavailable (%s); using the demo %s instead",
                        kind, real_name, err.technical, kind)
            return make_demo()
        log.error("%s: %s unavailable (%s); the %s shows as absent until it answers",
                  kind, real_name, err.technical, kind)
        return None


def _demo_output(settings: Settings) -> Path:
    configured = settings.get("devices.demo_output_dir")
    return Path(configured).expanduser() if configured else settings.data_dir / "demo-printer"


def open_printer(settings: Settings) -> Printer:
    from kiosk.devices.demo_printer import DemoPrinter

    def real() -> Any:
        from kiosk.devices.cups_printer import CupsPrinter
        return CupsPrinter(settings.get("devices.printer_queue"),
                           settings.get("devices.cups_server"))

    setting = settings.get("devices.printer_backend")
    check = (lambda b: b.query_state()) if setting == "auto" else None
    return Printer(_probe("printer", setting, "CUPS", real,
                          lambda: DemoPrinter(_demo_output(settings)), check))


def open_scanner(settings: Settings) -> Scanner:
    from kiosk.devices.demo_scanner import DemoScanner

    def real() -> Any:
        from kiosk.devices.sane_scanner import SaneScanner
        return SaneScanner(settings.get("devices.scanner_device"))

    return Scanner(_probe("scanner", settings.get("devices.scanner_backend"), "SANE", real,
                          DemoScanner))


def open_reader(settings: Settings, schedule: Schedule) -> CardReader:
    from kiosk.devices.demo_reader import DemoReader

    def real() -> Any:
        from kiosk.devices.pcsc_reader import PcscReader
        return PcscReader()

    return CardReader(_probe("reader", settings.get("devices.reader_backend"), "PC/SC", real,
                             DemoReader), schedule)


def open_hotplug(settings: Settings, schedule: Schedule) -> Hotplug:
    from kiosk.devices.demo_hotplug import DemoHotplug

    def real() -> Any:
        from kiosk.devices.udev_hotplug import UdevHotplug
        return UdevHotplug()

    backend = _probe("hotplug", settings.get("devices.hotplug_backend"), "udev", real,
                     DemoHotplug) or DemoHotplug()
    return Hotplug(backend, schedule, settings.get("devices.hotplug_debounce_ms") / 1000.0)


@dataclass
class Devices:
    printer: Printer
    scanner: Scanner
    reader: CardReader
    hotplug: Hotplug
    storage: UsbStorage
    settings: Settings | None = None

    def states(self) -> dict[str, str]:
        """Every device's state by kind, for the heartbeat and the mediator panel."""
        return {"printer": self.printer.state.value, "scanner": self.scanner.state.value,
                "reader": self.reader.state.value, "hotplug": self.hotplug.state.value,
                "usb_storage": self.storage.state.value}

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
        self.storage.on_change(kind, added, device)

    def _reopen_scanner(self) -> None:
        """A scanner plugged (back) in: SANE must open it again to see it. With "auto", a
        kiosk that started on the demo scanner switches to the real one."""
        if self.settings is None:
            return
        setting = self.settings.get("devices.scanner_backend")
        allowed = {"sane": ("sane", "none"), "auto": ("sane", "none", "demo")}.get(setting, ())
        if self.scanner.backend_name not in allowed:
            return
        from kiosk.devices.sane_scanner import SaneScanner

        old = self.scanner.backend
        if old is not None and old.name == "sane":
            old.close()  # its handle points at the device that went away
        try:
            sane = SaneScanner(self.settings.get("devices.scanner_device"))
            self.scanner.backend = sane
            log.info("scanner plugged in: SANE %s", sane.device)
        except errors.DeviceError as err:
            self.scanner.last_error = err.technical
            log.warning("scanner plugged in but SANE cannot open it: %s", err.technical)
            if old is not None and old.name == "demo":
                self.scanner.backend = old  # "auto" keeps its demo until SANE sees one
            else:
                self.scanner.backend = None

    def close(self) -> None:
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
    from kiosk.devices.storage import StorageState

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
        storage=UsbStorage(StoragePolicy(settings.get("devices.usb_storage"))),
        settings=settings,
    )
    devices.hotplug.add_change_listener(devices.on_plug_change)
    devices.hotplug.start()
    return devices
