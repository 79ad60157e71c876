"""The touch driver and the headless demo work on a terminal installed without the test
extras: nothing on their path imports pytest (``kivy.tests`` does), in a fresh process where
pytest, _pytest and kivy.tests are unimportable. (The whole `kiosk demo --headless` walk under
the same blocker is in test_demo_cli.py, marked slow.)"""
from __future__ import annotations

import subprocess
import sys

import pytest

from .helpers import WITHOUT_TEST_FRAMEWORKS

pytestmark = pytest.mark.display

TAP_WITHOUT_PYTEST = """
try:
    import pytest
except ImportError:
    pass
else:
    raise SystemExit("the blocker let pytest in: this test would prove nothing")
import kiosk.demo, kiosk.app_cli
from kiosk_wire import config
from kiosk.app import start_headless
from kiosk.screens.driver import UiDriver

data = sys.argv[1]
settings = config.defaults().with_overrides({
    "kiosk.data_dir": data, "kiosk.session_dir": data + "/sessions",
    "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
    "devices.reader_backend": "demo", "devices.hotplug_backend": "demo",
    "ui.fullscreen": False})
app = start_headless(settings)
driver = UiDriver(app)
driver.frames(2)
before = app.sm.current
driver.tap(app.sm.current_screen.ids.start)
driver.settle()
leaked = sorted(m for m in sys.modules
                if m.split('.')[0] in ('pytest', '_pytest') or m.startswith('kivy.tests'))
print("screens:", before, app.sm.current, "leaked:", leaked, flush=True)
app.runtime.close()
"""


def test_a_finger_tap_moves_the_kiosk_on_without_pytest_or_kivy_tests(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TEST_FRAMEWORKS + TAP_WITHOUT_PYTEST, str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, (result.stderr + result.stdout)[-3000:]  # Kivy logs tracebacks
    assert "screens: welcome home leaked: []" in result.stdout, result.stdout[-2000:]
