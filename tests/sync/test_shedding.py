"""An overloaded server sheds kiosk requests with 503 + Retry-After, and the kiosk honours it:
its heartbeat and its outbox wait at least that long (plus jitter), nothing is lost and nothing
is stored twice. A real `kiosk-server run` (uvicorn) with server.max_in_flight = 1, held busy
by a request whose body never finishes."""
from __future__ import annotations

import random
import socket
import time
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest
from server.helpers import make_tenant, open_migrated, record, stored_event_ids

from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk.sync.outbox import SyncClient, SyncOutcome
from kiosk_server.demo import spawn_server

RETRY_AFTER = 7


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def busy_server(tmp_path) -> Iterator[tuple[str, str, object]]:
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    engine = open_migrated(f"sqlite:///{data_dir / 'server.sqlite'}")
    tenant = make_tenant(engine)
    server = spawn_server(data_dir, env={"KIOSK_SERVER_MAX_IN_FLIGHT": "1",
                                         "KIOSK_SERVER_SHED_RETRY_AFTER_S": str(RETRY_AFTER)})
    try:
        yield server.url, tenant.token, engine
    finally:
        server.stop()
        engine.dispose()
    assert all("Traceback" not in line for line in server.output)


def _hold_the_only_slot(url: str, token: str) -> socket.socket:
    """A request in progress that never ends: its body is announced, never sent in full."""
    parts = urllib.parse.urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.sendall((f"POST /api/v1/events HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                  f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                  "Content-Length: 1000\r\n\r\n{").encode())
    for _ in range(100):  # until the server has it in progress
        answer = httpx.post(f"{url}/api/v1/heartbeat", headers={"Authorization": f"Bearer {token}"},
                            json={"state": "idle", "app_version": "0.1.0"})
        if answer.status_code == 503:
            return sock
        time.sleep(0.05)
    raise AssertionError("the held request never filled the server")


def test_a_shed_request_says_when_to_come_back_and_health_and_help_calls_still_pass(
        busy_server):
    url, token, _engine = busy_server
    held = _hold_the_only_slot(url, token)
    try:
        answer = httpx.post(f"{url}/api/v1/heartbeat", headers={"Authorization": f"Bearer {token}"},
                            json={"state": "idle", "app_version": "0.1.0"})
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == str(RETRY_AFTER)
        assert answer.json()["error"] == "overloaded" and "Traceback" not in answer.text
        assert httpx.get(f"{url}/api/v1/health").status_code == 200  # probes are never shed
        # Nor a resident waiting for a mediator.
        call = httpx.post(f"{url}/api/v1/help-requests",
                          headers={"Authorization": f"Bearer {token}"},
                          json={"request_id": "00000000-0000-4000-8000-000000000001"})
        assert call.status_code == 201
    finally:
        held.close()
    # Freed: served again.
    for _ in range(100):
        answer = httpx.post(f"{url}/api/v1/heartbeat", headers={"Authorization": f"Bearer {token}"},
                            json={"state": "idle", "app_version": "0.1.0"})
        if answer.status_code == 200:
            break
        time.sleep(0.05)
    assert answer.status_code == 200


def test_the_kiosk_heartbeat_waits_what_the_server_asked_with_jitter(busy_server, core):
    url, token, _engine = busy_server
    heartbeat = HeartbeatClient(core, ServerLink.checked(url, token), interval_s=1.0)
    heartbeat.rng = random.Random(5)
    held = _hold_the_only_slot(url, token)
    try:
        assert heartbeat.beat_once() is None
    finally:
        held.close()
    assert heartbeat.retry_after == RETRY_AFTER
    delays = [heartbeat.next_delay() for _ in range(50)]
    assert all(RETRY_AFTER <= d <= RETRY_AFTER * 1.5 for d in delays)
    assert len({round(d, 3) for d in delays}) > 40  # spread, not one instant for every kiosk
    for _ in range(100):
        if heartbeat.beat_once() is not None:
            break
        time.sleep(0.05)
    assert heartbeat.retry_after is None and heartbeat.next_delay() == 1.0


def test_records_refused_by_a_shedding_server_arrive_later_exactly_once(busy_server, core):
    url, token, engine = busy_server
    now = FakeTime()
    records = [record(hour=h) for h in range(8, 14)]
    for r in records:
        core.store.enqueue(r["event_id"], r, now=0)
    sync = SyncClient(core.store, ServerLink.checked(url, token), clock=now,
                      rng=random.Random(2))
    held = _hold_the_only_slot(url, token)
    try:
        report = sync.sync_once()
    finally:
        held.close()
    assert report.outcome is SyncOutcome.OFFLINE and report.errors == ["503"]
    assert core.store.due(now.now + RETRY_AFTER - 0.01, 100) == []  # not before Retry-After
    assert core.store.queue_length() == len(records)
    assert stored_event_ids(engine) == []

    now.now += 3600  # past any backoff
    for _ in range(100):
        report = sync.sync_once()
        if report.outcome is SyncOutcome.SENT:
            break
        now.now += 3600
        time.sleep(0.05)
    assert report.outcome is SyncOutcome.SENT and core.store.queue_length() == 0
    assert sorted(stored_event_ids(engine)) == sorted(r["event_id"] for r in records)


def test_records_refused_again_and_again_come_back_after_retry_after_not_a_growing_backoff(
        busy_server, core):
    """Six 503s in a row: the records are due again within Retry-After (plus its jitter), not
    after an exponential backoff stacked on it (5 s × 2⁶ = 320 s)."""
    url, token, _engine = busy_server
    now = FakeTime()
    r = record(hour=9)
    core.store.enqueue(r["event_id"], r, now=0)
    sync = SyncClient(core.store, ServerLink.checked(url, token), clock=now,
                      rng=random.Random(3))
    held = _hold_the_only_slot(url, token)
    try:
        for _attempt in range(6):
            assert core.store.due(now.now, 100), "due again within Retry-After × 1.5"
            report = sync.sync_once()
            assert report.outcome is SyncOutcome.OFFLINE and report.errors == ["503"]
            assert core.store.due(now.now + RETRY_AFTER - 0.01, 100) == []
            now.now += RETRY_AFTER * 1.5
    finally:
        held.close()
    assert core.store.queue_length() == 1
