"""Hotplug without udev: devices are plugged and unplugged by calls (demo, tests)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.devices.hotplug import DeviceKind, PluggedDevice


class DemoHotplug:
    name = "demo"

    def __init__(self, initial: list[PluggedDevice] | None = None) -> None:
        self._devices: dict[str, PluggedDevice] = {d.key: d for d in initial or []}
        self._on_event: Callable[[], None] | None = None
        self._lock = threading.Lock()

    def scan(self) -> list[PluggedDevice]:
        with self._lock:
            return list(self._devices.values())

    def start(self, on_event: Callable[[], None]) -> None:
        self._on_event = on_event

    def stop(self) -> None:
        self._on_event = None

    def plug(self, kind: DeviceKind, key: str, label: str = "",
             nodes: tuple[str, ...] = ()) -> PluggedDevice:
        device = PluggedDevice(kind, key, label or f"{kind.value} de démonstration", nodes)
        with self._lock:
            self._devices[key] = device
        if self._on_event:
            self._on_event()
        return device

    def unplug(self, key: str) -> None:
        with self._lock:
            self._devices.pop(key, None)
        if self._on_event:
            self._on_event()
