"""The app's wiring: services from the settings, print jobs purged by crash recovery."""
from __future__ import annotations

from kiosk import config
from kiosk.devices import open_devices
from kiosk.devices.scheduling import QueueScheduler
from kiosk.documents.services import open_services
from kiosk.sessions import open_core
from kiosk.sessions.workspace import Artefact


def test_services_follow_the_settings_and_recovery_purges_print_jobs(tmp_path):
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram"),
        "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo", "devices.hotplug_backend": "demo",
        "devices.print_quota_pages": 7, "devices.scan_dpi": 150})
    devices = open_devices(settings, QueueScheduler())
    try:
        core = open_core(settings)
        services = open_services(settings, devices, core)
        assert services.scanning.dpi == 150 and services.printing.quota_pages == 7
        core.start()
        assert services.printing.remaining() == 7
        demo = devices.printer.backend
        demo.enabled = False  # the job stays queued
        pdf = tmp_path / "one.pdf"
        from kiosk.documents import samples
        from kiosk.documents.pdf import images_to_pdf
        images_to_pdf([samples.letter_page(50)], pdf, 50)
        from kiosk.devices.printer import PrintOptions
        job = demo.submit(pdf, "kiosk", PrintOptions())
        core.register(Artefact("print_job", str(job), "print"))
        assert demo.spool_files()

        restarted = open_core(settings)  # after a crash: wire first, then recover
        open_services(settings, devices, restarted)
        assert restarted.recover() == 1
        assert demo.spool_files() == []
    finally:
        devices.close()
