"""`kiosk doctor` says whether the official sites' browser can work here: Debian's Chromium
(really started: `--version`), the Playwright library, a usable site list; and what to install
when one is missing, in plain French. The runtime hides the tile in the same cases."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiosk.browser.service import CHROMIUM
from kiosk.doctor import Status, browser, run_checks
from kiosk.runtime import Feature, KioskRuntime
from kiosk_wire import config


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
def test_chromium_and_playwright_here_are_found_and_chromium_runs():
    finding = browser.check_browser(config.defaults())
    assert finding.status is Status.OK, finding.message
    assert "Chromium" in finding.message and "11 sites nationaux" in finding.message
    settings = config.defaults().with_overrides({"devices.printer_backend": "demo",
                                                 "devices.scanner_backend": "demo",
                                                 "devices.reader_backend": "demo",
                                                 "devices.hotplug_backend": "demo"})
    checks = [(browser.check_browser, browser.CODE, browser.TITLE)]
    assert [f.code for f in run_checks(settings, checks=checks)] == ["browser"]


def test_missing_chromium_names_the_debian_package():
    finding = browser.check_browser(config.defaults().with_overrides(
        {"browser.chromium": "/nonexistent/chromium"}))
    assert finding.status is Status.WARN and not finding.required
    assert "apt install chromium" in finding.message
    assert "« Faire ma démarche en ligne » n'apparaîtra pas" in finding.message


def test_missing_playwright_is_said_and_the_tile_is_hidden(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "playwright", None)  # makes `import playwright` fail
    finding = browser.check_browser(config.defaults().with_overrides(
        {"browser.chromium": sys.executable}))  # an executable that is there
    assert finding.status is Status.WARN and "Playwright" in finding.message
    runtime = KioskRuntime(config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram"),
        "browser.chromium": sys.executable}), open_parts=False)
    assert not runtime.feature_available(Feature.BROWSER)


def test_a_chromium_that_does_not_start_is_said(tmp_path: Path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    broken.chmod(0o755)
    finding = browser.check_browser(config.defaults().with_overrides(
        {"browser.chromium": str(broken)}))
    assert finding.status is Status.WARN and "ne démarre pas" in finding.message


def test_an_unusable_site_list_is_said():
    finding = browser.check_browser(config.defaults().with_overrides(
        {"browser.chromium": sys.executable, "browser.sites": "caf,facebook"}))
    assert finding.status is Status.WARN and "facebook" in finding.message


def test_a_browser_switched_off_is_fine():
    finding = browser.check_browser(config.defaults().with_overrides({"browser.enabled": False}))
    assert finding.status is Status.OK and "désactivé" in finding.message
