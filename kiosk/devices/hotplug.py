"""The hotplug facade: which printers, scanners, badge readers and USB keys are plugged in.

The backend (udev_hotplug.py) runs ONE observer thread whose callback does nothing but ask for
a rescan; the facade schedules that rescan on the UI's main loop after a short debounce (a
USB device produces a burst of events), compares what is plugged with what was, and tells its
listeners. :func:`kiosk.devices.open_devices` wires those listeners to the printer, scanner
and reader facades and to the USB storage policy.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from kiosk.devices import errors
from kiosk.devices.base import Schedule, StatefulDevice

log = logging.getLogger(__name__)


class DeviceKind(str, Enum):
    PRINTER = "printer"
    SCANNER = "scanner"
    READER = "reader"
    STORAGE = "storage"


class HotplugState(str, Enum):
    WATCHING = "watching"
    STOPPED = "stopped"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class PluggedDevice:
    kind: DeviceKind
    key: str          # stable while plugged (the USB device's sysfs path)
    label: str = ""   # vendor/model for the mediator panel; never a serial number
    nodes: tuple[str, ...] = ()  # USB keys: block device nodes (/dev/sdb1...), to find mounts


ChangeListener = Callable[[DeviceKind, bool, PluggedDevice], None]  # (kind, added, device)


class HotplugBackend(Protocol):
    name: str

    def scan(self) -> list[PluggedDevice]: ...

    def start(self, on_event: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...


class Hotplug(StatefulDevice[HotplugState]):
    def __init__(self, backend: HotplugBackend, schedule: Schedule,
                 debounce_s: float = 0.5) -> None:
        super().__init__(HotplugState.STOPPED)
        self.backend = backend
        self._schedule = schedule
        self.debounce_s = debounce_s
        self._generation = 0
        self._gen_lock = threading.Lock()
        self._present: dict[str, PluggedDevice] = {}
        self._change_listeners: list[ChangeListener] = []
        self.rescans = 0

    @property
    def backend_name(self) -> str:
        return self.backend.name

    def add_change_listener(self, listener: ChangeListener) -> None:
        self._change_listeners.append(listener)

    def start(self) -> None:
        """Watch, then take stock of what is plugged now (in this order: nothing is missed)."""
        try:
            self.backend.start(self._on_event)
        except errors.DeviceError as err:  # no udev here: said once, plainly
            self.last_error = err.technical
            log.warning("hotplug watching unavailable: %s", err.technical)
            self.set_state(HotplugState.UNAVAILABLE)
        except Exception as err:  # a hotplug failure must never stop the kiosk
            self.last_error = str(err)
            log.exception("hotplug watching unavailable")
            self.set_state(HotplugState.UNAVAILABLE)
        else:
            self.set_state(HotplugState.WATCHING)
        self._rescan()

    def stop(self) -> None:
        self.backend.stop()
        self.set_state(HotplugState.STOPPED)

    def _on_event(self) -> None:
        """Observer thread: only schedule a debounced rescan (a burst gives one rescan)."""
        with self._gen_lock:
            self._generation += 1
            generation = self._generation
        self._schedule(lambda: self._rescan_if_latest(generation), self.debounce_s)

    def _rescan_if_latest(self, generation: int) -> None:
        if generation == self._generation:
            self._rescan()

    def _rescan(self) -> None:
        """Main loop: compare what is plugged with what was; tell listeners of each change."""
        self.rescans += 1
        try:
            found = {d.key: d for d in self.backend.scan()}
        except Exception as err:  # udev hiccups must not reach the UI loop
            self.last_error = str(err)
            log.exception("hotplug rescan failed")
            return
        removed = [d for k, d in self._present.items() if k not in found]
        added = [d for k, d in found.items() if k not in self._present]
        self._present = found
        for device, is_added in [(d, False) for d in removed] + [(d, True) for d in added]:
            log.info("%s %s: %s", "plugged" if is_added else "unplugged", device.kind.value,
                     device.label or device.key)
            for listener in list(self._change_listeners):
                try:
                    listener(device.kind, is_added, device)
                except Exception:
                    log.exception("hotplug listener failed")

    def plugged(self, kind: DeviceKind | None = None) -> list[PluggedDevice]:
        return [d for d in self._present.values() if kind is None or d.kind is kind]
