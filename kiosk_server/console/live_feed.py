"""One change feed per server process for the mediators' live pages.

Every open live page used to read its site from the database every 0.4 s: 3,000 pages made
~7,500 queries a second for nothing new. Now each process has one :class:`LiveFeed` that, while
some page is open:

- every ``POLL_S`` runs one small query on ``live_changes`` (the counters writers bump in their
  own transaction, kiosk_server/live_changes.py) and, for each watched site that changed, reads
  the site once (``live_view.site_rows``) for all the pages showing it; on PostgreSQL a writer's
  NOTIFY (LISTENed to by one connection per process) brings the poll forward, to
  ``NOTIFIED_POLL_S`` after it;
- every ``LIVENESS_S`` runs one query for the ``last_seen`` of the watched kiosks (a heartbeat
  that changes nothing marks nothing; offline is worked out from ``last_seen`` when shown);
- wakes the streams of the sites that changed; ``ACCOUNTS`` wakes them all (their user is read
  again).

So the database work follows the changes, not the number of pages. Any process serves any page:
writes made through another process (or the admin command) are seen through the table, within a
tick. A database that goes away stops the polls, not the streams; they resume when it is back.
A poll is a short read in a worker thread; its results are applied on the event loop, which
alone touches the feed's state.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk_server import tables as t
from kiosk_server.console.live_view import SiteRows, site_rows
from kiosk_server.live_changes import ACCOUNTS, CHANNEL

log = logging.getLogger(__name__)

POLL_S = 0.4
# On PostgreSQL a writer's NOTIFY makes the poll come this soon after it (not at every one:
# the changes of a busy fleet are read together), so at most every NOTIFIED_POLL_S.
NOTIFIED_POLL_S = 0.1
LIVENESS_S = 10.0
# A change is looked for this far before the last poll: a writer's clock stamps it before its
# commit, and several processes' clocks differ a little. Versions tell what was already seen.
OVERLAP = dt.timedelta(seconds=10)
IDLE_STOP_S = 5.0  # the poller stops this long after the last page closed


class Watch:
    """One stream's view of the feed: the sites it shows, and what woke it last."""

    def __init__(self, feed: LiveFeed) -> None:
        self.feed = feed
        self.sites: frozenset[int] = frozenset()
        self.accounts_changed = False
        self._wake = asyncio.Event()

    async def set_sites(self, site_ids: Iterable[int]) -> None:
        """Show these sites from now on (read once by this process if no page showed them)."""
        new = frozenset(site_ids)
        await self.feed._watch(self, new - self.sites)
        self.feed._unwatch(self, self.sites - new)
        self.sites = new

    def rows(self, site_id: int) -> SiteRows:
        return self.feed.rows[site_id]

    async def next(self, timeout: float) -> bool:
        """Wait for a change of one of the sites (True) or ``timeout`` seconds (False)."""
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            return False
        self._wake.clear()
        return True

    def _notify(self, accounts: bool = False) -> None:
        self.accounts_changed = self.accounts_changed or accounts
        self._wake.set()


