"""USB devices in a umockdev testbed, shaped like what the kernel and udev report for real ones.

The test process must run under `umockdev-wrapper` (LD_PRELOAD=libumockdev-preload.so) so that
libudev, and therefore pyudev, sees the testbed's /sys and its uevents instead of the host's.

Class codes follow the hardware: the USB *device* class is 00 ("defined per interface") for
printers, scanners, card readers and keys alike; the kind is in the interface class:
printer 07, scanner ff (vendor) or 06 (still image), CCID reader 0b, mass storage 08.
The udev properties (ID_USB_INTERFACES ":070102:", ID_BUS, ID_VENDOR_ID...) are what
udev's builtins would add, so code may rely on either the sysfs attributes or the properties.
"""
from __future__ import annotations

import gc
import itertools
import os
import string
from pathlib import Path
from typing import Any

PRELOAD_LIBRARY = "libumockdev-preload"

_ports = itertools.count(1)
_disk_letters = itertools.cycle(string.ascii_lowercase[1:])  # sdb, sdc, ... (sda is "internal")


def under_umockdev_wrapper() -> bool:
    return PRELOAD_LIBRARY in os.environ.get("LD_PRELOAD", "")


# Every testbed made here stays alive until release_testbeds(): a Testbed's finalizer UNSETS
# UMOCKDEV_DIR, so a previous test's testbed collected by the GC in the middle of a later test
# would silently point libudev back at the host's /sys.
_live_testbeds: list[Any] = []


def new_testbed() -> Any:
    """A fresh UMockdev.Testbed, now the one libudev sees (gi is imported only here)."""
    import gi

    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev

    gc.collect()  # finalize stray testbeds made outside this module BEFORE the new one
    testbed = UMockdev.Testbed.new()
    _live_testbeds.append(testbed)
    return testbed


def release_testbeds() -> None:
    """End of the run: let every testbed go (their /tmp/umockdev.* dirs are removed)."""
    _live_testbeds.clear()
    gc.collect()


def _flat(pairs: dict[str, str]) -> list[str]:
    return [item for kv in pairs.items() for item in kv]


def _add_usb(
    testbed: Any, *, vendor_id: str, product_id: str, vendor: str, model: str, serial: str,
    interface: tuple[str, str, str], driver: str | None,
    extra_properties: dict[str, str] | None = None,
) -> tuple[str, str, int]:
    """Add a USB device with one interface; return (device syspath, interface syspath, port)."""
    port = next(_ports)
    devnum = port + 1
    name = f"1-{port}"
    cls, sub, proto = interface
    usb_interfaces = f":{cls}{sub}{proto}:"
    common = {
        "ID_BUS": "usb", "ID_VENDOR": vendor.replace(" ", "_"), "ID_VENDOR_ID": vendor_id,
        "ID_MODEL": model.replace(" ", "_"), "ID_MODEL_ID": product_id,
        "ID_SERIAL": f"{vendor}_{model}_{serial}".replace(" ", "_"), "ID_SERIAL_SHORT": serial,
        "ID_REVISION": "0100", "ID_USB_INTERFACES": usb_interfaces,
        **(extra_properties or {}),
    }
    device = testbed.add_device(
        "usb", f"usb1/{name}", None,
        _flat({
            "idVendor": vendor_id, "idProduct": product_id, "bcdDevice": "0100",
            "bDeviceClass": "00", "bDeviceSubClass": "00", "bDeviceProtocol": "00",
            "bNumInterfaces": " 1", "bConfigurationValue": "1", "manufacturer": vendor,
            "product": model, "serial": serial, "busnum": "1", "devnum": str(devnum),
            "speed": "480", "removable": "removable",
        }),
        _flat({
            "DEVTYPE": "usb_device", "DRIVER": "usb", "DEVNAME": f"/dev/bus/usb/001/{devnum:03d}",
            "PRODUCT": f"{int(vendor_id, 16):x}/{int(product_id, 16):x}/100", "TYPE": "0/0/0",
            "BUSNUM": "001", "DEVNUM": f"{devnum:03d}", **common,
        }),
    )
    iface_props = {
        "DEVTYPE": "usb_interface",
        "INTERFACE": f"{int(cls, 16)}/{int(sub, 16)}/{int(proto, 16)}",
        "PRODUCT": f"{int(vendor_id, 16):x}/{int(product_id, 16):x}/100", "TYPE": "0/0/0",
        "MODALIAS": f"usb:v{vendor_id.upper()}p{product_id.upper()}d0100dc00dsc00dp00"
                    f"ic{cls.upper()}isc{sub.upper()}ip{proto.upper()}in00",
        **common,
    }
    if driver:
        iface_props["DRIVER"] = driver
    iface = testbed.add_device(
        "usb", f"{name}:1.0", device,
        _flat({"bInterfaceClass": cls, "bInterfaceSubClass": sub, "bInterfaceProtocol": proto,
               "bInterfaceNumber": "00", "bAlternateSetting": " 0", "bNumEndpoints": "02"}),
        _flat(iface_props),
    )
    return device, iface, port


