"""What a heartbeat costs the database: one that says what the last one said is one read (its
token, status and reply together) and no write: its last_seen is written with the other kiosks'
in one batched statement (kiosk_server/last_seen.py), also when the server stops; one that
changes something writes the status and marks its site for the live view (SQLite and
PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from console.live_helpers import StatementCount
from fastapi.testclient import TestClient

from kiosk_server import live, tenancy
from kiosk_server import tables as t
from kiosk_server.app import create_app
from kiosk_server.demo import spawn_server
from kiosk_server.last_seen import flush_period
from kiosk_wire.schema import CommandKind

IN_SESSION = {"state": "active", "procedure_id": "caf-trimestrielle", "step": 3,
              "devices": {"printer": "ready", "scanner": "ready"}, "app_version": "0.1.0",
              "queue_length": 2, "session_seconds": 300}


def _writes(counter: StatementCount) -> list[str]:
    return [" ".join(s.split()) for s in counter.sql
            if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.IGNORECASE)]


def _live_mark(engine, site_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(t.live_changes.select().with_only_columns(t.live_changes.c.version)
                            .where(t.live_changes.c.site_id == site_id)).scalar() or 0


def _last_seen(engine, kiosk_id: int):
    with engine.connect() as conn:
        value = conn.execute(sa.select(t.kiosk_status.c.last_seen)
                             .where(t.kiosk_status.c.kiosk_id == kiosk_id)).scalar_one()
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


@pytest.fixture
def batch_client(settings, engine) -> Iterator[TestClient]:
    """A server whose batch of last_seen is written only when the test says: the periodic
    flush (every 2 s) would otherwise take the batch whenever a loaded machine is slow
    between two of the test's steps."""
    app = create_app(settings, engine)
    app.state.last_seen.flush_s = 3600
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_an_unchanged_heartbeat_is_one_read_and_its_last_seen_is_written_in_a_batch(
        batch_client, tenant, engine):
    client = batch_client
    counter = StatementCount()
    counter.install(engine)
    assert client.post("/api/v1/heartbeat", json=IN_SESSION,
                       headers=tenant.headers).status_code == 200
    first_writes = _writes(counter)
    mark = _live_mark(engine, tenant.site_id)
    assert mark >= 1 and first_writes  # the first heartbeat shows the kiosk: the site is marked
    first_seen = _last_seen(engine, tenant.kiosk_id)

    counter.reset()
    # The same state a beat later: the session's start estimate moves by the travel time only.
    answer = client.post("/api/v1/heartbeat", json=IN_SESSION | {"session_seconds": 301},
                         headers=tenant.headers)
    assert answer.status_code == 200 and answer.json()["commands"] == []
    queries = [q for q in counter.sql if not q.startswith("BEGIN")]  # SQLite's own BEGIN
    assert len(queries) == 1 and queries[0].lstrip().startswith("SELECT"), queries
    assert _live_mark(engine, tenant.site_id) == mark
    buffer = client.app.state.last_seen
    assert buffer.latest(tenant.kiosk_id) > first_seen

    counter.reset()
    assert buffer.flush() == 1
    writes = _writes(counter)
    assert len(writes) == 1 and writes[0].startswith("UPDATE kiosk_status")
    assert "state" not in writes[0].split(" WHERE ")[0]  # no status column rewritten
    assert counter.written_rows == 1
    assert _last_seen(engine, tenant.kiosk_id) > first_seen

    counter.reset()
    assert client.post("/api/v1/heartbeat", json=IN_SESSION | {"step": 4},
                       headers=tenant.headers).status_code == 200
    assert any(w.startswith("UPDATE kiosk_status SET last_seen=") and "state=" in w
               for w in _writes(counter))
    assert _live_mark(engine, tenant.site_id) == mark + 1


def test_one_statement_writes_the_last_seen_of_many_kiosks(batch_client, tenant, engine):
    client = batch_client
    with engine.begin() as conn:
        tokens = [tenancy.create_kiosk(conn, tenant.site_id, f"borne-lot-{i}")[1]
                  for i in range(5)]
    for token in tokens * 2:  # the second heartbeat of each changes nothing
        assert client.post("/api/v1/heartbeat", json=IN_SESSION,
                           headers={"Authorization": f"Bearer {token}"}).status_code == 200
    counter = StatementCount()
    counter.install(engine)
    assert client.app.state.last_seen.flush() == 5
    assert [q for q in counter.sql if not q.startswith("BEGIN")] == _writes(counter)
    assert len(_writes(counter)) == 1 and counter.written_rows == 5


