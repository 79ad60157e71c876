"""`python -m bench`: the runner's command line (the benchmarks themselves run in `make bench`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)


def test_help_lists_the_benchmark_areas():
    done = _bench("--help")
    assert done.returncode == 0
    assert "usage: python -m bench" in done.stdout
    assert {"console", "ui", "server"} <= set(done.stdout.split("areas:")[1].split())


def test_an_unknown_area_is_a_clear_error_that_runs_nothing():
    done = _bench("nope")
    assert done.returncode == 2
    assert "unknown area(s) nope" in done.stderr and "Traceback" not in done.stderr
    assert "bench: nope ..." not in done.stderr
