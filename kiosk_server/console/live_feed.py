"""One change feed per server process for the mediators' live view.

Every open live page used to read its site from the database every 0.4 s: 3,000 pages made
~7,500 queries a second for nothing new. Now each process has one :class:`LiveFeed` that, while
some page is open:

- reads the change counters (``live_changes``, bumped by writers in their own transaction,
  kiosk_server/live_changes.py) of the sites it shows, and only those: on PostgreSQL only when
  a writer's NOTIFY names one of them (delivered at commit, so a transaction committing after
  a later one is never skipped: what is read is each site's current counter, not a range of
  times or ids), plus every ``SAFETY_POLL_S`` all of them (and at each (re)connection of the
  listener, which may have missed notifications); on SQLite every ``POLL_S``;
- reads each changed site once (``live_view.site_rows``) for all the pages showing it;
- every ``LIVENESS_S`` reads the ``last_seen`` of the watched kiosks (a heartbeat that changes
  nothing marks nothing; offline is worked out from ``last_seen`` when shown);
- wakes the streams of the sites that changed; ``ACCOUNTS`` wakes them all (their user is read
  again).

So the database work follows the changes, not the number of pages nor the size of the fleet.
Any process serves any page: writes made through another process (or the admin command) are
seen through the table. A database that goes away stops the reads, not the streams; they resume
when it is back. A read runs in a worker thread; its results are applied on the event loop,
which alone touches the feed's state. ``generation`` counts, per site, the changes of its rows
in this process, so the pages can share one rendering per site and change (live_render.py);
the liveness read updates ``last_seen`` in place, without a new generation.
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
from kiosk_server.live_changes import ACCOUNTS, CHANNEL, sites_of

log = logging.getLogger(__name__)

POLL_S = 0.4  # SQLite (no NOTIFY): the counters of the watched sites are read this often
SAFETY_POLL_S = 30.0  # PostgreSQL: all watched counters, should a notification have been lost
# After a NOTIFY the read waits this long (the changes of a busy fleet are read together).
NOTIFIED_POLL_S = 0.1
LIVENESS_S = 10.0
IDLE_STOP_S = 5.0  # the poller stops this long after the last page closed
CHUNK = 500  # ids per IN (…) list


class Watch:
    """One stream's view of the feed: the sites it shows, and what woke it last."""

    def __init__(self, feed: LiveFeed) -> None:
        self.feed = feed
        self.sites: frozenset[int] = frozenset()
        self.accounts_changed = False
        self.due_s = 5.0  # when its page's rendering expires by itself (live_render.py)
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
        self.generation: dict[int, int] = {}
        self._notified: set[int] = set()  # sites named by NOTIFYs since the last read
        self._notified_all = True  # read every watched counter at the next tick
        self._last_full = 0.0
        self._last_liveness = 0.0
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failing = False
        self._nudge = asyncio.Event()
        self.listening = threading.Event()  # PostgreSQL: LISTENing now (for tests)

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
            self._notified_all = True
            self._nudge = asyncio.Event()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())

    async def _watch(self, watch: Watch, site_ids: frozenset[int]) -> None:
        missing = [s for s in site_ids if s not in self.rows]
        if missing:
            read = await asyncio.to_thread(self._read_sites, missing)
            for site_id, (version, rows) in read.items():
                if site_id not in self.rows:
                    self.rows[site_id] = rows
                    self._bump(site_id)
                    self._versions.setdefault(site_id, version)
        for site_id in site_ids:
            self._watchers.setdefault(site_id, set()).add(watch)
        if missing:  # a NOTIFY handled while they were being read was not for a watched site
            self._notified |= set(missing)
            self._nudge.set()

    def _unwatch(self, watch: Watch, site_ids: Iterable[int]) -> None:
        for site_id in site_ids:
            watchers = self._watchers.get(site_id)
            if watchers is None:
                continue
            watchers.discard(watch)
            if not watchers:  # no page of this process shows it any more
                del self._watchers[site_id]
                self.rows.pop(site_id, None)
                self._versions.pop(site_id, None)  # read afresh if shown again

    def _bump(self, site_id: int) -> None:
        self.generation[site_id] = self.generation.get(site_id, 0) + 1

    # --- the poller ------------------------------------------------------------------------------
    def notified(self, payload: str | None) -> None:
        """A NOTIFY arrived (payload: the sites), or None: the listener (re)connected and may
        have missed some. On the event loop."""
        sites = sites_of(payload) if payload is not None else None
        if sites is None:
            self._notified_all = True
        else:
            self._notified |= sites

    async def _run(self) -> None:
        idle_since: float | None = None
        nudge = self._nudge
        stop = threading.Event()
        notifying = self.engine.dialect.name == "postgresql"
        if notifying:
            threading.Thread(target=listen, args=(self.engine, asyncio.get_running_loop(),
                                                  self, nudge, stop),
                             name="live-feed-listen", daemon=True).start()
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(nudge.wait(), self._wait_s(notifying))
                    await asyncio.sleep(NOTIFIED_POLL_S)  # changes coming together: one read
                nudge.clear()
                if not self._all:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > IDLE_STOP_S:
                        self._task = None
                        return
                    continue
                idle_since = None
                await self._poll_once(full=not notifying)
        finally:
            stop.set()

    def _wait_s(self, notifying: bool) -> float:
        if not notifying:
            return POLL_S
        now = time.monotonic()
        due = min(self._last_full + SAFETY_POLL_S, self._last_liveness + LIVENESS_S)
        return max(NOTIFIED_POLL_S, due - now)

    async def _poll_once(self, full: bool = False) -> None:
        try:
            await self.tick(full)
        except sa.exc.SQLAlchemyError as err:  # the database is away: streams stay open
            self._notified_all = True  # what changed meanwhile is read when it is back
            if not self._failing:
                log.warning("live feed: database unavailable (%s); retrying",
                            type(err).__name__)
            self._failing = True

    async def tick(self, full: bool = False) -> None:
        """One read: the counters of the watched sites that may have changed (all of them when
        ``full``, at the safety poll, or after a lost connection), the rows of those that did;
        then wake the streams concerned."""
        watched = set(self._watchers)
        now = time.monotonic()
        full = full or self._notified_all or now - self._last_full >= SAFETY_POLL_S
        liveness = now - self._last_liveness >= LIVENESS_S
        candidates = (watched | {ACCOUNTS}) if full else \
            (self._notified & (watched | {ACCOUNTS}))
        self._notified, self._notified_all = set(), False
        if not candidates and not liveness:
            return  # nothing this process shows changed: no read at all
        try:
            new_versions, reread, seen = await asyncio.to_thread(
                self._poll, sorted(candidates), dict(self._versions), watched, liveness)
        except BaseException:
            self._notified |= candidates  # read again at the next tick
            raise
        self.polls += 1
        if full:
            self._last_full = now
        if self._failing:
            log.info("live feed: database back")
            self._failing = False
        if liveness:
            self._last_liveness = now
            for site_id, kiosks in seen.items():
                rows = self.rows.get(site_id)
                if rows is not None and site_id not in reread:
                    # In place, no new generation: the shared panels show it at their next
                    # rendering (live_render.MAX_AGE_S), not every page at every liveness read.
                    for k in rows.kiosks:
                        k["last_seen"] = kiosks.get(k["kiosk_id"], k["last_seen"])
        for site_id, rows in reread.items():
            if site_id in self._watchers:
                self.rows[site_id] = rows
                self._bump(site_id)
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
    def _poll(self, candidates: list[int], versions: dict[int, int], watched: set[int],
              liveness: bool) -> tuple[dict[int, int], dict[int, SiteRows],
                                       dict[int, dict[int, Any]]]:
        c = t.live_changes.c
        with self.engine.connect() as conn:
            current: dict[int, int] = {}
            for i in range(0, len(candidates), CHUNK):
                current.update((r.site_id, int(r.version)) for r in conn.execute(
                    sa.select(c.site_id, c.version)
                    .where(c.site_id.in_(candidates[i:i + CHUNK]))))
            # A site first read before its first mark has no counter: version 0.
            new_versions = {s: v for s, v in current.items() if versions.get(s, 0) != v}
            reread = {s: site_rows(conn, s) for s in sorted(new_versions)
                      if s in watched and s != ACCOUNTS}
            seen: dict[int, dict[int, Any]] = {}
            if liveness and watched:
                seen = _last_seen(conn, watched)
        return new_versions, reread, seen

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
    for i in range(0, len(ids), CHUNK):
        q = (sa.select(t.kiosks.c.site_id, t.kiosk_status.c.kiosk_id, t.kiosk_status.c.last_seen)
             .select_from(t.kiosk_status.join(t.kiosks))
             .where(t.kiosks.c.site_id.in_(ids[i:i + CHUNK])))
        for r in conn.execute(q):
            out.setdefault(r.site_id, {})[r.kiosk_id] = _aware(r.last_seen)
    return out


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:  # SQLite gives naive UTC
        return value.replace(tzinfo=dt.UTC)
    return value


def listen(engine: Engine, loop: asyncio.AbstractEventLoop, feed: LiveFeed,
           nudge: asyncio.Event, stop: threading.Event) -> None:
    """PostgreSQL: LISTEN for the writers' NOTIFY (live_changes.mark), hand the sites they
    name to the feed and make it read at once. At each (re)connection the feed reads every
    counter it shows: a notification sent while nobody listened is not lost that way."""
    import psycopg

    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def hand(payload: str | None) -> None:
        feed.notified(payload)
        nudge.set()

    while not stop.is_set():
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                loop.call_soon_threadsafe(hand, None)
                feed.listening.set()
                while not stop.is_set():
                    for note in conn.notifies(timeout=1.0):
                        loop.call_soon_threadsafe(hand, note.payload)
        except (psycopg.Error, OSError, RuntimeError):  # away, or the loop closed: again later
            feed.listening.clear()
            stop.wait(1.0)
    feed.listening.clear()
