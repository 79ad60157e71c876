"""What the mediator panel shows of the kiosk's own health: each device's state and the link
to the central server. Plain values read from the parts; no Kivy, no device library."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.devices import Devices
    from kiosk.sync.outbox import SyncClient
    from kiosk_wire.config import Settings

DEVICE_KINDS = ("printer", "scanner", "reader", "hotplug")


class ServerState(str, Enum):
    """The link to the central server, as the mediator panel shows it."""

    LOCAL = "local"                  # no server configured: statistics stay on the kiosk
    NOT_STARTED = "not_started"      # configured, but the sync could not start
    CONNECTING = "connecting"        # started, no answer yet either way
    CONNECTED = "connected"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class DeviceLine:
    kind: str      # printer, scanner, reader, hotplug
    state: str     # the facade's state Enum value
    detail: str    # the facade's technical message, for the mediator


def device_lines(devices: Devices | None) -> list[DeviceLine]:
    if devices is None:
        return [DeviceLine(kind, "absent", "") for kind in DEVICE_KINDS]
    return [DeviceLine(kind, dev.state.value, dev.last_error or "")
            for kind, dev in (("printer", devices.printer), ("scanner", devices.scanner),
                              ("reader", devices.reader), ("hotplug", devices.hotplug))]


def server_state(settings: Settings, sync: SyncClient | None) -> ServerState:
    if not settings.get("sync.server_url"):
        return ServerState.LOCAL
    if sync is None:
        return ServerState.NOT_STARTED
    connected = sync.connected
    if connected is None:
        return ServerState.CONNECTING
    return ServerState.CONNECTED if connected else ServerState.UNREACHABLE
