"""After the wipe the kiosk gives the memory a session used back to the system (glibc
malloc_trim): a kiosk runs for weeks and must not stay at its busiest session's high-water mark.
Measured in a fresh process, on its real resident set size."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.sessions import core as core_module

SESSION = """
import json, sys
from kiosk_wire import config
from kiosk_wire.schema import EndReason
from kiosk.sessions import core as core_module, open_core

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

data = sys.argv[1]
if sys.argv[2] == "no-trim":
    core_module._MALLOC_TRIM = None  # what the wipe did before it returned memory
core = open_core(config.defaults().with_overrides(
    {"kiosk.data_dir": data, "kiosk.session_dir": data + "/sessions"}))
start = rss_mb()
core.start()
survivors = []  # long-lived allocations between the session's: freed memory is in holes
for i in range(60_000):
    core.remember(f"field-{i}", "x" * 1000 + str(i))  # typed values, wiped at the end
    if i % 64 == 0:
        survivors.append("y" * 1000 + str(i))
busy = rss_mb()
core.end(EndReason.FINISHED, offer_survey=False)
print(json.dumps({"start": start, "busy": busy, "after": rss_mb()}))
"""


def _session_rss(tmp_path: Path, mode: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", SESSION, str(tmp_path / mode), mode],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(core_module._MALLOC_TRIM is None, reason="not glibc: nothing to trim")
def test_session_end_returns_the_sessions_memory_to_the_system(tmp_path):
    trimmed = _session_rss(tmp_path, "trim")
    kept = _session_rss(tmp_path, "no-trim")
    used = trimmed["busy"] - trimmed["start"]
    assert used > 40  # MB: the session really held its values
    assert trimmed["after"] - trimmed["start"] < used / 4  # most of it went back
    assert kept["after"] - kept["start"] > used / 2  # without the trim glibc would keep it


def test_returning_memory_never_fails_the_wipe(monkeypatch):
    def broken(_pad: int) -> int:
        raise OSError("no trim here")

    monkeypatch.setattr(core_module, "_MALLOC_TRIM", broken)
    core_module.trim_freed_memory()  # what the core does at every wipe: logs, does not raise
    core_module.return_freed_memory()  # what the app does after the welcome frame: the same
