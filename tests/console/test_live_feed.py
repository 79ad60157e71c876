"""The live view's change feed: the database work of live pages follows the changes, not the
number of open pages; a change reaches pages served by another server process (PostgreSQL).
Real uvicorn servers, real HTTP streams, SQLite and the throwaway PostgreSQL."""
from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from harness.aio import run_coroutine
from server.helpers import open_migrated, server_settings

from console.live_helpers import BEAT, StatementCount, Stream, serving, signed_in
from console.seed import seed
from kiosk_server import db
from kiosk_server.app import create_app
from kiosk_server.console import live_feed
from kiosk_server.demo import spawn_server

CHANGES = 6


def _queue_shown(n: int):
    return lambda event: f'<dd class="queue">{n}</dd>' in event["html"]


async def _statements_per_change(base_url: str, counter: StatementCount, feed_of, pages: int,
                                 token: str, site: int, first: int) -> float:
    """Open ``pages`` live pages of one site, then make CHANGES heartbeats that change what
    they show, each awaited on every page: the statements the server ran for it, minus the
    feed's one poll statement per tick (which runs whatever the pages), per change."""
    mediator = await signed_in(base_url, "med-lille")
    kiosk = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
    streams = [Stream(mediator, f"/console/live/{site}/events") for _ in range(pages)]
    try:
        await asyncio.gather(*(s.until(lambda e: True) for s in streams))
        counter.reset()
        polls = feed_of().polls
        for n in range(first, first + CHANGES):
            answer = await kiosk.post("/api/v1/heartbeat", json=BEAT | {"queue_length": n})
            assert answer.status_code == 200, answer.text
            await asyncio.gather(*(s.until(_queue_shown(n)) for s in streams))
        return (counter.statements - (feed_of().polls - polls)) / CHANGES
    finally:
        for s in streams:
            await s.close()
        await mediator.aclose()
        await kiosk.aclose()


