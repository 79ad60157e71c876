"""Device checks for `kiosk doctor`, in plain words for an installer.

Each check imports its device library lazily (through the backend module) and never raises:
a missing library, daemon or device is a finding, not a crash.
"""
from __future__ import annotations

import os
from pathlib import Path

from kiosk_wire.config import Settings
from kiosk.devices import errors
from kiosk.doctor import Finding, Status


def check_printer(settings: Settings) -> Finding:
    if settings.get("devices.printer_backend") == "demo":
        return Finding("printer", Status.WARN, "demo printer: PDFs go to a folder, nothing prints")
    try:
        from kiosk.devices.cups_printer import CupsPrinter
        printer = CupsPrinter(settings.get("devices.printer_queue"),
                              settings.get("devices.cups_server"))
        state = printer.query_state()
        caps = printer.capabilities()
        queue = printer.queue
        printer.close()
    except errors.DeviceError as err:
        return Finding("printer", Status.FAIL, f"CUPS: {err.technical}")
    extras = ", ".join(x for x in ("colour" if caps.colour else "mono",
                                   "duplex" if caps.duplex else "simplex"))
    status = Status.OK if state.value in ("ready", "printing") else Status.WARN
    return Finding("printer", status, f"CUPS queue {queue!r} is {state.value} ({extras})")


def check_cups_privacy(settings: Settings) -> Finding:
    """The system cupsd keeps no job files nor history (deploy/cups/cupsd-kiosk.conf)."""
    if settings.get("devices.printer_backend") == "demo" or settings.get("devices.cups_server"):
        return Finding("print privacy", Status.OK, "not checked (demo printer or remote CUPS)")
    return privacy_finding(SYSTEM_CUPSD_CONF)


SYSTEM_CUPSD_CONF = Path("/etc/cups/cupsd.conf")


def privacy_finding(conf: Path) -> Finding:
    try:
        text = conf.read_text()
    except OSError as err:
        return Finding("print privacy", Status.WARN, f"cannot read {conf}: {err.strerror}")
    words = {tuple(line.split()[:2]) for line in text.splitlines() if line.strip()}
    missing = [d for d in ("PreserveJobFiles", "PreserveJobHistory") if (d, "No") not in words]
    if missing:
        return Finding("print privacy", Status.WARN,
                       f"{conf} lacks {' and '.join(f'{m} No' for m in missing)}: CUPS keeps "
                       "printed documents; see deploy/cups/README.md")
    return Finding("print privacy", Status.OK, "CUPS keeps no job files nor job history")


def check_scanner(settings: Settings) -> Finding:
    if settings.get("devices.scanner_backend") == "demo":
        return Finding("scanner", Status.WARN, "demo scanner: sample pages instead of scans")
    try:
        from kiosk.devices.sane_scanner import SaneScanner
        scanner = SaneScanner(settings.get("devices.scanner_device"))
        info = scanner.info()
        scanner.close()
    except errors.DeviceError as err:
        return Finding("scanner", Status.FAIL, f"SANE: {err.technical}")
    return Finding("scanner", Status.OK,
                   f"SANE {info.device} ({info.model}): {', '.join(m.value for m in info.modes)}, "
                   f"{info.min_dpi}-{info.max_dpi} dpi, "
                   f"{', '.join(s.value for s in info.sources)}")


def check_reader(settings: Settings) -> Finding:
    if settings.get("devices.reader_backend") == "demo":
        return Finding("badge reader", Status.WARN, "demo badge reader: only the demo badge")
    try:
        from kiosk.devices.pcsc_reader import PcscReader
        names = PcscReader().readers()
    except errors.DeviceError as err:
        return Finding("badge reader", Status.FAIL, f"PC/SC: {err.technical} (is pcscd running?)")
    if not names:
        return Finding("badge reader", Status.WARN, "pcscd runs but no reader is plugged in")
    return Finding("badge reader", Status.OK, f"PC/SC reader(s): {', '.join(names)}")


def check_udev(settings: Settings) -> Finding:
    if settings.get("devices.hotplug_backend") == "demo":
        return Finding("hotplug", Status.WARN, "demo hotplug: plugging devices is not noticed")
    try:
        from kiosk.devices.udev_hotplug import UdevHotplug
        plugged = UdevHotplug().scan()
    except errors.DeviceError as err:
        return Finding("hotplug", Status.FAIL, f"udev: {err.technical}")
    if not os.path.exists("/run/udev/control"):
        return Finding("hotplug", Status.WARN,
                       "udev daemon not running: plugging devices will not be noticed")
    kinds = ", ".join(sorted({d.kind.value for d in plugged})) or "no USB device of interest"
    return Finding("hotplug", Status.OK, f"udev watching; plugged now: {kinds}")


CHECKS = [check_printer, check_cups_privacy, check_scanner, check_reader, check_udev]
