"""The same flows against `kiosk-server run` as deployed (uvicorn in its own process), on SQLite and
PostgreSQL; and two server processes sharing one PostgreSQL database."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import random

import httpx
import pytest

from kiosk_server.demo import spawn_server, start_demo_server
from server.helpers import (
    make_tenant,
    open_migrated,
    random_record,
    record,
    stored_event_ids,
    total_sessions_aggregated,
)


@pytest.fixture
def running(tmp_path, db_url):
    engine = open_migrated(db_url)
    tenant = make_tenant(engine)
    pg = db_url if db_url.startswith("postgresql") else ""
    if not pg:
        assert db_url == f"sqlite:///{tmp_path / 'server.sqlite'}"
    server = spawn_server(tmp_path, database_url=pg)  # SQLite: server.sqlite in tmp_path
    try:
        yield server, engine, tenant
    finally:
        server.stop()
        engine.dispose()


def test_running_server_ingests_idempotently_and_refuses_what_is_not_in_the_schema(running):
    server, engine, tenant = running
    batch = [record(), record(hour=15)]
    with httpx.Client(base_url=server.url, headers=tenant.headers) as client:
        answers = [client.post("/api/v1/events", json={"records": batch}) for _ in range(3)]
        assert [a.json()["stored"] for a in answers] == [2, 0, 0]
        spoilt = client.post("/api/v1/events",
                             json={"records": [record(), record(name="Dupont")]})
        assert spoilt.status_code == 422 and spoilt.json()["error"] == "invalid"
        assert client.post("/api/v1/events", json={"records": [record()]},
                           headers={"Authorization": "Bearer nope"}).status_code == 401
        huge = client.post("/api/v1/events", content=b"[" + b" " * 3_000_000 + b"]",
                           headers={"Content-Type": "application/json"})
        assert huge.status_code == 413
        assert client.get("/api/v1/health").json()["status"] == "ok"
        assert "/api/v1/events" in client.get("/openapi.json").json()["paths"]
    assert sorted(stored_event_ids(engine)) == sorted(r["event_id"] for r in batch)
    assert all("Traceback" not in line for line in server.output)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_server_processes_share_one_postgresql(tmp_path, pg_url):
    engine = open_migrated(pg_url)
    tenants = [make_tenant(engine, site=f"site-{i}", kiosk=f"borne-{i}") for i in range(4)]
    servers = [spawn_server(tmp_path / f"p{i}", database_url=pg_url) for i in range(2)]
    try:
        rng = random.Random(11)
        batches = {t.kiosk_id: [[random_record(rng, dt.date(2026, 11, rng.randint(1, 30)))
                                 for _ in range(40)] for _ in range(5)] for t in tenants}
        jobs = []
        for t in tenants:
            for batch in batches[t.kiosk_id]:
                for s in servers:  # every batch through BOTH processes, at the same time
                    jobs.append((s.url, t.headers, batch))

        def send(job):
            url, headers, batch = job
            return httpx.post(f"{url}/api/v1/events", json={"records": batch}, headers=headers,
                              timeout=60).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(send, jobs))
        assert set(codes) == {200}
        expected = sorted(r["event_id"] for t in tenants for b in batches[t.kiosk_id] for r in b)
        assert sorted(stored_event_ids(engine)) == expected
        assert total_sessions_aggregated(engine) == len(expected) == 800
        # A heartbeat through one process, the command queued, the reply through the other.
        from kiosk_server import live
        from kiosk_wire.schema import CommandKind
        with engine.begin() as conn:
            cid = live.queue_command(conn, tenants[0].kiosk_id, CommandKind.END_SESSION)
        beat = {"state": "active", "app_version": "0.1.0"}
        first = httpx.post(f"{servers[0].url}/api/v1/heartbeat", json=beat,
                           headers=tenants[0].headers).json()
        assert [c["id"] for c in first["commands"]] == [cid]
        second = httpx.post(f"{servers[1].url}/api/v1/heartbeat",
                            json=beat | {"acked_commands": [cid]},
                            headers=tenants[0].headers).json()
        assert second["commands"] == []
    finally:
        for s in servers:
            s.stop()
        engine.dispose()


def test_demo_server_has_a_kiosk_whose_sessions_appear(tmp_path):
    demo = start_demo_server(tmp_path / "demo")
    try:
        r = record()
        answer = httpx.post(f"{demo.url}/api/v1/events", json={"records": [r]},
                            headers={"Authorization": f"Bearer {demo.token}"})
        assert answer.status_code == 200
    finally:
        demo.stop()
    engine = open_migrated(f"sqlite:///{tmp_path / 'demo' / 'server.sqlite'}")
    assert stored_event_ids(engine) == [r["event_id"]]
    engine.dispose()
    again = start_demo_server(tmp_path / "demo")  # restarting the demo keeps its data
    try:
        assert httpx.post(f"{again.url}/api/v1/heartbeat",
                          json={"state": "idle", "app_version": "0.1.0"},
                          headers={"Authorization": f"Bearer {again.token}"}).status_code == 200
    finally:
        again.stop()
