"""Slow device calls run off the UI thread; results and faults come back on the main loop."""
from __future__ import annotations

import threading

from kiosk.devices import errors
from kiosk.devices.background import run_in_background
from kiosk.devices.demo_scanner import DemoScanner
from kiosk.devices.scanner import Scanner, ScanOptions
from kiosk.devices.scheduling import QueueScheduler


def test_scan_result_comes_back_on_the_main_loop():
    scheduler = QueueScheduler()
    scanner = Scanner(DemoScanner())
    got: list[tuple[str, object]] = []
    run_in_background(lambda: scanner.scan(ScanOptions(dpi=50)),
                      lambda image: got.append((threading.current_thread().name, image.size)),
                      lambda err: got.append(("error", err)), scheduler)
    assert scheduler.run_until(lambda: bool(got), 10)
    assert got == [(threading.current_thread().name, (413, 585))]


def test_scan_fault_comes_back_as_a_device_error_with_its_message():
    scheduler = QueueScheduler()
    demo = DemoScanner()
    demo.inject(errors.ScannerJam)
    scanner = Scanner(demo)
    faults: list[errors.DeviceError] = []
    run_in_background(lambda: scanner.scan(ScanOptions(dpi=50)), lambda image: None,
                      faults.append, scheduler)
    assert scheduler.run_until(lambda: bool(faults), 10)
    assert isinstance(faults[0], errors.ScannerJam)
    assert faults[0].shown() == "Le papier est coincé dans le scanner. Prévenez un médiateur."


def test_a_bug_in_the_call_still_reaches_the_screen_as_a_plain_fault():
    scheduler = QueueScheduler()
    faults: list[errors.DeviceError] = []
    run_in_background(lambda: 1 / 0, lambda result: None, faults.append, scheduler)
    assert scheduler.run_until(lambda: bool(faults), 10)
    assert faults[0].shown() == "L'appareil ne répond pas. Prévenez un médiateur."
    assert "ZeroDivisionError" in faults[0].technical
