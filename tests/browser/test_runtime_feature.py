"""'Faire ma démarche en ligne' is offered only when the browser can work: switched on, Chromium
installed, a usable site list (a bad one is said once in the log, never to the resident)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.browser.service import CHROMIUM
from kiosk.runtime import Feature, KioskRuntime
from kiosk_wire import config


def runtime_with(tmp_path: Path, **overrides: object) -> KioskRuntime:
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram"),
        **{k.replace("__", "."): v for k, v in overrides.items()}})
    return KioskRuntime(settings, open_parts=False)  # no devices, no server: not needed here


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
def test_the_browser_is_offered_with_chromium_and_the_default_list(tmp_path):
    runtime = runtime_with(tmp_path)
    assert runtime.feature_available(Feature.BROWSER)
    assert runtime.browsing is not None and len(runtime.browsing.allowlist.sites) == 11


@pytest.mark.parametrize("overrides", [
    {"browser__enabled": False},
    {"browser__chromium": "/nonexistent/chromium"},
    {"browser__sites": "caf,facebook"},
    {"browser__local_sites": "https://mairie-exemple.fr/"},
])
def test_the_browser_is_not_offered_when_it_cannot_work(tmp_path, caplog, overrides):
    runtime = runtime_with(tmp_path, **overrides)
    assert not runtime.feature_available(Feature.BROWSER)
    assert not runtime.feature_available(Feature.BROWSER)
    assert len([r for r in caplog.records if r.name == "kiosk.runtime"]) <= 1  # said once