class LiveFeed:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: dict[int, SiteRows] = {}
        self.polls = 0  # ticks run (for tests and the bench)
        self._watchers: dict[int, set[Watch]] = {}
        self._all: set[Watch] = set()
        self._versions: dict[int, int] = {}
        self._since: dt.datetime | None = None
        self._last_liveness = 0.0
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failing = False

    @contextlib.asynccontextmanager
    async def watching(self, site_ids: Iterable[int]) -> AsyncIterator[Watch]:
        self._bind_loop()
        watch = Watch(self)
        self._all.add(watch)
        try:
            await watch.set_sites(site_ids)
            yield watch
        finally:
            self._all.discard(watch)
            self._unwatch(watch, watch.sites)

    # --- watchers ----------------------------------------------------------------------------
    def _bind_loop(self) -> None:
        """The feed lives on the loop of the server (a test may run several loops in turn:
        each starts afresh)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._task = loop, None
            self.rows.clear()
            self._watchers.clear()
            self._all.clear()
            self._versions.clear()
            self._since = None
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())

    async def _watch(self, watch: Watch, site_ids: frozenset[int]) -> None:
        missing = [s for s in site_ids if s not in self.rows]
        if missing:
            read = await asyncio.to_thread(self._read_sites, missing)
            for site_id, (version, rows) in read.items():
                if site_id not in self.rows:
                    self.rows[site_id] = rows
                    self._versions.setdefault(site_id, version)
        for site_id in site_ids:
            self._watchers.setdefault(site_id, set()).add(watch)

    def _unwatch(self, watch: Watch, site_ids: Iterable[int]) -> None:
        for site_id in site_ids:
            watchers = self._watchers.get(site_id)
            if watchers is None:
                continue
            watchers.discard(watch)
            if not watchers:  # no page of this process shows it any more
                del self._watchers[site_id]
                self.rows.pop(site_id, None)

    # --- the poller ------------------------------------------------------------------------------
    async def _run(self) -> None:
        idle_since: float | None = None
        nudge = asyncio.Event()
        stop = threading.Event()
        if self.engine.dialect.name == "postgresql":
            threading.Thread(target=listen, args=(self.engine, asyncio.get_running_loop(), nudge,
                                                  stop), name="live-feed-listen",
                             daemon=True).start()
        try:
            while True:
                with contextlib.suppress(TimeoutError):  # a NOTIFY polls sooner
                    await asyncio.wait_for(nudge.wait(), POLL_S)
                    await asyncio.sleep(NOTIFIED_POLL_S)  # changes coming together: one poll
                nudge.clear()
                if not self._all:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > IDLE_STOP_S:
                        self._task = None
                        return
                    continue
                idle_since = None
                await self._poll_once()
        finally:
            stop.set()

    async def _poll_once(self) -> None:
        try:
            await self.tick()
        except sa.exc.SQLAlchemyError as err:  # the database is away: streams stay open
            if not self._failing:
                log.warning("live feed: database unavailable (%s); retrying",
                            type(err).__name__)
            self._failing = True

    async def tick(self) -> None:
        """One poll: read what changed, apply it, wake the streams concerned."""
        watched = set(self._watchers)
        liveness = time.monotonic() - self._last_liveness >= LIVENESS_S
        changed, reread, seen = await asyncio.to_thread(
            self._poll, self._since, dict(self._versions), watched, liveness)
        self.polls += 1
        if self._failing:
            log.info("live feed: database back")
            self._failing = False
        if liveness:
            self._last_liveness = time.monotonic()
            for site_id, kiosks in seen.items():
                rows = self.rows.get(site_id)
                if rows is not None and site_id not in reread:
                    for k in rows.kiosks:
                        k["last_seen"] = kiosks.get(k["kiosk_id"], k["last_seen"])
        for site_id, rows in reread.items():
            if site_id in self._watchers:
                self.rows[site_id] = rows
        self._since, new_versions = changed
        self._versions.update(new_versions)
        woken: set[Watch] = set()
        if ACCOUNTS in new_versions:
            for watch in self._all:
                watch._notify(accounts=True)
            return
        for site_id in new_versions:
            woken |= self._watchers.get(site_id, set())
        for watch in woken:
            watch._notify()

    # --- in a worker thread: database reads only, no state of the feed changed ---------------
    def _poll(self, since: dt.datetime | None, versions: dict[int, int], watched: set[int],
              liveness: bool) -> tuple[tuple[dt.datetime, dict[int, int]], dict[int, SiteRows],
                                       dict[int, dict[int, Any]]]:
        c = t.live_changes.c
        with self.engine.connect() as conn:
            q = sa.select(c.site_id, c.version, c.changed_at)
            if since is not None:
                q = q.where(c.changed_at >= since - OVERLAP)
            rows = conn.execute(q).all()
            new_versions = {r.site_id: int(r.version) for r in rows
                            if versions.get(r.site_id) != int(r.version)}
            if since is None:  # first poll: what is shown was read as the pages opened
                new_versions = {s: v for s, v in new_versions.items() if s in versions}
            latest = max((_aware(r.changed_at) for r in rows),
                         default=since or dt.datetime.now(dt.UTC))
            reread = {s: site_rows(conn, s) for s in sorted(new_versions)
                      if s in watched and s != ACCOUNTS}
            seen: dict[int, dict[int, Any]] = {}
            if liveness and watched:
                seen = _last_seen(conn, watched)
        return (max(latest, since or latest), new_versions), reread, seen

    def _read_sites(self, site_ids: list[int]) -> dict[int, tuple[int, SiteRows]]:
        c = t.live_changes.c
        with self.engine.connect() as conn:
            versions = dict(conn.execute(sa.select(c.site_id, c.version)
                                         .where(c.site_id.in_(site_ids))).all())
            return {s: (int(versions.get(s, 0)), site_rows(conn, s)) for s in site_ids}


def _last_seen(conn: Any, site_ids: set[int]) -> dict[int, dict[int, Any]]:
    """site -> kiosk -> last heartbeat, for the watched sites."""
    out: dict[int, dict[int, Any]] = {}
    ids = sorted(site_ids)
    for i in range(0, len(ids), 500):
        q = (sa.select(t.kiosks.c.site_id, t.kiosk_status.c.kiosk_id, t.kiosk_status.c.last_seen)
             .select_from(t.kiosk_status.join(t.kiosks))
             .where(t.kiosks.c.site_id.in_(ids[i:i + 500])))
        for r in conn.execute(q):
            out.setdefault(r.site_id, {})[r.kiosk_id] = _aware(r.last_seen)
    return out


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:  # SQLite gives naive UTC
        return value.replace(tzinfo=dt.UTC)
    return value


def listen(engine: Engine, loop: asyncio.AbstractEventLoop, nudge: asyncio.Event,
           stop: threading.Event) -> None:
    """PostgreSQL: LISTEN for the writers' NOTIFY (live_changes.mark) and make the poller poll
    at once, instead of at its next tick. Only a shortcut: the poll stays the truth (a
    notification lost while reconnecting is caught by the next tick)."""
    import psycopg

    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                while not stop.is_set():
                    for _note in conn.notifies(timeout=1.0):
                        loop.call_soon_threadsafe(nudge.set)
        except (psycopg.Error, OSError, RuntimeError):  # away, or the loop closed: again later
            stop.wait(1.0)
