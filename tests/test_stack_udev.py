"""Smoke test: pyudev sees USB devices added to and removed from a umockdev testbed."""
from __future__ import annotations

import pytest
from harness import udev

pytestmark = pytest.mark.udev

pyudev = pytest.importorskip("pyudev", reason="pyudev not installed (extra `hardware`)")


def _events(monitor, count):
    events = []
    while len(events) < count:
        device = monitor.poll(timeout=10)
        if device is None:
            break
        events.append((device.action, device.sys_path))
    return events


def test_added_usb_printer_is_listed_with_its_printer_interface(umockdev_testbed):
    syspath = udev.add_usb_printer(umockdev_testbed)
    context = pyudev.Context()
    usb_devices = {d.sys_path: d for d in context.list_devices(subsystem="usb",
                                                               DEVTYPE="usb_device")}
    assert syspath in usb_devices
    printer = usb_devices[syspath]
    assert printer.properties.get("ID_USB_INTERFACES") == ":070102:"
    interfaces = [d for d in context.list_devices(subsystem="usb", DEVTYPE="usb_interface")
                  if d.parent is not None and d.parent.sys_path == syspath]
    assert [i.attributes.asstring("bInterfaceClass") for i in interfaces] == ["07"]


def test_monitor_sees_usb_key_plugged_and_unplugged(umockdev_testbed):
    context = pyudev.Context()
    monitor = pyudev.Monitor.from_netlink(context)
    monitor.filter_by("block")
    monitor.start()

    syspath = udev.add_usb_storage(umockdev_testbed)
    added = _events(monitor, 2)
    disk, partition = udev.block_devices(umockdev_testbed, syspath)
    assert added == [("add", disk), ("add", partition)]
    block = pyudev.Devices.from_sys_path(context, disk)
    assert block.properties.get("ID_BUS") == "usb" and block.device_type == "disk"
    assert block.device_node.startswith("/dev/sd")

    udev.remove_device(umockdev_testbed, syspath)
    assert _events(monitor, 2) == [("remove", partition), ("remove", disk)]
    assert not list(context.list_devices(subsystem="block", ID_BUS="usb"))


@pytest.mark.parametrize("add, interface_class", [
    (udev.add_usb_scanner, "ff"),
    (udev.add_usb_ccid_reader, "0b"),
    (udev.add_usb_printer, "07"),
])
def test_each_usb_kind_carries_its_interface_class(umockdev_testbed, add, interface_class):
    context = pyudev.Context()
    monitor = pyudev.Monitor.from_netlink(context)
    monitor.filter_by("usb", "usb_device")
    monitor.start()
    syspath = add(umockdev_testbed)
    assert _events(monitor, 1) == [("add", syspath)]
    device = pyudev.Devices.from_sys_path(context, syspath)
    assert device.properties.get("ID_USB_INTERFACES", "").startswith(f":{interface_class}")
    udev.remove_device(umockdev_testbed, syspath)
    assert _events(monitor, 1) == [("remove", syspath)]
