"""`kiosk doctor` device checks against the real stacks, and the shipped cupsd settings."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from harness.procs import free_port

from kiosk.doctor import devices as doctor
from kiosk.doctor.findings import Status
from kiosk_wire import config

DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "cups" / "cupsd-kiosk.conf"


def settings(**overrides):
    return config.defaults().with_overrides(overrides)


@pytest.mark.cups
def test_printer_check_names_the_queue_and_its_state(cups_server):
    finding = doctor.check_printer(settings(**{"devices.cups_server": cups_server.address,
                                               "devices.printer_queue": cups_server.queue}))
    assert finding.status is Status.OK and finding.required
    assert finding.message.startswith("file CUPS 'KioskPDF' : ready")


@pytest.mark.cups
def test_printer_check_on_the_shipped_default_uses_the_cups_default_queue(cups_server):
    """No devices.printer_queue (the default): CUPS's default queue, answered, not a hang."""
    finding = doctor.check_printer(settings(**{"devices.cups_server": cups_server.address}))
    assert finding.status is Status.OK
    assert finding.message.startswith(f"file CUPS {cups_server.queue!r} : ready")


def test_printer_check_says_plainly_when_cups_does_not_answer():
    finding = doctor.check_printer(settings(**{"devices.cups_server": f"127.0.0.1:{free_port()}",
                                               "devices.printer_queue": "Accueil"}))
    assert finding.status is Status.FAIL and finding.required
    assert "cupsd tourne-t-il" in finding.message and "failed to connect" in finding.message


@pytest.mark.sane
def test_scanner_check_lists_the_sane_device(sane_config):
    finding = doctor.check_scanner(settings(**{"devices.scanner_device": "test:0"}))
    assert finding.status is Status.OK and finding.message.startswith("SANE test:0")
    assert "colour" in finding.message and "feeder" in finding.message and "ppp" in finding.message


@pytest.mark.pcsc
def test_reader_check_lists_the_pcsc_readers(pcscd):
    finding = doctor.check_reader(settings())
    assert finding.status is Status.OK and "Virtual PCD 00 00" in finding.message


def test_shipped_cupsd_settings_keep_no_job_files_nor_history():
    assert doctor.privacy_finding(DEPLOY_CONF).status is Status.OK


def test_shipped_cupsd_settings_are_accepted_by_cupsd(tmp_path):
    cupsd = next((p for p in ("/usr/sbin/cupsd", "/sbin/cupsd") if Path(p).exists()), None)
    if cupsd is None:
        pytest.skip("cupsd not installed (package cups)")
    conf = tmp_path / "cupsd.conf"
    conf.write_text(DEPLOY_CONF.read_text())
    (tmp_path / "cups-files.conf").write_text(f"ServerRoot {tmp_path}\n")
    out = subprocess.run([cupsd, "-t", "-c", str(conf), "-s", str(tmp_path / "cups-files.conf")],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "Unknown" not in out.stderr and "error" not in out.stderr.lower(), out.stderr


def test_a_stock_cupsd_conf_is_flagged(tmp_path):
    stock = tmp_path / "cupsd.conf"
    stock.write_text("LogLevel warn\nListen localhost:631\n")
    finding = doctor.privacy_finding(stock)
    assert finding.status is Status.WARN
    assert "PreserveJobFiles No ni PreserveJobHistory No" in finding.message
