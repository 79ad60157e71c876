"""Wiring of the print and scan services for the app, in the order crash recovery needs.

    devices = open_devices(settings, schedule)
    core = open_core(settings)
    services = open_services(settings, devices, core)   # registers the "print_job" disposer
    core.recover()                                       # so this purges leftover print jobs
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.config import Settings
from kiosk.devices import Devices
from kiosk.documents.printing import PrintService
from kiosk.documents.scanning import ScanService
from kiosk.sessions.core import SessionCore


@dataclass
class DocumentServices:
    printing: PrintService
    scanning: ScanService


def open_services(settings: Settings, devices: Devices, core: SessionCore) -> DocumentServices:
    return DocumentServices(
        printing=PrintService(devices.printer, core, settings.get("devices.print_quota_pages")),
        scanning=ScanService(devices.scanner, core, settings.get("devices.scan_dpi")),
    )
