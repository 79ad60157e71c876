"""The live view's work follows the changes, not the pages nor the fleet: the pages of a site
share one rendering per change; on PostgreSQL a process's feed reads only the counters of the
sites it shows that a NOTIFY named, and misses no change committed out of order. Real uvicorn,
real HTTP streams, SQLite and the throwaway PostgreSQL."""
from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from harness.aio import run_coroutine
from server.helpers import open_migrated, server_settings

from console.live_helpers import BEAT, Stream, serving, signed_in
from console.seed import seed
from kiosk_server import db, live_changes
from kiosk_server import tables as t
from kiosk_server.app import create_app
from kiosk_server.console import live_feed, live_render
from kiosk_server.console.live_feed import LiveFeed

CHANGES = 3


def _queue_shown(n: int) -> Callable[[dict[str, Any]], bool]:
    return lambda event: f'<dd class="queue">{n}</dd>' in event["html"]


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    return re.search(r'data-csrf="([^"]+)"', (await client.get(path)).text).group(1)


def test_the_live_pages_of_a_site_share_one_rendering_per_change(tmp_path: Path, monkeypatch):
    """Twenty pages of two viewers: each change is rendered once, and each viewer's page
    carries their own CSRF token (never another's, never the slot)."""
    monkeypatch.setattr(live_render, "MAX_AGE_S", 3600.0)  # only the changes make renderings
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    data = seed(open_migrated(url), per_kiosk=1)
    site = data.sites["FS Lille"]
    _kiosk_id, token = data.kiosks[("FS Lille", "borne-1")]
    engine = db.open_engine(url)
    app = create_app(server_settings(tmp_path, url), engine)

    async def scenario(base_url: str) -> None:
        viewers = [await signed_in(base_url, "med-lille"), await signed_in(base_url, "admin")]
        tokens = [await _csrf(v, f"/console/live/{site}") for v in viewers]
        assert tokens[0] != tokens[1]
        streams = [(i, Stream(viewers[i], f"/console/live/{site}/events"))
                   for i in (0, 1) for _ in range(10)]
        kiosk = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
        try:
            await asyncio.gather(*(s.until(lambda e: True) for _i, s in streams))
            renders = app.state.live_panels.renders
            for n in range(300, 300 + CHANGES):
                answer = await kiosk.post("/api/v1/heartbeat", json=BEAT | {"queue_length": n})
                assert answer.status_code == 200, answer.text
                await asyncio.gather(*(s.until(_queue_shown(n)) for _i, s in streams))
            assert app.state.live_panels.renders - renders == CHANGES
            for i, stream in streams:
                html = stream.events[-1]["html"]
                assert f'name="csrf" value="{tokens[i]}"' in html
                assert tokens[1 - i] not in html and live_render.CSRF_SLOT not in html
        finally:
            for _i, s in streams:
                await s.close()
            for v in viewers:
                await v.aclose()
            await kiosk.aclose()

    with serving(app) as base_url:
        run_coroutine(scenario(base_url))
    engine.dispose()


class LiveChangesReads:
    """Rows the feed's engine read from live_changes, statement by statement."""

    def __init__(self, engine: sa.Engine) -> None:
        self.rows: list[int] = []
        self.lock = threading.Lock()

        @sa.event.listens_for(engine, "after_cursor_execute")
        def _count(_conn: Any, cursor: Any, statement: str, *_rest: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "FROM live_changes" in statement:
                with self.lock:
                    self.rows.append(cursor.rowcount)


async def _woken_until(watch: live_feed.Watch, done: Callable[[], bool]) -> None:
    for _attempt in range(60):
        if done():
            return
        await watch.next(0.5)
    raise AssertionError("the feed never saw the change")


def _mark(engine: sa.Engine, site_id: int) -> None:
    with engine.begin() as conn:
        live_changes.mark(conn, [site_id])


def _version(engine: sa.Engine, site_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(t.live_changes.c.version)
                                .where(t.live_changes.c.site_id == site_id)).scalar() or 0)


async def _listening(feed: LiveFeed, watch: live_feed.Watch, writer: sa.Engine,
                     site_id: int) -> None:
    """The feed listens and has read what it did at connection (a change of ``site_id``
    made now is seen: the reads before it are over)."""
    await _woken_until(watch, feed.listening.is_set)
    await asyncio.to_thread(_mark, writer, site_id)
    wanted = _version(writer, site_id)
    await _woken_until(watch, lambda: feed._versions.get(site_id) == wanted)


@pytest.mark.postgres
def test_on_postgresql_the_feed_reads_only_the_changes_of_the_sites_it_shows(pg_url, monkeypatch):
    """Twenty changes of another site: not one row of theirs read (the feed used to re-read
    every change of the last 10 s at each NOTIFY, about 50,000 rows a second at 10,000
    kiosks)."""
    monkeypatch.setattr(live_feed, "SAFETY_POLL_S", 3600.0)
    monkeypatch.setattr(live_feed, "LIVENESS_S", 3600.0)
    data = seed(open_migrated(pg_url), per_kiosk=1)
    lille, rennes = data.sites["FS Lille"], data.sites["FS Rennes"]
    writer, engine = db.open_engine(pg_url), db.open_engine(pg_url)
    reads = LiveChangesReads(engine)
    feed = LiveFeed(engine)

    async def scenario() -> None:
        async with feed.watching([lille]) as watch:
            await _listening(feed, watch, writer, lille)
            reads.rows.clear()
            for _ in range(20):
                await asyncio.to_thread(_mark, writer, rennes)
            await asyncio.to_thread(_mark, writer, lille)
            wanted = _version(writer, lille)
            await _woken_until(watch, lambda: feed._versions.get(lille) == wanted)
        assert reads.rows and all(n == 1 for n in reads.rows), reads.rows

    run_coroutine(scenario())
    engine.dispose()
    writer.dispose()


@pytest.mark.postgres
def test_on_postgresql_a_change_committed_after_a_later_one_still_reaches_the_feed(
        pg_url, monkeypatch):
    """Transaction 1 marks Lille and stays open; transaction 2 marks Rennes and commits; the
    feed reads Rennes; then 1 commits: the feed reads Lille too (no cursor skipped it)."""
    monkeypatch.setattr(live_feed, "SAFETY_POLL_S", 3600.0)
    data = seed(open_migrated(pg_url), per_kiosk=1)
    lille, rennes = data.sites["FS Lille"], data.sites["FS Rennes"]
    writer, engine = db.open_engine(pg_url), db.open_engine(pg_url)
    feed = LiveFeed(engine)

    async def scenario() -> None:
        async with feed.watching([lille, rennes]) as watch:
            await _listening(feed, watch, writer, lille)
            before = dict(feed._versions)
            first = writer.connect()
            tx = first.begin()
            live_changes.mark(first, [lille])
            await asyncio.to_thread(_mark, writer, rennes)
            await _woken_until(watch, lambda: feed._versions.get(rennes, 0) > before.get(rennes, 0))
            assert feed._versions.get(lille, 0) == before.get(lille, 0)  # not committed yet
            await asyncio.to_thread(tx.commit)
            first.close()
            await _woken_until(watch, lambda: feed._versions.get(lille, 0) > before.get(lille, 0))

    run_coroutine(scenario())
    engine.dispose()
    writer.dispose()
