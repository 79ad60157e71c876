"""A kiosk's devices in their own process, opened from the KIOSK_* settings of its environment
(as `kiosk run` opens them), for the tests of stacks that are missing at start: prints the
states and backends as one JSON line, then again after each "reprobe" line on stdin (what the
kiosk's timer and hotplug do), and "print" prints a page on the printer's queue."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from PIL import Image

from kiosk.devices import open_devices
from kiosk.devices.printer import PrintOptions
from kiosk.devices.scheduling import QueueScheduler
from kiosk.media.pdf import images_to_pdf
from kiosk_wire import config


def report(devices, **extra) -> None:  # type: ignore[no-untyped-def]
    print(json.dumps({"states": devices.states(), "backends": devices.backends(),
                      "errors": {"printer": devices.printer.last_error,
                                 "scanner": devices.scanner.last_error,
                                 "reader": devices.reader.last_error}, **extra}), flush=True)


def main() -> None:
    scheduler = QueueScheduler()
    devices = open_devices(config.load(), scheduler)
    scheduler.run_due()
    report(devices)
    for line in sys.stdin:
        command = line.strip()
        if command == "reprobe":
            devices.reprobe()
            scheduler.run_due()
            report(devices)
        elif command == "print":
            pdf = images_to_pdf([Image.new("L", (620, 877), 255)],
                                Path(tempfile.mkdtemp()) / "page.pdf", 75)
            job = devices.printer.submit(pdf, PrintOptions(), title="reprobe test")
            report(devices, job=job)
        elif command == "quit":
            break
    devices.close()


if __name__ == "__main__":
    main()
