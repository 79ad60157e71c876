"""A private SANE configuration that exposes only the `test` backend (devices test:0, test:1)."""
from __future__ import annotations

import re
from pathlib import Path

STOCK_TEST_CONF = Path("/etc/sane.d/test.conf")
DEVICES = ("test:0", "test:1")

# Used when the distribution's test.conf is absent: the backend's own defaults.
_FALLBACK_TEST_CONF = """\
number_of_devices 2
mode Gray
depth 8
resolution_min 1.0
resolution_max 1200.0
resolution 50.0
test-picture "Solid black"
geometry_min 0.0
geometry_quant 1.0
"""


def write_sane_config(directory: Path) -> Path:
    """Write dll.conf + test.conf into `directory` and return it (for SANE_CONFIG_DIR).

    Only `test` in dll.conf, and SANE_CONFIG_DIR without a trailing colon, keeps SANE from
    probing network and USB backends (seconds of delay, and real hardware if present).
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "dll.conf").write_text("test\n")
    text = STOCK_TEST_CONF.read_text() if STOCK_TEST_CONF.exists() else _FALLBACK_TEST_CONF
    # The stock 200 mm maximum is smaller than A4 (297 mm); 300 mm fits A4 portrait.
    text, found = re.subn(r"(?m)^\s*geometry_max\s+\S+", "geometry_max 300.0", text)
    if not found:
        text += "geometry_max 300.0\n"
    (directory / "test.conf").write_text(text)
    return directory
