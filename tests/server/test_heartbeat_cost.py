"""What a heartbeat costs the database: one that says what the last one said writes last_seen
only (no status rewrite, no live view mark); one that changes something writes the status and
marks its site for the live view (SQLite and PostgreSQL)."""
from __future__ import annotations

import re

from console.live_helpers import StatementCount

from kiosk_server import tables as t

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


def test_an_unchanged_heartbeat_writes_last_seen_only(client, tenant, engine):
    counter = StatementCount()
    counter.install(engine)
    assert client.post("/api/v1/heartbeat", json=IN_SESSION,
                       headers=tenant.headers).status_code == 200
    first_writes = _writes(counter)
    first_statements = counter.statements
    mark = _live_mark(engine, tenant.site_id)
    assert mark >= 1  # the first heartbeat shows the kiosk: the site is marked

    counter.reset()
    # The same state a beat later: the session's start estimate moves by the travel time only.
    assert client.post("/api/v1/heartbeat", json=IN_SESSION | {"session_seconds": 301},
                       headers=tenant.headers).status_code == 200
    writes = _writes(counter)
    assert len(writes) == 1 and writes[0].startswith("UPDATE kiosk_status SET last_seen="), writes
    assert "state=" not in writes[0].split(" WHERE ")[0]  # no status column rewritten
    assert counter.written_rows == 1
    assert _live_mark(engine, tenant.site_id) == mark
    assert counter.statements < first_statements and len(writes) < len(first_writes)

    counter.reset()
    assert client.post("/api/v1/heartbeat", json=IN_SESSION | {"step": 4},
                       headers=tenant.headers).status_code == 200
    assert any(w.startswith("UPDATE kiosk_status SET last_seen=") and "state=" in w
               for w in _writes(counter))
    assert _live_mark(engine, tenant.site_id) == mark + 1


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
