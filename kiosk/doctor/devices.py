"""Device checks for `kiosk doctor`, in plain French for an installer.

Each check imports its device library lazily (through the backend module) and never raises:
a missing library, daemon or device is a finding, not a crash. The printer and the scanner are
required when their feature is on and they are not the demo ones; the badge reader (a PIN also
opens the mediator panel) and udev are not.
"""
from __future__ import annotations

import os
from pathlib import Path

from kiosk.devices import errors
from kiosk.devices.printer import PrinterState
from kiosk.doctor.findings import Check, Finding, Status
from kiosk_wire.config import Settings

SYSTEM_CUPSD_CONF = Path("/etc/cups/cupsd.conf")


def _required(settings: Settings, kind: str, feature: str) -> bool:
    return bool(settings.get(f"kiosk.{feature}_enabled")) and \
        settings.get(f"devices.{kind}_backend") != "demo"


def check_printer(settings: Settings) -> Finding:
    required = _required(settings, "printer", "print")
    if settings.get("devices.printer_backend") == "demo":
        return Finding("printer", "imprimante", Status.WARN,
                       "imprimante de démonstration : les PDF vont dans un dossier, rien "
                       "n'est imprimé")
    try:
        from kiosk.devices.cups_printer import CupsPrinter
        printer = CupsPrinter(settings.get("devices.printer_queue"),
                              settings.get("devices.cups_server"))
        state = printer.query_state()
        caps = printer.capabilities()
        queue = printer.queue
        printer.close()
    except errors.DeviceError as err:
        return Finding("printer", "imprimante", Status.FAIL,
                       f"CUPS : {err.technical} (cupsd tourne-t-il ? une file est-elle "
                       "configurée ?)", required=required)
    extras = ", ".join(("couleur" if caps.colour else "noir et blanc",
                        "recto verso" if caps.duplex else "recto seul"))
    ok = state in (PrinterState.READY, PrinterState.PRINTING)
    return Finding("printer", "imprimante", Status.OK if ok else Status.WARN,
                   f"file CUPS {queue!r} : {state.value} ({extras})", required=required)


def check_cups_privacy(settings: Settings) -> Finding:
    """The system cupsd keeps no job files nor history (deploy/cups/cupsd-kiosk.conf)."""
    if settings.get("devices.printer_backend") == "demo" or settings.get("devices.cups_server"):
        return Finding("print_privacy", "confidentialité des impressions", Status.OK,
                       "non vérifiée (imprimante de démonstration ou CUPS distant)")
    return privacy_finding(SYSTEM_CUPSD_CONF)


def privacy_finding(conf: Path) -> Finding:
    title = "confidentialité des impressions"
    try:
        text = conf.read_text()
    except OSError as err:
        return Finding("print_privacy", title, Status.WARN,
                       f"impossible de lire {conf} : {err.strerror}")
    words = {tuple(line.split()[:2]) for line in text.splitlines() if line.strip()}
    missing = [d for d in ("PreserveJobFiles", "PreserveJobHistory") if (d, "No") not in words]
    if missing:
        return Finding("print_privacy", title, Status.WARN,
                       f"{conf} n'a pas {' ni '.join(f'{m} No' for m in missing)} : CUPS garde "
                       "les documents imprimés ; voir deploy/cups/README.md")
    return Finding("print_privacy", title, Status.OK,
                   "CUPS ne garde ni les fichiers ni l'historique des impressions")


def check_scanner(settings: Settings) -> Finding:
    required = _required(settings, "scanner", "scan")
    if settings.get("devices.scanner_backend") == "demo":
        return Finding("scanner", "scanner", Status.WARN,
                       "scanner de démonstration : des pages d'exemple au lieu de numérisations")
    try:
        from kiosk.devices.sane_scanner import SaneScanner
        scanner = SaneScanner(settings.get("devices.scanner_device"))
        info = scanner.info()
        scanner.close()
    except errors.DeviceError as err:
        return Finding("scanner", "scanner", Status.FAIL,
                       f"SANE : {err.technical} (scanner branché et allumé ?)", required=required)
    return Finding("scanner", "scanner", Status.OK,
                   f"SANE {info.device} ({info.model}) : {', '.join(m.value for m in info.modes)}, "
                   f"{info.min_dpi}-{info.max_dpi} ppp, "
                   f"{', '.join(s.value for s in info.sources)}", required=required)


def check_reader(settings: Settings) -> Finding:
    title = "lecteur de badges"
    if settings.get("devices.reader_backend") == "demo":
        return Finding("badge_reader", title, Status.WARN,
                       "lecteur de démonstration : seul le badge de démonstration marche")
    try:
        from kiosk.devices.pcsc_reader import PcscReader
        names = PcscReader().readers()
    except errors.DeviceError as err:
        return Finding("badge_reader", title, Status.FAIL,
                       f"PC/SC : {err.technical} (pcscd tourne-t-il ?) ; le code PIN reste "
                       "possible")
    if not names:
        return Finding("badge_reader", title, Status.WARN,
                       "pcscd tourne mais aucun lecteur n'est branché")
    return Finding("badge_reader", title, Status.OK, f"lecteur(s) PC/SC : {', '.join(names)}")


def check_udev(settings: Settings) -> Finding:
    title = "branchements USB"
    if settings.get("devices.hotplug_backend") == "demo":
        return Finding("hotplug", title, Status.WARN,
                       "détection de démonstration : les branchements ne sont pas vus")
    try:
        from kiosk.devices.udev_hotplug import UdevHotplug
        plugged = UdevHotplug().scan()
    except errors.DeviceError as err:
        return Finding("hotplug", title, Status.FAIL, f"udev : {err.technical}")
    if not os.path.exists("/run/udev/control"):
        return Finding("hotplug", title, Status.WARN,
                       "le service udev ne tourne pas : les branchements ne seront pas vus")
    kinds = ", ".join(sorted({d.kind.value for d in plugged})) or "aucun appareil USB utile"
    return Finding("hotplug", title, Status.OK, f"udev surveille ; branché : {kinds}")


CHECKS: list[tuple[Check, str, str]] = [
    (check_printer, "printer", "imprimante"),
    (check_cups_privacy, "print_privacy", "confidentialité des impressions"),
    (check_scanner, "scanner", "scanner"),
    (check_reader, "badge_reader", "lecteur de badges"),
    (check_udev, "hotplug", "branchements USB"),
]
