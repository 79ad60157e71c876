"""USB keys: refused with a plain message (default) or offered to save the resident's scans.

Setting ``devices.usb_storage``: "refuse" or "offer". The state tells the screens what to say.
The kiosk never mounts anything itself (it does not run as root): with "offer", the system's
automounter (udisks2) mounts the key and :meth:`UsbStorage.save` copies a file onto it.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from enum import Enum
from pathlib import Path

from kiosk.devices import errors
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

    def mount_points(self, mounts: str | None = None) -> list[Path]:
        """Where the plugged keys are mounted (from /proc/mounts), writable ones only."""
        if mounts is None:
            try:
                mounts = Path("/proc/mounts").read_text()
            except OSError:
                return []
        nodes = {n for key in self.keys.values() for n in key.nodes}
        found = []
        for line in mounts.splitlines():
            fields = line.split()
            if len(fields) >= 4 and fields[0] in nodes and "rw" in fields[3].split(","):
                # /proc/mounts escapes spaces in paths as \040
                found.append(Path(fields[1].replace("\\040", " ")))
        return found

    def save(self, source: Path, mount_point: Path, when: dt.datetime | None = None) -> Path:
        """Copy one of the resident's files onto the key; never overwrites."""
        if self.policy is not StoragePolicy.OFFER:
            raise errors.UnsupportedOption("USB storage refused by devices.usb_storage",
                                           STATE_MESSAGES[StorageState.REFUSED])
        stamp = (when or dt.datetime.now()).strftime("%Y-%m-%d_%H-%M-%S")
        target = mount_point / f"document_{stamp}{source.suffix}"
        n = 1
        while target.exists():
            n += 1
            target = mount_point / f"document_{stamp}_{n}{source.suffix}"
        try:
            shutil.copyfile(source, target)
            # on the key itself, not in a cache: "enregistré" is said once it can be pulled out
            with target.open("rb+") as written:
                os.fsync(written.fileno())
        except OSError as err:
            raise errors.DeviceError(f"copy to {mount_point}: {err}", N_(
                "Impossible d'enregistrer sur la clé USB : elle est peut-être pleine "
                "ou protégée.")) from err
        return target
