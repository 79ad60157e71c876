"""`kiosk doctor` names what an installer must add, in words, without crashing."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from kiosk import doctor
from kiosk.doctor import system
from kiosk_wire import config


def test_code_reader_is_found_when_installed():
    finding = system.check_code_reader(config.defaults())
    assert finding.status is doctor.Status.OK


def test_missing_code_reader_is_a_warning_that_says_what_breaks(monkeypatch):
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # makes `import zxingcpp` fail
    finding = system.check_code_reader(config.defaults())
    assert finding.status is doctor.Status.WARN
    assert "2D-Doc" in finding.message and "pip install zxing-cpp" in finding.message


def test_speech_tools_are_found_when_installed():
    assert system.check_speech(config.defaults()).status is doctor.Status.OK


def test_missing_espeak_is_a_warning_that_names_the_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    finding = system.check_speech(config.defaults())
    assert finding.status is doctor.Status.WARN
    assert "muette" in finding.message and "apt install espeak-ng" in finding.message


def test_every_check_runs_and_reports(tmp_path):
    # Demo devices: the real device checks are tests/devices/test_device_doctor.py's (a SANE
    # probe of the system's configuration left running here would outlive the test).
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path), "devices.printer_backend": "demo",
        "devices.scanner_backend": "demo", "devices.reader_backend": "demo",
        "devices.hotplug_backend": "demo"})
    codes = [f.code for f in doctor.run_checks(settings)]
    assert {"code_reader", "read_aloud", "local_store", "printer", "scanner"} <= set(codes)


def hung_check(_settings):
    threading.Event().wait(60)  # a daemon that never answers
    raise AssertionError("unreachable")


def test_a_check_that_hangs_is_reported_after_its_time_and_does_not_hold_the_others(tmp_path):
    settings = config.defaults().with_overrides({"kiosk.data_dir": str(tmp_path)})
    checks = [(hung_check, "printer", "imprimante"),
              (system.check_store, "local_store", "stockage local")]
    findings = doctor.run_checks(settings, timeout_s=0.5, checks=checks)
    assert [f.code for f in findings] == ["printer", "local_store"]
    assert findings[0].status is doctor.Status.FAIL and findings[0].required
    assert "pas de réponse" in findings[0].message
    assert findings[1].status is doctor.Status.OK


def doctor_run(tmp_path, *args, **env_settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({"KIOSK_KIOSK_DATA_DIR": str(tmp_path / "data"), **env_settings})
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "doctor", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def hanging_cupsd():
    """Something listening where CUPS is expected that accepts and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_doctor_on_a_machine_without_its_daemons_fails_and_says_which_checks(tmp_path,
                                                                             hanging_cupsd):
    done = doctor_run(tmp_path, "--json", "--timeout", "3",
                      KIOSK_DEVICES_CUPS_SERVER=hanging_cupsd,
                      SANE_CONFIG_DIR=str(tmp_path), PCSCLITE_CSOCK_NAME=str(tmp_path / "none"))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    by_code = {f["code"]: f for f in report["findings"]}
    assert report["ok"] is False
    for code in ("printer", "scanner"):
        assert by_code[code]["status"] == "fail" and by_code[code]["required"] is True
    assert by_code["badge_reader"]["status"] == "fail"
    assert by_code["badge_reader"]["required"] is False
    assert "pas de réponse en 3 s" in by_code["printer"]["message"]  # the hung cupsd


def test_doctor_speaks_french_to_the_installer(tmp_path):
    done = doctor_run(tmp_path, KIOSK_DEVICES_PRINTER_BACKEND="demo",
                      KIOSK_DEVICES_SCANNER_BACKEND="demo", KIOSK_DEVICES_READER_BACKEND="demo",
                      KIOSK_DEVICES_HOTPLUG_BACKEND="demo")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Toutes les vérifications obligatoires sont passées." in done.stdout
    for english in ("record(s)", "does not", "not found", "settings file", "required check"):
        assert english not in done.stdout
    assert "[obligatoire]" in done.stdout and "[facultatif]" in done.stdout


def test_a_fleet_kiosk_without_a_card_key_is_warned_that_others_will_refuse_its_cards():
    linked = config.defaults().with_overrides({"sync.server_url": "https://stats.exemple"})
    finding = system.check_card_key(linked)
    assert finding.status is doctor.Status.WARN
    assert "practice.card_key" in finding.message and "refuseront" in finding.message
    keyed = linked.with_overrides({"practice.card_key": "une-longue-cle-du-reseau"})
    assert system.check_card_key(keyed).status is doctor.Status.OK
    assert system.check_card_key(config.defaults()).status is doctor.Status.OK
