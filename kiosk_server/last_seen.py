"""``last_seen`` of the heartbeats that change nothing, written in batches.

Nine heartbeats in ten say what the kiosk's last one said; their only news is the time. Each
server process keeps those times in a :class:`LastSeenBuffer` and writes them every
``FLUSH_S`` seconds (:func:`flush_period`) in one statement for all its kiosks (on PostgreSQL
an ``UPDATE .. FROM unnest(..)``), instead of one ``UPDATE`` per heartbeat. The buffer is
flushed when the process stops (the app's lifespan), and a failed flush keeps its times for the
next one.

What reads ``last_seen`` stays right: the live view shows a kiosk offline after
``OFFLINE_AFTER_HEARTBEATS`` heartbeats of silence (90 s at the default 30 s), far more than
``FLUSH_S`` late; "hors ligne depuis" is the last heartbeat's time, at most ``FLUSH_S`` early
if a process dies without stopping (kill -9). A time never moves ``last_seen`` backwards:
another process may have written a later one.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk_server import tables as t

log = logging.getLogger(__name__)

FLUSH_S = 2.0


def flush_period(heartbeat_s: float) -> float:
    """``FLUSH_S``, or half a heartbeat if shorter (a test fleet beating every second): a
    kiosk's stored ``last_seen`` is then never more than a heartbeat and a half old, well
    within the live view's offline threshold of three."""
    return min(FLUSH_S, heartbeat_s / 2)

_PG_FLUSH = sa.text(
    "UPDATE kiosk_status AS s SET last_seen = v.at "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:ats AS timestamptz[])) AS v(kiosk_id, at) "
    "WHERE s.kiosk_id = v.kiosk_id AND s.last_seen < v.at")


class LastSeenBuffer:
    """Heartbeat times not yet written, by kiosk (the latest only). Thread-safe: heartbeats
    are answered in worker threads, the flush runs in another."""

    def __init__(self, engine: Engine, flush_s: float = FLUSH_S) -> None:
        self.engine, self.flush_s = engine, flush_s
        self._pending: dict[int, dt.datetime] = {}
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time (the loop's, the last one)
        self.flushes = 0  # statements written (for tests and the bench)

    def note(self, kiosk_id: int, at: dt.datetime) -> None:
        with self._lock:
            before = self._pending.get(kiosk_id)
            if before is None or at > before:
                self._pending[kiosk_id] = at

    def latest(self, kiosk_id: int) -> dt.datetime | None:
        """This process's last unwritten heartbeat time of the kiosk, if any."""
        with self._lock:
            return self._pending.get(kiosk_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write the buffered times (one statement); returns how many kiosks. On a database
        error the times go back to the buffer (a later one noted meanwhile wins) and the error
        is raised."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return 0
            try:
                with self.engine.begin() as conn:
                    _write(conn, batch)
            except sa.exc.SQLAlchemyError:
                with self._lock:
                    for kiosk_id, at in batch.items():
                        if kiosk_id not in self._pending or self._pending[kiosk_id] < at:
                            self._pending[kiosk_id] = at
                raise
            self.flushes += 1
            return len(batch)

    def flush_quietly(self) -> None:
        """A flush whose failure is logged, not raised (the database may be away: the times
        wait for the next one)."""
        try:
            self.flush()
        except sa.exc.SQLAlchemyError as err:
            log.warning("last_seen not written yet (%s); kept for the next flush",
                        type(err).__name__)


def _write(conn: sa.Connection, batch: dict[int, dt.datetime]) -> None:
    ids = sorted(batch)  # rows locked in one order by every process: no deadlock
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_FLUSH, {"ids": ids, "ats": [batch[i] for i in ids]})
        return
    s = t.kiosk_status.c
    conn.execute(t.kiosk_status.update()
                 .where(s.kiosk_id == sa.bindparam("k"), s.last_seen < sa.bindparam("at"))
                 .values(last_seen=sa.bindparam("at")),
                 [{"k": i, "at": batch[i]} for i in ids])
