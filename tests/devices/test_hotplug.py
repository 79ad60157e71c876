"""Hotplug contract, against udev in a umockdev testbed AND the demo hotplug backend.

Plugging/unplugging a printer, a scanner, a CCID reader or a USB key must reach the device
states (the ones the mediator panel and the heartbeat show), through ONE observer whose
events are coalesced into a debounced rescan on the (here: test's) main loop.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.devices import Devices, open_devices
from kiosk.devices.demo_hotplug import DemoHotplug
from kiosk.devices.hotplug import DeviceKind
from kiosk.devices.scheduling import QueueScheduler
from kiosk_wire import config

KINDS = [DeviceKind.PRINTER, DeviceKind.SCANNER, DeviceKind.READER, DeviceKind.STORAGE]

PLUGGED = {"printer": "ready", "scanner": "ready", "reader": "ready", "usb_storage": "refused"}
UNPLUGGED = {"printer": "offline", "scanner": "absent", "reader": "absent", "usb_storage": "none"}
STATE_KEY = {DeviceKind.PRINTER: "printer", DeviceKind.SCANNER: "scanner",
             DeviceKind.READER: "reader", DeviceKind.STORAGE: "usb_storage"}


@dataclass
class HotplugRig:
    backend: str
    plug: Callable[[DeviceKind], str]
    unplug: Callable[[str], None]
    prepare: Callable[[Devices], None]


def settings_for(tmp_path: Path, hotplug: str, **extra: Any) -> config.Settings:
    return config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "devices.printer_backend": "demo",
        "devices.scanner_backend": "demo", "devices.reader_backend": "demo",
        "devices.hotplug_backend": hotplug, "devices.hotplug_debounce_ms": 100, **extra})


@pytest.fixture(params=["demo", pytest.param("udev", marks=pytest.mark.udev)])
def rig(request: pytest.FixtureRequest) -> Iterator[HotplugRig]:
    if request.param == "demo":
        holder: dict[str, DemoHotplug] = {}

        def prepare(devices: Devices) -> None:
            backend = devices.hotplug.backend
            assert isinstance(backend, DemoHotplug)
            holder["hotplug"] = backend

        def plug(kind: DeviceKind) -> str:
            return holder["hotplug"].plug(kind, f"/demo/{kind.value}").key

        yield HotplugRig("demo", plug, lambda key: holder["hotplug"].unplug(key), prepare)
        return
    from harness import udev

    testbed = request.getfixturevalue("umockdev_testbed")
    adders = {DeviceKind.PRINTER: udev.add_usb_printer, DeviceKind.SCANNER: udev.add_usb_scanner,
              DeviceKind.READER: udev.add_usb_ccid_reader, DeviceKind.STORAGE: udev.add_usb_storage}
    yield HotplugRig("udev", lambda kind: adders[kind](testbed),
                     lambda syspath: udev.remove_device(testbed, syspath), lambda devices: None)


@pytest.fixture
def make_devices(tmp_path: Path) -> Iterator[Callable[..., tuple[Devices, QueueScheduler]]]:
    opened: list[Devices] = []

    def make(hotplug: str, **extra: Any) -> tuple[Devices, QueueScheduler]:
        scheduler = QueueScheduler()
        devices = open_devices(settings_for(tmp_path, hotplug, **extra), scheduler)
        opened.append(devices)
        return devices, scheduler

    yield make
    for devices in opened:
        devices.close()


@pytest.mark.parametrize("kind", KINDS, ids=[k.value for k in KINDS])
def test_plugging_and_unplugging_reach_the_device_states(rig, make_devices, kind):
    devices, scheduler = make_devices(rig.backend)
    rig.prepare(devices)
    assert devices.hotplug.backend_name == rig.backend
    assert devices.hotplug.state.value == "watching"
    key = STATE_KEY[kind]

    ref = rig.plug(kind)
    assert scheduler.run_until(lambda: bool(devices.hotplug.plugged(kind))
                               and devices.states()[key] == PLUGGED[key], 10), devices.states()

    rig.unplug(ref)
    assert scheduler.run_until(lambda: devices.states()[key] == UNPLUGGED[key], 10), \
        devices.states()
    assert not devices.hotplug.plugged(kind)

    rig.plug(kind)  # and back
    assert scheduler.run_until(lambda: devices.states()[key] == PLUGGED[key], 10), \
        devices.states()


def test_usb_key_is_offered_when_the_setting_says_so(rig, make_devices):
    devices, scheduler = make_devices(rig.backend, **{"devices.usb_storage": "offer"})
    rig.prepare(devices)
    rig.plug(DeviceKind.STORAGE)
    assert scheduler.run_until(lambda: devices.usb_storage.state.value == "offered", 10)
    assert devices.usb_storage.message().startswith("Clé USB détectée")


def test_refused_usb_key_gets_a_plain_message(rig, make_devices):
    devices, scheduler = make_devices(rig.backend)
    rig.prepare(devices)
    rig.plug(DeviceKind.STORAGE)
    assert scheduler.run_until(lambda: devices.usb_storage.state.value == "refused", 10)
    assert devices.usb_storage.message() == ("Les clés USB ne sont pas acceptées sur cette borne. "
                                         "Retirez-la, s'il vous plaît.")


def test_a_burst_of_events_gives_one_rescan(rig, make_devices):
    devices, scheduler = make_devices(rig.backend, **{"devices.hotplug_debounce_ms": 1000})
    rig.prepare(devices)
    before = devices.hotplug.rescans
    for kind in KINDS:  # four devices, many uevents, plugged at once
        rig.plug(kind)
    assert scheduler.run_until(lambda: len(devices.hotplug.plugged()) == 4, 15)
    assert devices.hotplug.rescans - before < len(KINDS)


def test_observer_thread_never_runs_listeners_itself(rig, make_devices):
    import threading

    devices, scheduler = make_devices(rig.backend)
    rig.prepare(devices)
    threads: list[str] = []
    devices.hotplug.add_change_listener(lambda *a: threads.append(threading.current_thread().name))
    rig.plug(DeviceKind.PRINTER)
    assert scheduler.run_until(lambda: bool(threads), 10)
    assert set(threads) == {threading.current_thread().name}


def test_offered_usb_key_receives_the_residents_scan(rig, make_devices, tmp_path):
    devices, scheduler = make_devices(rig.backend, **{"devices.usb_storage": "offer"})
    rig.prepare(devices)
    rig.plug(DeviceKind.STORAGE)
    assert scheduler.run_until(lambda: devices.usb_storage.state.value == "offered", 10)
    (key,) = devices.usb_storage.keys.values()
    if rig.backend == "udev":
        assert key.nodes and key.nodes[0].startswith("/dev/sd")
    node = key.nodes[-1] if key.nodes else "/dev/sdz1"
    if not key.nodes:  # the demo key has no block device: give it one
        from dataclasses import replace
        devices.usb_storage.keys[key.key] = replace(key, nodes=(node,))
    mount = tmp_path / "CLE USB"
    mount.mkdir()
    mounts = f"/dev/sda1 / ext4 rw 0 0\n{node} {str(mount).replace(' ', chr(92) + '040')} " \
             "vfat rw,nosuid 0 0\n"
    assert devices.usb_storage.mount_points(mounts) == [mount]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 resident's scan")
    saved = devices.usb_storage.save(scan, mount)
    assert saved.parent == mount and saved.read_bytes() == scan.read_bytes()
    assert devices.usb_storage.save(scan, mount) != saved  # never overwrites


def test_refused_usb_key_is_never_written(rig, make_devices, tmp_path):
    from kiosk.devices import errors

    devices, scheduler = make_devices(rig.backend)
    rig.prepare(devices)
    rig.plug(DeviceKind.STORAGE)
    assert scheduler.run_until(lambda: devices.usb_storage.state.value == "refused", 10)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4")
    with pytest.raises(errors.UnsupportedOption) as err:
        devices.usb_storage.save(scan, tmp_path)
    assert err.value.shown().startswith("Les clés USB ne sont pas acceptées")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "scan.pdf"]


@pytest.mark.sane
def test_auto_scanner_switches_from_demo_to_sane_when_a_scanner_is_plugged(
        tmp_path, sane_config):
    from kiosk.devices.demo_hotplug import DemoHotplug as Demo

    scheduler = QueueScheduler()
    devices = open_devices(settings_for(tmp_path, "demo", **{
        "devices.scanner_backend": "auto", "devices.scanner_device": "test:1"}), scheduler)
    try:
        hotplug = devices.hotplug.backend
        assert isinstance(hotplug, Demo)
        # SANE sees test:1 from the start here; make the kiosk start on the demo as a kiosk
        # booted without its scanner would.
        from kiosk.devices.demo_scanner import DemoScanner
        devices.scanner.backend.close()
        devices.scanner.backend = DemoScanner()
        hotplug.plug(DeviceKind.SCANNER, "/demo/scanner")
        assert scheduler.run_until(lambda: devices.scanner.backend_name == "sane", 10)
        assert devices.scanner.state.value == "ready"
    finally:
        devices.close()


@pytest.mark.udev
def test_multifunction_printer_card_slot_is_not_taken_for_a_usb_key(umockdev_testbed,
                                                                    make_devices):
    from harness import udev

    devices, scheduler = make_devices("udev")
    syspath = udev.add_usb_printer(umockdev_testbed)
    name = syspath.rsplit("/", 1)[1]
    # Its second interface: a memory-card reader (mass storage 08), as on many MFPs.
    umockdev_testbed.add_device(
        "usb", f"{name}:1.1", syspath,
        ["bInterfaceClass", "08", "bInterfaceSubClass", "06", "bInterfaceProtocol", "50",
         "bInterfaceNumber", "01"],
        ["DEVTYPE", "usb_interface", "INTERFACE", "8/6/80", "DRIVER", "usb-storage"])
    assert scheduler.run_until(lambda: bool(devices.hotplug.plugged(DeviceKind.PRINTER)), 10)
    scheduler.run_until(lambda: False, 0.5)  # let any late event be handled too
    assert devices.hotplug.plugged(DeviceKind.STORAGE) == []
    assert devices.usb_storage.state.value == "none"


@pytest.mark.udev
def test_vendor_class_reader_tagged_by_udev_counts_as_a_badge_reader(umockdev_testbed,
                                                                     make_devices):
    from harness import udev

    devices, scheduler = make_devices("udev")
    # An ACR122U-like reader: vendor class ff, recognised by udev's smart card rules.
    udev._add_usb(umockdev_testbed, vendor_id="072f", product_id="2200", vendor="ACS",
                  model="ACR122U", serial="KIOSKACR0001", interface=("ff", "00", "00"),
                  driver=None, extra_properties={"ID_SMARTCARD_READER": "1"})
    assert scheduler.run_until(lambda: bool(devices.hotplug.plugged(DeviceKind.READER)), 10)
    assert devices.hotplug.plugged(DeviceKind.SCANNER) == []
