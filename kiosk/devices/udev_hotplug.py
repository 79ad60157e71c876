"""Hotplug backend through udev (pyudev). ``pyudev`` is imported here only, lazily.

A device's kind comes from its USB class codes: 07 printer, 06 still image (scanner; vendor
class ff counts only when libsane's udev rules tagged it), 0b smart card reader (CCID; or any
device udev tags ``ID_SMARTCARD_READER``), 08 mass storage (unless the device is a printer or
scanner: a card slot); USB keys are also seen as ``block`` disks with ``ID_BUS=usb``. One
``MonitorObserver`` watches both subsystems; its callback only calls ``on_event`` (which
schedules a debounced rescan on the main loop) and never touches anything else.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from kiosk.devices import errors
from kiosk.devices.hotplug import DeviceKind, PluggedDevice

log = logging.getLogger(__name__)

# USB class code (bDeviceClass / bInterfaceClass, hex) -> kind.
USB_CLASSES: dict[str, DeviceKind] = {
    "07": DeviceKind.PRINTER,
    "06": DeviceKind.SCANNER,
    "0b": DeviceKind.READER,
    "08": DeviceKind.STORAGE,
}
VENDOR_CLASS = "ff"


def _attr(device: Any, name: str) -> str:
    try:
        value = device.attributes.get(name)
    except (KeyError, AttributeError, OSError):
        return ""
    if value is None:
        return ""
    return (value.decode(errors="replace") if isinstance(value, bytes) else str(value)).strip()


def _interface_classes(device: Any) -> set[str]:
    """Class codes of a usb_device: its own, ID_USB_INTERFACES (":070104:0b0000:"), children."""
    classes = {_attr(device, "bDeviceClass").lower()}
    for chunk in (device.properties.get("ID_USB_INTERFACES") or "").split(":"):
        if len(chunk) >= 2:
            classes.add(chunk[:2].lower())
    for child in device.children:
        if child.properties.get("DEVTYPE") == "usb_interface":
            classes.add(_attr(child, "bInterfaceClass").lower())
    classes.discard("")
    classes.discard("00")  # "defined at interface level"
    return classes


def classify(device: Any) -> list[DeviceKind]:
    """The kinds a usb_device is (a multifunction printer is both printer and scanner)."""
    classes = _interface_classes(device)
    kinds = [USB_CLASSES[c] for c in sorted(classes) if c in USB_CLASSES]
    if VENDOR_CLASS in classes and device.properties.get("libsane_matched") == "yes" \
            and DeviceKind.SCANNER not in kinds:
        kinds.append(DeviceKind.SCANNER)
    # Readers with a vendor class (ACR122U...) are tagged by systemd's smart card rules.
    if device.properties.get("ID_SMARTCARD_READER") == "1" and DeviceKind.READER not in kinds:
        kinds.append(DeviceKind.READER)
    if DeviceKind.STORAGE in kinds and (DeviceKind.PRINTER in kinds or
                                        DeviceKind.SCANNER in kinds):
        # A multifunction printer's memory-card slot is not a resident's USB key.
        kinds.remove(DeviceKind.STORAGE)
    return kinds


def _label(device: Any) -> str:
    vendor = device.properties.get("ID_VENDOR_FROM_DATABASE") or _attr(device, "manufacturer") \
        or device.properties.get("ID_VENDOR", "")
    model = device.properties.get("ID_MODEL_FROM_DATABASE") or _attr(device, "product") \
        or device.properties.get("ID_MODEL", "")
    return " ".join(part for part in (vendor, model) if part)


def devices_from(usb_devices: Iterable[Any], block_disks: Iterable[Any]) -> list[PluggedDevice]:
    found: dict[str, PluggedDevice] = {}
    not_keys: set[str] = set()  # printers/scanners whose card slot shows up as a disk
    for device in usb_devices:
        kinds = classify(device)
        if DeviceKind.PRINTER in kinds or DeviceKind.SCANNER in kinds:
            not_keys.add(device.sys_path)
        for kind in kinds:
            key = f"{device.sys_path}#{kind.value}"
            found[key] = PluggedDevice(kind, key, _label(device))
    for disk in block_disks:
        if disk.properties.get("ID_BUS") != "usb":
            continue
        parent = disk.find_parent("usb", "usb_device")
        if parent is not None and parent.sys_path in not_keys:
            continue
        key = f"{parent.sys_path if parent is not None else disk.sys_path}#storage"
        nodes = tuple(n for n in [disk.device_node, *(c.device_node for c in disk.children
                                                      if c.device_type == "partition")] if n)
        label = found[key].label if key in found else _label(disk)
        found[key] = PluggedDevice(DeviceKind.STORAGE, key, label, nodes)
    return list(found.values())


class UdevHotplug:
    name = "udev"

    def __init__(self) -> None:
        try:
            import pyudev
        except ImportError as err:
            raise errors.DeviceAbsent("pyudev is not installed") from err
        self._pyudev: Any = pyudev
        try:
            self._context = pyudev.Context()
        except Exception as err:  # pyudev raises ImportError/OSError when libudev is missing
            raise errors.DeviceAbsent(f"udev unavailable: {err}") from err
        self._observer: Any = None

    def scan(self) -> list[PluggedDevice]:
        ctx = self._context
        usb = ctx.list_devices(subsystem="usb", DEVTYPE="usb_device")
        disks = ctx.list_devices(subsystem="block", DEVTYPE="disk")
        return devices_from(list(usb), list(disks))

    def start(self, on_event: Callable[[], None]) -> None:
        pyudev = self._pyudev
        monitor = pyudev.Monitor.from_netlink(self._context)
        monitor.filter_by("usb")
        monitor.filter_by("block")
        # Receive from now on: the observer thread would only start receiving once scheduled,
        # and a device plugged in between would be missed.
        monitor.start()

        def callback(device: Any) -> None:
            on_event()  # nothing else on this thread

        self._observer = pyudev.MonitorObserver(monitor, callback=callback, name="udev-hotplug")
        self._observer.daemon = True
        self._observer.start()

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.send_stop()
            self._observer = None
