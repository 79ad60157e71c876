"""The kiosk's local store: one SQLite file through sqlite-utils.

- Schema changes only through the ``MIGRATIONS`` below (sqlite-utils ``Migrations``).
- WAL journal, and ``synchronous=FULL`` so a committed record of the outgoing statistics queue
  survives a power cut.
- Multi-step writes go through ``db.atomic()``.

The outbox holds anonymised session records (already validated against kiosk_wire.schema) until the
server acknowledges them; ``event_id`` is the primary key, so inserting the same record twice is
a no-op (this is what makes crash recovery and re-sends exactly-once).
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def _without_numpy() -> Iterator[None]:
    """sqlite-utils imports numpy (and pandas) when installed, only to accept their types in
    inserts. The store writes plain values; numpy would cost the kiosk ~15 MB of memory and
    ~0.1 s at start, although only an ID copy's card detection needs it, later. A None entry in
    sys.modules makes that optional import fail; it is removed at once, so a later
    `import numpy` works as usual."""
    blocked = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


with _without_numpy():
    import sqlite_utils
    from sqlite_utils import Migrations

MIGRATIONS = Migrations("kiosk-local")


@MIGRATIONS()
def m001_outbox(db: sqlite_utils.Database) -> None:
    db.table("outbox").create(
        {
            "event_id": str,
            "payload": str,        # the record as JSON (kiosk_wire.schema.SessionRecord.to_wire)
            "queued_at": float,    # unix time, for the backlog age shown in doctor/heartbeat
            "attempts": int,
            "next_attempt_at": float,
        },
        pk="event_id",
        not_null={"payload", "queued_at"},
        defaults={"attempts": 0, "next_attempt_at": 0.0},
    )


@MIGRATIONS()
def m002_kv(db: sqlite_utils.Database) -> None:
    # Small key/value settings owned by the kiosk itself (enrolled badge hashes, pushed settings).
    db.table("kv").create({"key": str, "value": str, "updated_at": float}, pk="key")


class StoreError(Exception):
    """The local store cannot be opened or written (unwritable path, disk full, corruption)."""


@dataclass(frozen=True)
class QueuedRecord:
    event_id: str
    payload: dict[str, Any]
    queued_at: float
    attempts: int


class LocalStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=10, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=10000")
            MIGRATIONS.apply(self.db)
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"local store {path}: {err}") from err

    @classmethod
    def in_memory(cls) -> LocalStore:
        return cls(":memory:")

    def close(self) -> None:
        self.db.close()

    # --- outbox -------------------------------------------------------------------------------
    def enqueue(self, event_id: str, payload: dict[str, Any], now: float | None = None) -> bool:
        """Queue a record durably; returns False when that event_id was already queued."""
        try:
            with self.db.atomic():
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO outbox (event_id, payload, queued_at, attempts, "
                    "next_attempt_at) VALUES (?, ?, ?, 0, 0)",
                    [event_id, json.dumps(payload, sort_keys=True),
                     time.time() if now is None else now],
                )
            return cursor.rowcount == 1
        except sqlite3.Error as err:
            raise StoreError(f"cannot queue record: {err}") from err

    def has_event(self, event_id: str) -> bool:
        row = self.db.execute("SELECT 1 FROM outbox WHERE event_id = ?", [event_id]).fetchone()
        return row is not None

    def queue_length(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def due(self, now: float, limit: int) -> list[QueuedRecord]:
        """Records whose next attempt is due, oldest first."""
        rows = self.db.execute(
            "SELECT event_id, payload, queued_at, attempts FROM outbox "
            "WHERE next_attempt_at <= ? ORDER BY queued_at, event_id LIMIT ?",
            [now, limit],
        ).fetchall()
        return [QueuedRecord(r[0], json.loads(r[1]), r[2], r[3]) for r in rows]

    def iter_all(self) -> Iterator[QueuedRecord]:
        for r in self.db.execute(
            "SELECT event_id, payload, queued_at, attempts FROM outbox ORDER BY queued_at"
        ):
            yield QueuedRecord(r[0], json.loads(r[1]), r[2], r[3])

    def acknowledge(self, event_ids: list[str]) -> None:
        """The server has stored these: only now do they leave the queue."""
        if not event_ids:
            return
        with self.db.atomic():
            self.db.conn.executemany("DELETE FROM outbox WHERE event_id = ?",
                                     [[e] for e in event_ids])

    def postpone(self, event_ids: list[str], next_attempt_at: float) -> None:
        if not event_ids:
            return
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE event_id = ?",
                [[next_attempt_at, e] for e in event_ids],
            )

    # --- key/value ----------------------------------------------------------------------------
    def kv_get(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def kv_set(self, key: str, value: Any) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                [key, json.dumps(value), time.time()],
            )

    # --- health -------------------------------------------------------------------------------
    def integrity_ok(self) -> bool:
        return bool(self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def schema_migrations(self) -> list[str]:
        return [m.name for m in MIGRATIONS.applied(self.db)]


def store_path(data_dir: Path) -> Path:
    return data_dir / "kiosk.sqlite"