def add_usb_printer(testbed: Any, *, vendor: str = "HP", model: str = "LaserJet P1102",
                    vendor_id: str = "03f0", product_id: str = "002a",
                    serial: str = "KIOSKPRN0001") -> str:
    """A USB printer (interface class 07, bidirectional); returns the USB device syspath."""
    device, _, _ = _add_usb(testbed, vendor_id=vendor_id, product_id=product_id, vendor=vendor,
                            model=model, serial=serial, interface=("07", "01", "02"),
                            driver="usblp")
    return device


def add_usb_scanner(testbed: Any, *, vendor: str = "Canon", model: str = "CanoScan LiDE 300",
                    vendor_id: str = "04a9", product_id: str = "1913",
                    serial: str = "KIOSKSCN0001", interface_class: str = "ff") -> str:
    """A USB scanner (interface class ff vendor-specific, or "06" still image).

    libsane_matched=yes is what SANE's udev rules set on a scanner they recognise.
    """
    device, _, _ = _add_usb(testbed, vendor_id=vendor_id, product_id=product_id, vendor=vendor,
                            model=model, serial=serial,
                            interface=(interface_class, "ff" if interface_class == "ff" else "01",
                                       "ff" if interface_class == "ff" else "01"),
                            driver=None, extra_properties={"libsane_matched": "yes"})
    return device


def add_usb_ccid_reader(testbed: Any, *, vendor: str = "Identiv",
                        model: str = "uTrust 3700 F CL Reader", vendor_id: str = "04e6",
                        product_id: str = "5790", serial: str = "KIOSKRDR0001") -> str:
    """A CCID smart-card / badge reader (interface class 0b)."""
    device, _, _ = _add_usb(testbed, vendor_id=vendor_id, product_id=product_id, vendor=vendor,
                            model=model, serial=serial, interface=("0b", "00", "00"),
                            driver=None, extra_properties={"ID_SMARTCARD_READER": "1"})
    return device


def add_usb_storage(testbed: Any, *, vendor: str = "SanDisk", model: str = "Cruzer Blade",
                    vendor_id: str = "0781", product_id: str = "5567",
                    serial: str = "KIOSKKEY0001", fs_type: str = "vfat",
                    size_sectors: int = 31266816) -> str:
    """A USB key: mass storage interface (08/06/50) + block disk sdX (ID_BUS=usb) + sdX1.

    Returns the USB device syspath; block_devices(testbed, syspath) finds the disk.
    """
    device, iface, port = _add_usb(testbed, vendor_id=vendor_id, product_id=product_id,
                                   vendor=vendor, model=model, serial=serial,
                                   interface=("08", "06", "50"), driver="usb-storage")
    letter = next(_disk_letters)
    disk_props = {
        "ID_BUS": "usb", "ID_TYPE": "disk", "ID_USB_DRIVER": "usb-storage",
        "ID_VENDOR": vendor.replace(" ", "_"), "ID_MODEL": model.replace(" ", "_"),
        "ID_VENDOR_ID": vendor_id, "ID_MODEL_ID": product_id, "ID_SERIAL_SHORT": serial,
        "ID_SERIAL": f"{vendor}_{model}_{serial}-0:0".replace(" ", "_"),
        "ID_PATH": f"pci-0000:00:14.0-usb-0:{port}:1.0-scsi-0:0:0:0",
    }
    disk = testbed.add_device(
        "block", f"host{port}/target{port}:0:0/{port}:0:0:0/block/sd{letter}", iface,
        _flat({"size": str(size_sectors), "removable": "1", "ro": "0"}),
        _flat({"DEVTYPE": "disk", "DEVNAME": f"/dev/sd{letter}", **disk_props}),
    )
    testbed.add_device(
        "block", f"sd{letter}1", disk,
        _flat({"size": str(size_sectors - 2048), "partition": "1", "start": "2048", "ro": "0"}),
        _flat({"DEVTYPE": "partition", "DEVNAME": f"/dev/sd{letter}1", "ID_FS_TYPE": fs_type,
               "ID_FS_USAGE": "filesystem", "ID_FS_LABEL": "CLE_USB", "PARTN": "1",
               **disk_props}),
    )
    return device


def _sysfs_children(testbed: Any, syspath: str) -> list[str]:
    """Syspaths of the devices below `syspath` in the testbed, deepest first."""
    root = Path(testbed.get_root_dir())
    top = root / syspath.lstrip("/")
    found = [p for p in top.rglob("uevent") if p.parent != top and not p.parent.is_symlink()]
    children = ["/" + str(p.parent.relative_to(root)) for p in found]
    return sorted(children, key=lambda s: s.count("/"), reverse=True)


def block_devices(testbed: Any, syspath: str) -> list[str]:
    """The block devices (disk first, then partitions) under a USB device."""
    blocks = [c for c in _sysfs_children(testbed, syspath) if "/block/" in c]
    return sorted(blocks, key=lambda s: s.count("/"))


def remove_device(testbed: Any, syspath: str) -> None:
    """Unplug: "remove" uevents children first (as the kernel does), then drop it from /sys."""
    for child in _sysfs_children(testbed, syspath):
        testbed.uevent(child, "remove")
    testbed.uevent(syspath, "remove")
    testbed.remove_device(syspath)
