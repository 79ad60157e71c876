"""USB keys: refused with a plain message (default) or offered to save the resident's scans.

Setting ``devices.usb_storage``: "refuse" or "offer". The state tells the screens what to say;
saving itself goes through the desktop's automounter (udisks) and is not done here.
"""
from __future__ import annotations

from enum import Enum

from kiosk.devices.base import StatefulDevice
from kiosk.devices.hotplug import DeviceKind, PluggedDevice
from kiosk.i18n import N_, _


class StorageState(str, Enum):
    NONE = "none"          # no USB key
    REFUSED = "refused"    # a key is plugged in and the kiosk does not use it
    OFFERED = "offered"    # a key is plugged in and may receive the resident's own scans


class StoragePolicy(str, Enum):
    REFUSE = "refuse"
    OFFER = "offer"


STATE_MESSAGES: dict[StorageState, str] = {
    StorageState.NONE: "",
    StorageState.REFUSED: N_("Les clés USB ne sont pas acceptées sur cette borne. "
                             "Retirez-la, s'il vous plaît."),
    StorageState.OFFERED: N_("Clé USB détectée : vous pouvez y enregistrer vos documents "
                             "numérisés. Pensez à la reprendre en partant."),
}


class UsbStorage(StatefulDevice[StorageState]):
    def __init__(self, policy: StoragePolicy) -> None:
        super().__init__(StorageState.NONE)
        self.policy = policy
        self.keys: dict[str, PluggedDevice] = {}

    def on_change(self, kind: DeviceKind, added: bool, device: PluggedDevice) -> None:
        if kind is not DeviceKind.STORAGE:
            return
        if added:
            self.keys[device.key] = device
        else:
            self.keys.pop(device.key, None)
        if not self.keys:
            self.set_state(StorageState.NONE)
        elif self.policy is StoragePolicy.OFFER:
            self.set_state(StorageState.OFFERED)
        else:
            self.set_state(StorageState.REFUSED)

    def message(self) -> str:
        text = STATE_MESSAGES[self.state]
        return _(text) if text else ""
