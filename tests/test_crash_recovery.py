"""SIGKILL the session core at random moments: nothing left behind, nothing lost or doubled."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS = 25


def spawn(data: Path, ram: Path, ledger: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(data), str(ram), str(ledger), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


@pytest.mark.slow
def test_random_sigkills_leave_no_artefact_and_lose_or_double_no_record(tmp_path):
    data, ram, ledger = tmp_path / "data", tmp_path / "ram", tmp_path / "ledger"
    rng = random.Random(20261122)
    for _ in range(KILLS):
        worker = spawn(data, ram, ledger)
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"  # recovery of the last kill is done
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    final = spawn(data, ram, ledger, "--recover-only")
    assert final.wait(timeout=60) == 0

    leftovers = [p for p in (ram / "kiosk-sessions").rglob("*")] if ram.exists() else []
    assert leftovers == []
    assert list((data / "journal").glob("*.json")) == []

    db = sqlite3.connect(data / "kiosk.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute(
        "SELECT event_id, json_extract(payload, '$.end_reason') FROM outbox").fetchall()
    queued = [r[0] for r in rows]
    assert len(queued) == len(set(queued)), "a session record was queued twice"
    started = ledger.read_text().split()
    missing = set(started) - set(queued)
    assert not missing, f"{len(missing)} started session(s) have no record"
    recovered = [r for r in rows if r[1] == "crash_recovered"]
    assert 0 < len(recovered) <= KILLS
    assert b"1850775123456" not in (data / "kiosk.sqlite").read_bytes()
