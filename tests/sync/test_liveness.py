"""The heartbeat tells the server when the kiosk's UI is frozen (the heartbeat thread still
runs) and how often it restarted since boot; the count survives restarts, not reboots."""
from __future__ import annotations

import json

import sqlalchemy as sa

from kiosk.restarts import STARTS_FILE, count_start
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.watchdog import UiWatchdog
from kiosk_server import tables as t
from kiosk_wire.schema import UpdateState


def test_starts_are_counted_per_boot(tmp_path):
    boot = tmp_path / "boot_id"
    boot.write_text("boot-a\n")
    data = tmp_path / "data"
    assert [count_start(data, boot) for _ in range(3)] == [0, 1, 2]
    boot.write_text("boot-b\n")  # the machine rebooted
    assert count_start(data, boot) == 0


def test_a_damaged_count_starts_again_and_an_unwritable_one_is_unknown(tmp_path):
    boot = tmp_path / "boot_id"
    boot.write_text("boot-a\n")
    (tmp_path / STARTS_FILE).write_text("{not json")
    assert count_start(tmp_path, boot) == 0
    assert json.loads((tmp_path / STARTS_FILE).read_text())["starts"] == 1
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    assert count_start(blocked, boot) is None


def test_the_server_learns_that_the_ui_is_frozen_and_restarted(live_server, core, tmp_path):
    now = [100.0]
    watchdog = UiWatchdog(clock=lambda: now[0], environ={})
    watchdog.ready()
    beats = HeartbeatClient(core, live_server.link(),
                            liveness=lambda: (int(watchdog.stalled_s()), 2))
    now[0] += 45  # the UI loop stopped ticking; the heartbeat thread did not
    assert beats.beat_once() is not None
    with live_server.engine.connect() as conn:
        row = conn.execute(sa.select(t.kiosk_status.c.ui_stalled_s,
                                     t.kiosk_status.c.restarts)).one()
    assert tuple(row) == (45, 2)


def test_the_last_update_and_the_version_it_tried_reach_the_server(live_server, core, tmp_path):
    state = tmp_path / "state"
    state.write_text("state=rolled_back\nversion=0.1.0-1\ntried=0.2.0-1~rc1\nat=2026-12-05T02:10:00Z\n")
    beats = HeartbeatClient(core, live_server.link(), update_state_file=state)
    assert beats.beat_once() is not None
    with live_server.engine.connect() as conn:
        row = conn.execute(sa.select(t.kiosk_status.c.update_state,
                                     t.kiosk_status.c.update_tried)).one()
    assert tuple(row) == ("rolled_back", "0.2.0-1~rc1")


def test_an_unreadable_or_foreign_update_state_is_not_reported(tmp_path):
    from kiosk.update_state import read

    assert read(tmp_path / "absent") == (None, None)
    odd = tmp_path / "state"
    odd.write_text("state=exploded\ntried=0.2.0\n")
    assert read(odd) == (None, None)
    odd.write_text("state=failed\ntried=not a version\n")
    assert read(odd) == (UpdateState.FAILED, None)  # no free text reaches the server
