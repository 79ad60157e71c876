"""The fleet simulator (`python -m bench fleet`) at a tiny size: its counts are the proof of the
outage scenario, so they are checked here (not its timings: those are `make bench`'s). A real
`kiosk-server run`, real HTTP on loopback, SQLite; a server that may work on 2 kiosk requests
at once, so that the reconnection storm is shed (503 + Retry-After) and drained."""
from __future__ import annotations

import pytest

from bench.fleet import FleetPlan, run_fleet


@pytest.mark.slow
def test_after_an_outage_the_storm_is_shed_then_drained_with_nothing_lost_or_stored_twice(
        tmp_path):
    plan = FleetPlan(kiosks=40, pages=4, heartbeat_s=1.0, live_s=3.0, backlog=30,
                     storm_window_s=1.0, drain_limit_s=300, max_in_flight=2,
                     shed_retry_after_s=1)
    report = run_fleet(plan, tmp_path)
    storm = report.storm
    assert storm["backlog_records"] > 0 and storm["left_queued"] == 0
    assert storm["lost"] == 0 and storm["stored_twice"] == 0
    assert storm["stored_rows"] == storm["acknowledged"] == storm["aggregated_sessions"]
    answers = storm["answers"]
    assert answers.get("events 503", 0) + answers.get("heartbeat 503", 0) > 0  # it was shed
    assert not [k for k in answers if not k.endswith((" 200", " 201", " 503"))], answers
    assert set(report.phases) == {"1 page", "4 pages"}
    assert report.phases["4 pages"]["live_updates_timed"] > 0  # probe changes reached pages


def test_the_fleet_command_explains_its_options():
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-m", "bench", "fleet", "--help"],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert "--kiosks" in done.stdout and "--pages" in done.stdout and "--postgres" in done.stdout
