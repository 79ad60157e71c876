"""The factory: "auto" and a real backend's name open the real stack, shown as a fault while it
does not answer and never replaced by a demo device; "demo" only when asked for; libraries stay
lazy. (Stacks missing at start then started: test_device_reprobe.py.)"""
from __future__ import annotations

import logging
import subprocess
import sys

from harness.procs import free_port

from kiosk.devices import open_devices, open_printer, open_scanner
from kiosk.devices.cups_printer import map_printer_state
from kiosk.devices.printer import JobState, JobStatus, PrinterState
from kiosk.devices.scheduling import QueueScheduler
from kiosk_wire import config


def settings_for(tmp_path, **overrides):
    return config.defaults().with_overrides({"kiosk.data_dir": str(tmp_path / "data"),
                                             **overrides})


def test_auto_printer_without_cupsd_is_offline_in_plain_words_not_a_demo(tmp_path):
    nobody = f"127.0.0.1:{free_port()}"  # no cupsd listens there
    printer = open_printer(settings_for(tmp_path, **{"devices.cups_server": nobody}))
    assert printer.backend_name == "cups" and printer.state is PrinterState.OFFLINE
    assert printer.message() == "L'imprimante n'est pas joignable. Prévenez un médiateur."


def test_explicit_cups_that_does_not_answer_shows_offline_not_a_demo(tmp_path):
    nobody = f"127.0.0.1:{free_port()}"
    printer = open_printer(settings_for(tmp_path, **{
        "devices.printer_backend": "cups", "devices.cups_server": nobody,
        "devices.printer_queue": "Accueil"}))
    assert printer.backend_name == "cups"
    assert printer.state is PrinterState.OFFLINE
    assert "failed to connect" in printer.last_error or "CUPS server" in printer.last_error
    assert printer.message() == "L'imprimante n'est pas joignable. Prévenez un médiateur."


def test_auto_scanner_without_the_configured_device_is_absent_with_a_log_line(tmp_path, caplog):
    caplog.set_level(logging.ERROR, "kiosk.devices")
    scanner = open_scanner(settings_for(tmp_path, **{"devices.scanner_device": "nothing:9"}))
    assert scanner.backend_name == "none" and scanner.state.value == "absent"
    assert "nothing:9" in scanner.last_error
    assert any("scanner: SANE unavailable" in r.getMessage() and "shown as a fault"
               in r.getMessage() for r in caplog.records)


def test_explicit_sane_without_the_device_shows_the_scanner_absent(tmp_path):
    scanner = open_scanner(settings_for(tmp_path, **{"devices.scanner_backend": "sane",
                                                     "devices.scanner_device": "nothing:9"}))
    assert scanner.backend_name == "none" and scanner.state.value == "absent"
    assert scanner.message() == "Il n'y a pas de scanner branché sur cette borne."


def test_states_of_every_device_for_the_heartbeat(tmp_path):
    scheduler = QueueScheduler()
    devices = open_devices(settings_for(tmp_path, **{
        "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo", "devices.hotplug_backend": "demo"}), scheduler)
    try:
        scheduler.run_due()  # the reader's first report reaches its state on the main loop
        assert devices.states() == {"printer": "ready", "scanner": "ready", "reader": "ready",
                                    "hotplug": "watching", "usb_storage": "none"}
    finally:
        devices.close()


def test_importing_the_device_layer_loads_no_device_library():
    code = ("import sys, kiosk, kiosk.devices, kiosk.doctor.devices, kiosk.documents.printing, "
            "kiosk.documents.scanning, kiosk.sessions.badges; "
            "print(sorted(m for m in ('cups', 'sane', 'smartcard', 'pyudev', 'kivy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cups_printer_states_and_reasons_map_onto_the_kiosk_states():
    assert map_printer_state(3, ["none"], True) is PrinterState.READY
    assert map_printer_state(4, [], True) is PrinterState.PRINTING
    assert map_printer_state(5, ["paused"], True) is PrinterState.STOPPED
    assert map_printer_state(3, [], False) is PrinterState.REJECTING
    assert map_printer_state(3, ["media-empty-error"], True) is PrinterState.PAPER_OUT
    assert map_printer_state(4, ["media-needed"], True) is PrinterState.PAPER_OUT
    assert map_printer_state(5, ["media-jam-error"], True) is PrinterState.PAPER_JAM
    assert map_printer_state(3, ["door-open-error"], True) is PrinterState.COVER_OPEN
    assert map_printer_state(3, ["offline-report"], True) is PrinterState.OFFLINE
    assert map_printer_state(3, ["media-low-warning", "toner-low-warning"], True) \
        is PrinterState.READY


def test_job_messages_are_plain_french():
    assert JobStatus(1, JobState.COMPLETED, 1).message() == "Impression terminée : 1 page"
    assert JobStatus(1, JobState.PROCESSING, 2, PrinterState.PAPER_OUT).message() == \
        "Plus de papier : prévenez un médiateur."
    assert JobStatus(1, JobState.PENDING, 2, PrinterState.PAPER_JAM).message() == \
        "Le papier est coincé dans l'imprimante : prévenez un médiateur."
    assert JobStatus(1, JobState.PENDING, 2).message() == "Votre impression attend son tour…"
    assert JobStatus(1, JobState.CANCELED, 2).message() == "Impression annulée."


def test_every_reported_device_state_and_backend_is_in_the_wire_enums(tmp_path):
    from kiosk.devices import state_vocabulary
    from kiosk_wire.schema import Device, DeviceBackend, DeviceState

    vocabulary = state_vocabulary()
    assert set(vocabulary) == {d.value for d in Device}
    assert {s for states in vocabulary.values() for s in states} == {s.value for s in DeviceState}
    scheduler = QueueScheduler()
    devices = open_devices(settings_for(tmp_path, **{
        "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo", "devices.hotplug_backend": "demo"}), scheduler)
    try:
        for name, state in devices.states().items():
            assert state in vocabulary[name]
        assert {DeviceBackend(b) for b in devices.backends().values()} == {DeviceBackend.DEMO}
    finally:
        devices.close()