@pytest.mark.parametrize("db_kind", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_database_work_of_live_pages_does_not_grow_with_the_open_pages(
        db_kind: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch):
    monkeypatch.setattr(live_feed, "LIVENESS_S", 3600.0)  # its one query ran at the first tick
    url = (f"sqlite:///{tmp_path / 'server.sqlite'}" if db_kind == "sqlite"
           else request.getfixturevalue("pg_url"))
    data = seed(open_migrated(url), per_kiosk=1)
    site = data.sites["FS Lille"]
    _kiosk_id, token = data.kiosks[("FS Lille", "borne-1")]
    engine = db.open_engine(url)
    counter = StatementCount()
    counter.install(engine)
    app = create_app(server_settings(tmp_path, url), engine)
    with serving(app) as base_url:
        one = run_coroutine(_statements_per_change(base_url, counter, lambda: app.state.live_feed,
                                                 1, token, site, first=100))
        fifty = run_coroutine(_statements_per_change(base_url, counter,
                                                   lambda: app.state.live_feed, 50, token,
                                                   site, first=200))
    engine.dispose()
    # Each change: the heartbeat's own statements and one read of the site, whatever the pages
    # (before the feed, every page read its site every 0.4 s: 50 pages, 50 times the reads).
    assert one > 0
    assert fifty <= one * 1.2, (one, fifty)


async def _change_reaches_the_other_process(one: str, other: str, token: str, site: int) -> None:
    mediator = await signed_in(other, "med-lille")
    stream = Stream(mediator, f"/console/live/{site}/events")
    try:
        await stream.until(lambda e: True)
        async with httpx.AsyncClient(base_url=one,
                                     headers={"Authorization": f"Bearer {token}"}) as kiosk:
            answer = await kiosk.post("/api/v1/heartbeat", json=BEAT | {"queue_length": 4242})
            assert answer.status_code == 200
        event = await stream.until(_queue_shown(4242))
        assert event["counts"]["free"] >= 1
    finally:
        await stream.close()
        await mediator.aclose()


@pytest.mark.postgres
@pytest.mark.slow
def test_a_heartbeat_through_one_process_reaches_a_live_page_served_by_another(tmp_path, pg_url):
    engine = open_migrated(pg_url)
    data = seed(engine, per_kiosk=1)
    engine.dispose()
    _kiosk_id, token = data.kiosks[("FS Lille", "borne-1")]
    first = spawn_server(tmp_path / "a", database_url=pg_url)
    second = spawn_server(tmp_path / "b", database_url=pg_url)
    try:
        run_coroutine(_change_reaches_the_other_process(first.url, second.url, token,
                                                      data.sites["FS Lille"]))
    finally:
        first.stop()
        second.stop()
    for server in (first, second):
        assert all("Traceback" not in line for line in server.output)


async def _stream_across_a_restart(base_url: str, token: str, site: int, restart) -> None:
    mediator = await signed_in(base_url, "med-lille")
    stream = Stream(mediator, f"/console/live/{site}/events")
    try:
        await stream.until(lambda e: True)
        await asyncio.to_thread(restart)
        async with httpx.AsyncClient(base_url=base_url,
                                     headers={"Authorization": f"Bearer {token}"}) as kiosk:
            for _attempt in range(50):  # the first request after the restart may meet a 503
                answer = await kiosk.post("/api/v1/heartbeat", json=BEAT | {"queue_length": 77})
                if answer.status_code == 200:
                    break
                assert answer.status_code == 503 and "retry-after" in answer.headers
                await asyncio.sleep(0.2)
            assert answer.status_code == 200
        await stream.until(_queue_shown(77))  # the same stream, never closed
        assert not stream.task.done()
    finally:
        await stream.close()
        await mediator.aclose()


@pytest.mark.postgres
@pytest.mark.slow
def test_a_live_page_keeps_receiving_across_a_database_restart(tmp_path, pg_cluster, pg_url):
    data = seed(open_migrated(pg_url), per_kiosk=1)
    _kiosk_id, token = data.kiosks[("FS Lille", "borne-1")]
    engine = db.open_engine(pg_url)
    app = create_app(server_settings(tmp_path, pg_url), engine)
    with serving(app) as base_url:
        run_coroutine(_stream_across_a_restart(base_url, token, data.sites["FS Lille"],
                                             lambda: pg_cluster.restart(down_s=2.0)))
    engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_a_change_is_pushed_by_notify_without_waiting_for_the_poll(
        tmp_path, pg_url, monkeypatch):
    """The safety poll is made rare (an hour): the page still gets the change, through the
    writers' NOTIFY that the process's feed LISTENs to."""
    data = seed(open_migrated(pg_url), per_kiosk=1)
    _kiosk_id, token = data.kiosks[("FS Lille", "borne-1")]
    engine = db.open_engine(pg_url)
    app = create_app(server_settings(tmp_path, pg_url), engine)
    monkeypatch.setattr(live_feed, "POLL_S", 3600.0)
    monkeypatch.setattr(live_feed, "SAFETY_POLL_S", 3600.0)
    monkeypatch.setattr(live_feed, "LIVENESS_S", 3600.0)

    async def scenario(base_url: str) -> None:
        mediator = await signed_in(base_url, "med-lille")
        stream = Stream(mediator, f"/console/live/{data.sites['FS Lille']}/events")
        try:
            await stream.until(lambda e: True)
            await asyncio.sleep(1.0)  # the listener is connected
            async with httpx.AsyncClient(base_url=base_url,
                                         headers={"Authorization": f"Bearer {token}"}) as kiosk:
                answer = await kiosk.post("/api/v1/heartbeat", json=BEAT | {"queue_length": 5150})
                assert answer.status_code == 200
            await stream.until(_queue_shown(5150), timeout=60)
        finally:
            await stream.close()
            await mediator.aclose()

    with serving(app) as base_url:
        run_coroutine(scenario(base_url))
    engine.dispose()


def test_a_call_cancelled_at_the_kiosk_is_marked_cancelled_on_the_open_live_page(tmp_path):
    """It stops ringing at once and stays a while marked "annulé" (the mediator who saw it
    ring knows why it went away); test_live_view's snapshot test has it leave afterwards."""
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    data = seed(open_migrated(url), per_kiosk=1)
    _kiosk_id, token = data.kiosks[("FS Lille", "borne-1")]
    engine = db.open_engine(url)
    app = create_app(server_settings(tmp_path, url), engine)
    call = "00000000-0000-4000-8000-00000000ca11"

    async def scenario(base_url: str) -> None:
        mediator = await signed_in(base_url, "med-lille")
        kiosk = httpx.AsyncClient(base_url=base_url,
                                  headers={"Authorization": f"Bearer {token}"})
        stream = Stream(mediator, f"/console/live/{data.sites['FS Lille']}/events")
        try:
            await stream.until(lambda e: True)
            assert (await kiosk.post("/api/v1/help-requests",
                                     json={"request_id": call})).status_code == 201
            await stream.until(lambda e: call in e["open_help"])
            assert (await kiosk.post(f"/api/v1/help-requests/{call}/cancel")).status_code == 200
            seen = len(stream.events)
            last = await stream.until(lambda e: len(stream.events) > seen
                                      and "appel annulé" in stream.events[-1]["html"])
            assert call not in stream.events[-1]["open_help"] and last is not None
            assert f'class="help cancelled" data-request="{call}"' in stream.events[-1]["html"]
        finally:
            await stream.close()
            await mediator.aclose()
            await kiosk.aclose()

    with serving(app) as base_url:
        run_coroutine(scenario(base_url))
    engine.dispose()
