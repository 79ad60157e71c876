"""Each backend with the knobs its contract tests turn: the real stack or the demo device.

The same tests run against both (parametrized fixtures in the test modules): the demo backends
must behave as the real ones do.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.devices.demo_printer import DemoPrinter
from kiosk.devices.printer import Printer
from kiosk.media.pdf import count_pages

SPOOL_FILE = re.compile(r"^[cd]\d{5}(-\d{3})?$")


@dataclass
class PrinterRig:
    printer: Printer
    stop: Callable[[], None]
    start: Callable[[], None]
    reject: Callable[[], None]
    accept: Callable[[], None]
    spool_files: Callable[[], list[Path]]
    output_pages: Callable[[int], int]


def demo_printer_rig(directory: Path) -> PrinterRig:
    demo = DemoPrinter(directory, job_seconds=0.2)

    def set_enabled(value: bool) -> None:
        demo.enabled = value

    def set_accepting(value: bool) -> None:
        demo.accepting = value

    def output_pages(job_id: int) -> int:
        return count_pages(demo.output_for(job_id))

    return PrinterRig(Printer(demo), lambda: set_enabled(False), lambda: set_enabled(True),
                      lambda: set_accepting(False), lambda: set_accepting(True),
                      demo.spool_files, output_pages)


def cups_printer_rig(cups_server: Any, settings: Any) -> PrinterRig:
    from kiosk.devices import open_printer

    printer = open_printer(settings)
    assert printer.backend_name == "cups"

    def spool_files() -> list[Path]:
        return sorted(p for p in cups_server.spool_dir.iterdir() if SPOOL_FILE.match(p.name))

    def output_pages(job_id: int) -> int:
        return count_pages(cups_server.wait_for_pdf(job_id, timeout=60))

    return PrinterRig(printer, cups_server.disable_queue, cups_server.enable_queue,
                      cups_server.reject_jobs, cups_server.accept_jobs, spool_files,
                      output_pages)
