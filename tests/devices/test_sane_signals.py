"""A SANE scan must not change how the kiosk process reacts to a closed pipe or socket.

SANE's reader threads (sanei_thread) put SIGPIPE back to its default action when a scan ends;
under that action one write to a server that dropped the connection kills the kiosk outright.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from harness.signals import sigpipe_ignored

from kiosk.devices import open_scanner
from kiosk.devices.scanner import ColourMode, ScanOptions
from kiosk_wire import config

pytestmark = pytest.mark.sane

SANE_SETTINGS = {"devices.scanner_backend": "sane", "devices.scanner_device": "test:0"}


def test_a_sane_scan_leaves_sigpipe_ignored(sane_config):
    scanner = open_scanner(config.defaults().with_overrides(SANE_SETTINGS))
    try:
        scanner.scan(ScanOptions(mode=ColourMode.GREY, dpi=75))
        assert sigpipe_ignored()
    finally:
        scanner.close()
    assert sigpipe_ignored()


def test_after_a_sane_scan_a_closed_pipe_is_an_error_not_the_death_of_the_process(sane_config):
    # In a child process: if the disposition were wrong, the write would kill the test run itself.
    child = textwrap.dedent(f"""
        import os
        from kiosk_wire import config
        from kiosk.devices import open_scanner
        from kiosk.devices.scanner import ColourMode, ScanOptions
        scanner = open_scanner(config.defaults().with_overrides({SANE_SETTINGS!r}))
        scanner.scan(ScanOptions(mode=ColourMode.GREY, dpi=75))
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            os.write(write_end, b"heartbeat")
        except BrokenPipeError:
            print("BrokenPipeError")
        scanner.close()
    """)
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "BrokenPipeError"