def test_a_stopping_server_writes_the_last_seen_it_holds(settings, engine, tenant):
    app = create_app(settings, engine)
    app.state.last_seen.flush_s = 3600  # no periodic flush in this test: only the last one
    with TestClient(app) as client:
        for _ in range(2):
            assert client.post("/api/v1/heartbeat", json=IN_SESSION,
                               headers=tenant.headers).status_code == 200
        held = app.state.last_seen.latest(tenant.kiosk_id)
        assert held is not None and _last_seen(engine, tenant.kiosk_id) < held
    assert _last_seen(engine, tenant.kiosk_id) == held and len(app.state.last_seen) == 0


@pytest.mark.slow  # two real worker processes started and stopped: ~10 s under load
def test_a_real_server_stopped_by_sigterm_writes_the_last_seen_it_holds(
        tmp_path, db_url, engine, tenant):
    """`kiosk-server run` (two worker processes) stopped as systemd stops it: the times of the
    heartbeats that changed nothing, held for the next batch, are in the database after it."""
    with engine.begin() as conn:
        kiosks = [tenant.token] + [tenancy.create_kiosk(conn, tenant.site_id, f"borne-s{i}")[1]
                                   for i in range(5)]
    server = spawn_server(tmp_path, database_url=db_url,
                          env={"KIOSK_SERVER_WORKERS": "2",
                               "KIOSK_SERVER_RATE_LIMIT_PER_MIN": "1000"})
    try:
        with httpx.Client(base_url=server.url) as http:
            for token in kiosks:  # the first heartbeat writes the status
                answer = http.post("/api/v1/heartbeat", json=IN_SESSION,
                                   headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code == 200, answer.text
            before = dt.datetime.now(dt.UTC)
            for token in kiosks:  # the same again: only held in the process that answered
                assert http.post("/api/v1/heartbeat", json=IN_SESSION,
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 200
    finally:
        server.stop()  # SIGTERM
    assert server.process.returncode == 0, server.output[-20:]
    assert all("Traceback" not in line for line in server.output)
    with engine.connect() as conn:
        seen = conn.execute(sa.select(t.kiosk_status.c.last_seen)).scalars().all()
    assert len(seen) == len(kiosks)
    assert all((v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v) >= before for v in seen)


def test_a_kiosk_back_from_offline_is_a_change_even_if_it_says_the_same(client, tenant, engine):
    client.post("/api/v1/heartbeat", json=IN_SESSION, headers=tenant.headers)
    with engine.begin() as conn:  # silent for ten minutes: the live view shows it offline
        conn.execute(t.kiosk_status.update().values(
            last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)))
    mark = _live_mark(engine, tenant.site_id)
    client.post("/api/v1/heartbeat", json=IN_SESSION | {"session_seconds": 301},
                headers=tenant.headers)
    assert _live_mark(engine, tenant.site_id) == mark + 1
    assert dt.datetime.now(dt.UTC) - _last_seen(engine, tenant.kiosk_id) < dt.timedelta(minutes=1)


def test_a_waiting_command_is_delivered_to_a_kiosk_that_changes_nothing(client, tenant, engine):
    client.post("/api/v1/heartbeat", json=IN_SESSION, headers=tenant.headers)
    with engine.begin() as conn:
        command = live.queue_command(conn, tenant.kiosk_id, CommandKind.END_SESSION)
    answer = client.post("/api/v1/heartbeat", json=IN_SESSION | {"session_seconds": 301},
                         headers=tenant.headers)
    assert [c["id"] for c in answer.json()["commands"]] == [command]


@pytest.mark.parametrize("heartbeat_s", [1, 2, 5, 30, 3600])
def test_a_batched_last_seen_never_makes_a_talking_kiosk_look_offline(heartbeat_s):
    """The stored last_seen is at most a heartbeat plus a flush period old while the kiosk
    talks: less than the live view's offline threshold, for any allowed sync.heartbeat_s."""
    assert heartbeat_s + flush_period(heartbeat_s) < live.offline_after(heartbeat_s).total_seconds()


def test_a_new_session_of_the_same_state_is_a_change(client, tenant, engine):
    """Same state, step and devices, but a session that began since: the start is written and
    the live view told (the time in session starts again)."""
    client.post("/api/v1/heartbeat", json=IN_SESSION, headers=tenant.headers)
    mark = _live_mark(engine, tenant.site_id)
    client.post("/api/v1/heartbeat", json=IN_SESSION | {"session_seconds": 20},
                headers=tenant.headers)
    assert _live_mark(engine, tenant.site_id) == mark + 1
    with engine.connect() as conn:
        started = conn.execute(t.kiosk_status.select().with_only_columns(
            t.kiosk_status.c.session_started_at, t.kiosk_status.c.last_seen)).one()
    assert abs((started[1] - started[0]).total_seconds() - 20) < 5
