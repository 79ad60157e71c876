"""Time in session on the heartbeat: a bounded duration from the kiosk's clock, placed on the
server's clock, shown to mediators; absent (None) outside a session."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from kiosk.sync.heartbeat import HeartbeatClient
from kiosk_server import tables as t
from kiosk_wire.schema import EndReason, Heartbeat, KioskState


def _beat(**fields) -> Heartbeat:
    return Heartbeat.model_validate({"state": "active", "app_version": "0.1.0", **fields})


@pytest.mark.parametrize("seconds", [0, 720, 86_400])
def test_session_seconds_within_a_day_are_accepted(seconds):
    assert _beat(session_seconds=seconds).session_seconds == seconds


@pytest.mark.parametrize("raw", ["-1", "86401", "1000000000", '"12 min"', "12.5", "true"])
def test_session_seconds_out_of_bounds_or_not_an_integer_are_refused(raw):
    with pytest.raises(ValidationError):
        Heartbeat.model_validate_json(
            f'{{"state": "active", "app_version": "0.1.0", "session_seconds": {raw}}}')


def test_a_heartbeat_without_session_seconds_is_still_schema_version_1():
    beat = _beat()
    assert beat.session_seconds is None and beat.schema_version == 1


def _session_started_at(engine, kiosk_id: int) -> dt.datetime | None:
    with engine.connect() as conn:
        value = conn.execute(sa.select(t.kiosk_status.c.session_started_at)
                             .where(t.kiosk_status.c.kiosk_id == kiosk_id)).scalar_one()
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def test_running_server_places_the_session_start_from_the_kiosks_heartbeat(live_server, core,
                                                                           clock):
    beats = HeartbeatClient(core, live_server.link())
    assert beats.status().session_seconds is None  # idle: no session, no duration
    assert beats.beat_once() is not None
    assert _session_started_at(live_server.engine, live_server.tenant.kiosk_id) is None

    core.start()
    clock.advance(12 * 60 + 5)
    assert beats.status().session_seconds == 725
    before = dt.datetime.now(dt.UTC)
    assert beats.beat_once() is not None
    after = dt.datetime.now(dt.UTC)
    started = _session_started_at(live_server.engine, live_server.tenant.kiosk_id)
    # The server's own clock minus the duration the kiosk measured (the kiosk's ManualClock
    # says 2026-11-16: its wall time is ignored, only the duration counts).
    assert before - dt.timedelta(seconds=726) <= started <= after - dt.timedelta(seconds=724)

    core.end(EndReason.FINISHED)
    core.complete(None)
    assert beats.status().state is KioskState.IDLE
    assert beats.beat_once() is not None
    assert _session_started_at(live_server.engine, live_server.tenant.kiosk_id) is None

