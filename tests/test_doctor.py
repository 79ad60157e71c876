"""`kiosk doctor` names what an installer must add, in words, without crashing."""
from __future__ import annotations

import sys

from kiosk import doctor
from kiosk_wire import config


def test_code_reader_is_found_when_installed():
    finding = doctor.check_code_reader(config.defaults())
    assert finding.status is doctor.Status.OK


def test_missing_code_reader_is_a_warning_that_says_what_breaks(monkeypatch):
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # makes `import zxingcpp` fail
    finding = doctor.check_code_reader(config.defaults())
    assert finding.status is doctor.Status.WARN
    assert "2D-Doc" in finding.message and "pip install zxing-cpp" in finding.message


def test_speech_tools_are_found_when_installed():
    assert doctor.check_speech(config.defaults()).status is doctor.Status.OK


def test_missing_espeak_is_a_warning_that_names_the_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    finding = doctor.check_speech(config.defaults())
    assert finding.status is doctor.Status.WARN
    assert "silent" in finding.message and "apt install espeak-ng" in finding.message


def test_every_check_runs_and_reports(tmp_path):
    settings = config.defaults().with_overrides({"kiosk.data_dir": str(tmp_path)})
    names = [f.name for f in doctor.run_checks(settings)]
    assert {"code reader", "read aloud", "local store"} <= set(names)
