"""The lint pinned in pyproject.toml stays clean: ruff's rules on the code and the tests, and
strict mypy on the three packages (`make lint` runs the same two commands)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)


def test_ruff_finds_nothing_in_the_code_and_the_tests():
    result = run("ruff", "check", "--no-cache", "kiosk", "kiosk_server", "kiosk_wire", "tests",
                 "bench")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.slow
def test_strict_mypy_finds_nothing_in_the_three_packages():
    result = run("mypy")  # packages and strictness from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Success" in result.stdout
