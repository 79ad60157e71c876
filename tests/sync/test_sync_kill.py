"""The kiosk killed (SIGKILL) during a sync, again and again: no record lost or duplicated."""
from __future__ import annotations

import random
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from server.helpers import stored_event_ids, total_sessions_aggregated

from kiosk.storage import LocalStore
from kiosk_wire.schema import Activity, ActivityKind, EndReason

WORKER = Path(__file__).with_name("sync_worker.py")


def start_worker(store_path: Path, server) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(store_path), server.url, server.tenant.token],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=str(Path(__file__).parents[2]))


def passes_done(worker: subprocess.Popen, passes: int, timeout: float = 30.0) -> int:
    """Wait until the worker got ``passes`` answers from the server (it prints a line each),
    or stopped; how many it got."""
    done = 0
    while done < passes:
        ready, _, _ = select.select([worker.stdout], [], [], timeout)
        if not ready or not worker.stdout.readline():
            break
        done += 1
    return done


@pytest.mark.slow
def test_sigkill_during_sync_loses_and_duplicates_nothing(live_server, core, clock):
    for i in range(250):
        core.start()
        core.add_activity(Activity(kind=ActivityKind.SCAN, pages=1 + i % 4))
        clock.advance(300)
        core.end(EndReason.FINISHED, offer_survey=False)
    queued = sorted(r.event_id for r in core.store.iter_all())
    store_path = core.store.path
    core.store.close()
    rng = random.Random(42)
    kills = 0
    for _ in range(12):
        worker = start_worker(store_path, live_server)
        # Kill at a random point of the sync, counted in batches answered (a line each) and a
        # little time: a whole queue drains in a fraction of a second on a fast machine, so a
        # delay counted from the process start could let the first workers empty it.
        if passes_done(worker, rng.randint(1, 4)):
            time.sleep(rng.uniform(0.0, 0.005))
        if worker.poll() is None:
            worker.kill()
            kills += 1
        worker.wait()
    final = start_worker(store_path, live_server)
    assert final.wait(120) == 0
    assert kills >= 3  # the test really interrupted syncs
    store = LocalStore(store_path)
    try:
        assert store.queue_length() == 0
        assert store.integrity_ok()
    finally:
        store.close()
    assert sorted(stored_event_ids(live_server.engine)) == queued
    assert total_sessions_aggregated(live_server.engine) == 250  # none counted twice
