"""Sending the anonymised session records of the local queue to the central server.

- A record leaves the queue (``LocalStore.acknowledge``) only after the server answered 200 for a
  batch holding it; ``event_id`` makes every re-send harmless (the server stores it once), so a
  crash at any moment neither loses nor duplicates anything.
- Failures (offline, 5xx, 429) postpone the batch with exponential backoff and jitter, per record
  (``attempts`` in the queue); when the server says when to come back (``Retry-After`` of a 429,
  or of the 503 it sheds load with), exactly that, plus up to half of it at random: no backoff
  stacked on top, which after a long outage would keep a kiosk away long after the server is
  ready for it. A batch refused as not following the schema (422) is retried
  without the refused record(s), which stay queued with a long delay: never deleted, never
  blocking the others.
- The connection is the :class:`~kiosk.sync.link.ServerLink`'s (TLS verified, token in a header).

``SyncClient.sync_once()`` is synchronous (tests, ``kiosk doctor``); ``start()``/``stop()`` run it
in a background thread every ``sync.interval_s``; ``wake()`` asks for a send now (a session just
ended). The thread opens its own connection to the local store (SQLite connections are not shared
between threads).
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kiosk.storage import LocalStore, QueuedRecord, StoreError
from kiosk.sync.link import LinkError, ServerLink

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_MAX_S = 3600.0
REFUSED_DELAY_S = 24 * 3600.0  # a record the server refuses waits for a software update


class _Next(Enum):
    GO_ON = "go_on"
    SMALLER = "smaller"
    STOP = "stop"


class SyncOutcome(str, Enum):
    IDLE = "idle"                  # nothing due
    SENT = "sent"                  # everything due was acknowledged
    OFFLINE = "offline"            # unreachable, 5xx or 429: retried with backoff
    UNAUTHORIZED = "unauthorized"  # token unknown or revoked: an installer must act
    REFUSED = "refused"            # some records refused by the server's schema
    DISABLED = "disabled"          # no server configured


@dataclass
class SyncReport:
    outcome: SyncOutcome = SyncOutcome.IDLE
    acknowledged: int = 0
    postponed: int = 0
    refused: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


def backoff_delay(attempts: int, rng: random.Random) -> float:
    """Exponential backoff with jitter (0.5x..1.5x), capped at an hour."""
    delay = float(min(BACKOFF_MAX_S, BACKOFF_BASE_S * (2 ** min(attempts, 20))))
    return delay * rng.uniform(0.5, 1.5)


def _refused_indexes(body: Any, size: int) -> set[int]:
    """Indexes of records named in a 422 answer (``loc`` = ["body", "records", i, ...])."""
    found: set[int] = set()
    details = body.get("details", []) if isinstance(body, dict) else []
    for d in details if isinstance(details, list) else []:
        loc = d.get("loc", []) if isinstance(d, dict) else []
        if len(loc) >= 3 and loc[1] == "records" and str(loc[2]).isdigit() and int(loc[2]) < size:
            found.add(int(loc[2]))
    return found


class SyncClient:
    def __init__(self, store: LocalStore, link: ServerLink | None, batch_size: int = 200,
                 interval_s: float = 60.0, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None) -> None:
        self.store = store
        self.link = link
        self.batch_size = batch_size
        self.interval_s = interval_s
        self.clock = clock
        self.rng = rng or random.Random()
        self.last_report = SyncReport(SyncOutcome.DISABLED if link is None else SyncOutcome.IDLE)
        self._ever_connected: bool | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one pass ------------------------------------------------------------------------------
    def sync_once(self, store: LocalStore | None = None,
                  client: Any = None) -> SyncReport:
        """Send every due record in batches until the queue is drained or a send fails."""
        store = store or self.store
        report = SyncReport()
        if self.link is None:
            report.outcome = SyncOutcome.DISABLED
            self.last_report = report
            return report
        own_client = client is None
        client = client or self.link.client()
        try:
            batch_size = self.batch_size
            while True:
                due = store.due(self.clock(), batch_size)
                if not due:
                    break
                report.batches += 1
                step = self._send(store, client, due, report)
                if step is _Next.SMALLER:
                    batch_size = max(1, len(due) // 2)
                elif step is _Next.STOP:
                    break
        finally:
            if own_client:
                client.close()
        if report.outcome is SyncOutcome.IDLE and report.acknowledged:
            report.outcome = SyncOutcome.SENT
        if report.outcome in (SyncOutcome.SENT, SyncOutcome.REFUSED):
            self._ever_connected = True
        elif report.outcome in (SyncOutcome.OFFLINE, SyncOutcome.UNAUTHORIZED):
            self._ever_connected = False
        self.last_report = report
        return report

    def _send(self, store: LocalStore, client: Any, due: list[QueuedRecord],
              report: SyncReport) -> _Next:
        ids = [r.event_id for r in due]
        try:
            answer = ServerLink.call(client, "POST", "/api/v1/events",
                                     {"records": [r.payload for r in due]})
        except LinkError as err:
            return self._failed(store, due, err, report)
        accepted = set(answer.get("accepted", [])) if isinstance(answer, dict) else set()
        acked = [i for i in ids if i in accepted]
        store.acknowledge(acked)
        report.acknowledged += len(acked)
        missing = [r for r in due if r.event_id not in accepted]
        if missing:  # a server that did not confirm a record: keep it, try later
            self._postpone(store, missing, report)
            return _Next.STOP
        return _Next.GO_ON

    def _failed(self, store: LocalStore, due: list[QueuedRecord], err: LinkError,
                report: SyncReport) -> _Next:
        report.errors.append(str(err.status) if err.status else str(err))
        if err.status == 401:
            report.outcome = SyncOutcome.UNAUTHORIZED
            log.error("the server refuses this kiosk's token (401): check sync.token")
            return _Next.STOP
        if err.status == 413 and len(due) > 1:
            return _Next.SMALLER
        if err.status == 422:
            bad = _refused_indexes(err.body, len(due))
            if not bad and len(due) > 1:
                return _Next.SMALLER  # the server did not say which: narrow it down
            refused = [due[i] for i in sorted(bad)] if bad else due
            store.postpone([r.event_id for r in refused], self.clock() + REFUSED_DELAY_S)
            report.refused += len(refused)
            report.outcome = SyncOutcome.REFUSED
            log.error("the server refused %d record(s) as not following its schema; they "
                      "stay queued (an update of the kiosk or server is needed)", len(refused))
            return _Next.GO_ON  # the others are sent again at once, without them
        report.outcome = SyncOutcome.OFFLINE
        self._postpone(store, due, report, err.retry_after)
        return _Next.STOP

    def _postpone(self, store: LocalStore, records: list[QueuedRecord], report: SyncReport,
                  at_least: float | None = None) -> None:
        attempts = max(r.attempts for r in records)
        # The server's Retry-After (429, or 503 when it sheds load) with up to half of it again
        # at random: the kiosks it refused together come back spread out. Without one (offline,
        # a 5xx), our own exponential backoff.
        if at_least is not None:
            delay = at_least * self.rng.uniform(1.0, 1.5)
        else:
            delay = backoff_delay(attempts, self.rng)
        store.postpone([r.event_id for r in records], self.clock() + delay)
        report.postponed += len(records)

    # --- background thread --------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None or self.link is None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)
        self._thread.start()

    @property
    def connected(self) -> bool | None:
        """For the mediator panel: None before any attempt, else whether the server answered."""
        outcome = self.last_report.outcome
        if outcome in (SyncOutcome.OFFLINE, SyncOutcome.UNAUTHORIZED):
            return False
        if outcome in (SyncOutcome.SENT, SyncOutcome.REFUSED):
            return True
        return self._ever_connected

    def flush(self) -> SyncReport:
        """Send everything due now, on the caller's thread (e.g. before the demo stops)."""
        return self.sync_once()

    def wake(self) -> None:
        """Send now rather than at the next interval (e.g. a session has just ended)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        try:
            store = LocalStore(self.store.path)
        except StoreError as err:
            log.error("sync cannot open the local store: %s", err)
            return
        assert self.link is not None
        try:
            with self.link.client() as client:
                while True:
                    # The pass after stop() is a last flush: records of the sessions that just
                    # ended leave before the kiosk shuts down, when the server is reachable.
                    last = self._stop.is_set()
                    try:
                        self.sync_once(store, client)
                    except StoreError as err:
                        log.error("sync: local store error: %s", err)
                    except Exception:  # never let the sync thread die silently
                        log.exception("sync pass failed")
                    if last:
                        break
                    self._wake.wait(self.interval_s)
                    self._wake.clear()
        finally:
            store.close()


def queue_status(store: LocalStore) -> dict[str, Any]:
    """For doctor and heartbeats: how many records wait, and the oldest one's age."""
    oldest = next(iter(store.iter_all()), None)
    return {"queue_length": store.queue_length(),
            "oldest_age_s": time.time() - oldest.queued_at if oldest else 0.0}
