"""Smoke test: python-sane scans from the SANE `test` backend in the private config dir."""
from __future__ import annotations

import signal

import pytest

pytestmark = pytest.mark.sane

sane = pytest.importorskip("sane", reason="python-sane not installed (extra `hardware`)")


@pytest.fixture
def test_scanner(sane_config):
    sane.init()
    assert {"test:0", "test:1"} <= {device[0] for device in sane.get_devices()}
    device = sane.open("test:0")
    device.mode = "Color"
    device.resolution = 300
    device.depth = 8
    device.br_x = 210.0
    device.br_y = 297.0
    try:
        yield device
    finally:
        device.close()
        sane.exit()
        # Raw python-sane, without the kiosk's backend: SANE's reader thread has put SIGPIPE back
        # to its default action (kiosk/devices/sane_scanner.py explains); undo it as the backend
        # does.
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)


def test_colour_a4_scan_at_300_dpi_gives_a_full_page_image(test_scanner):
    test_scanner.test_picture = "Color pattern"
    image = test_scanner.scan()
    assert image.size == (2480, 3507)
    assert image.mode == "RGB"
    # The colour pattern really has colours, not a blank page.
    assert len(image.resize((124, 175)).getcolors(maxcolors=1 << 16) or []) > 4


@pytest.mark.parametrize("status, message", [
    ("SANE_STATUS_JAMMED", "jammed"),
    ("SANE_STATUS_NO_DOCS", "out of documents"),
])
def test_injected_scanner_fault_raises_sane_error(test_scanner, status, message):
    test_scanner.read_return_value = status
    with pytest.raises(sane._sane.error, match=message):
        test_scanner.scan()
