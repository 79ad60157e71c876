"""The kiosk's outgoing queue reaches the server exactly once, whatever happens in between."""
from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator

import pytest
from server.helpers import stored_event_ids, total_sessions_aggregated

from kiosk.sync.link import ServerLink, SyncConfigError
from kiosk.sync.outbox import SyncClient, SyncOutcome, backoff_delay
from kiosk_wire.schema import Activity, ActivityKind, EndReason, Theme
from sync.http_recorder import Recorder, serve


@pytest.fixture
def recording_server() -> Iterator[Recorder]:
    yield from serve()


class FakeTime:
    """The sync client's wall clock, moved by the test (backoff without sleeping)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def run_sessions(core, clock, n: int) -> list[str]:
    """n real sessions through the session core; returns their event ids.

    Ids are taken from the sessions themselves, not read back from the queue: a running sync
    may already have sent (and dequeued) some of them.
    """
    ended = []
    for i in range(n):
        session = core.start()
        ended.append(session.event_id)
        core.add_activity(Activity(kind=ActivityKind.PRACTICE, procedure_id="caf-trimestrielle",
                                   theme=Theme.SOCIAL_SANTE, steps_total=5, steps_reached=i % 6,
                                   completed=i % 6 == 5))
        core.add_activity(Activity(kind=ActivityKind.PRINT, pages=1 + i % 3))
        clock.advance(60 * (5 + i % 20))
        core.end(EndReason.FINISHED, offer_survey=False)
        clock.advance(120)
    return ended


def test_a_week_offline_then_every_record_arrives_exactly_once(live_server, core, clock):
    now = FakeTime()
    sync = SyncClient(core.store, live_server.link(), batch_size=50, clock=now,
                      rng=random.Random(1))
    live_server.stop()
    queued: list[str] = []
    for _day in range(7):
        queued += run_sessions(core, clock, 30)
        report = sync.sync_once()
        assert report.outcome is SyncOutcome.OFFLINE and report.acknowledged == 0
        clock.advance(24 * 3600 - 30 * 20 * 60)
        now.now += 24 * 3600
    assert core.store.queue_length() == len(queued) == 210
    live_server.restart()
    now.now += 2 * 3600  # past every backoff
    report = sync.sync_once()
    assert report.outcome is SyncOutcome.SENT
    assert report.acknowledged == 210
    assert core.store.queue_length() == 0
    assert sorted(stored_event_ids(live_server.engine)) == sorted(queued)
    assert total_sessions_aggregated(live_server.engine) == 210


def test_failed_sends_back_off_exponentially_with_jitter(core, clock):
    now = FakeTime()
    run_sessions(core, clock, 3)
    dead = ServerLink.checked("http://127.0.0.1:9", "token", timeout_s=2)  # discard port
    sync = SyncClient(core.store, dead, clock=now, rng=random.Random(3))
    delays = []
    for _ in range(5):
        report = sync.sync_once()
        assert report.outcome is SyncOutcome.OFFLINE
        [first, *_] = list(core.store.iter_all())
        row = core.store.db.execute("SELECT next_attempt_at FROM outbox WHERE event_id = ?",
                                    [first.event_id]).fetchone()
        delays.append(row[0] - now.now)
        now.now = row[0]  # jump to the next attempt
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))
    assert core.store.queue_length() == 3  # nothing lost while offline
    rng = random.Random(5)
    samples = {round(backoff_delay(2, rng), 3) for _ in range(20)}
    assert len(samples) > 1 and all(10.0 <= s <= 30.0 for s in samples)
    assert backoff_delay(50, rng) <= 1.5 * 3600


def test_nothing_is_due_before_its_backoff_so_nothing_is_sent(core, clock, in_process):
    client, _engine, _tenant = in_process
    now = FakeTime()
    run_sessions(core, clock, 2)
    sync = SyncClient(core.store, ServerLink("http://testserver", "unused"), clock=now)
    core.store.postpone([r.event_id for r in core.store.iter_all()], now.now + 100)
    assert sync.sync_once(client=client).acknowledged == 0
    now.now += 101
    assert sync.sync_once(client=client).acknowledged == 2


def test_refused_record_stays_queued_and_does_not_block_the_others(core, clock, in_process):
    client, engine, _tenant = in_process
    good = run_sessions(core, clock, 4)
    poisoned = dict(next(core.store.iter_all()).payload)
    poisoned["event_id"] = "7c4f3b6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    poisoned["language"] = "klingon"  # e.g. a kiosk newer than its server
    core.store.enqueue(poisoned["event_id"], poisoned, now=0)  # oldest: first in the batch
    now = FakeTime()
    sync = SyncClient(core.store, ServerLink("http://testserver", "unused"), clock=now)
    report = sync.sync_once(client=client)
    assert report.outcome is SyncOutcome.REFUSED and report.refused == 1
    assert report.acknowledged == 4
    assert sorted(stored_event_ids(engine)) == sorted(good)
    assert [r.event_id for r in core.store.iter_all()] == [poisoned["event_id"]]


def test_revoked_token_stops_the_sync_and_keeps_the_records(core, clock, live_server):
    run_sessions(core, clock, 2)
    bad = ServerLink.checked(live_server.url, "revoked-or-wrong")
    report = SyncClient(core.store, bad).sync_once()
    assert report.outcome is SyncOutcome.UNAUTHORIZED
    assert core.store.queue_length() == 2


def test_background_thread_sends_a_session_soon_after_it_ends(live_server, core, clock,
                                                             kiosk_settings):
    from kiosk.sync import connect
    settings = kiosk_settings.with_overrides({"sync.server_url": live_server.url,
                                              "sync.token": live_server.tenant.token,
                                              "sync.interval_s": 3600})
    connection = connect(settings, core)
    connection.start()
    try:
        [event_id] = run_sessions(core, clock, 1)  # ending wakes the sync thread
        for _ in range(200):
            if stored_event_ids(live_server.engine) == [event_id]:
                break
            time.sleep(0.05)
        assert stored_event_ids(live_server.engine) == [event_id]
    finally:
        connection.stop()
    assert core.store.queue_length() == 0


@pytest.mark.parametrize("url", [
    "https://user:secret@stats.example.org", "https://stats.example.org/?token=abc",
    "ftp://stats.example.org", "stats.example.org",
])
def test_credentials_in_the_server_url_are_refused(url):
    with pytest.raises(SyncConfigError):
        ServerLink.checked(url, "token")


def test_token_travels_only_in_the_authorization_header(recording_server):
    link = ServerLink.checked(recording_server.url, "s3cret")
    with link.client() as client:
        ServerLink.call(client, "POST", "/api/v1/events", {"records": []})
    (request,) = recording_server.requests
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert "s3cret" not in request.path
    assert [v for k, v in request.headers.items() if k != "Authorization" and "s3cret" in v] == []


def test_no_server_configured_keeps_records_local(core, clock):
    run_sessions(core, clock, 1)
    report = SyncClient(core.store, None).sync_once()
    assert report.outcome is SyncOutcome.DISABLED
    assert core.store.queue_length() == 1


def test_stopping_the_sync_flushes_the_sessions_that_just_ended(live_server, core, clock):
    sync = SyncClient(core.store, live_server.link(), interval_s=3600)
    sync.start()
    try:
        ended = run_sessions(core, clock, 3)  # no wake(): only the final flush can send them
    finally:
        sync.stop()
    assert sorted(stored_event_ids(live_server.engine)) == sorted(ended)
    assert core.store.queue_length() == 0
