"""Local store: migrations, WAL, durable idempotent outbox."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.storage import MIGRATIONS, LocalStore, StoreError


def test_store_applies_migrations_once_and_uses_wal(tmp_path):
    store = LocalStore(tmp_path / "k.sqlite")
    applied = store.schema_migrations()
    assert applied == [m.name for m in MIGRATIONS._migrations]
    store.close()
    again = LocalStore(tmp_path / "k.sqlite")
    assert again.schema_migrations() == applied
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_enqueue_is_idempotent_by_event_id(tmp_path):
    store = LocalStore(tmp_path / "k.sqlite")
    assert store.enqueue("e1", {"a": 1}) is True
    assert store.enqueue("e1", {"a": 2}) is False
    assert store.queue_length() == 1
    assert next(store.iter_all()).payload == {"a": 1}


def test_records_leave_the_queue_only_when_acknowledged(tmp_path):
    store = LocalStore(tmp_path / "k.sqlite")
    for i in range(3):
        store.enqueue(f"e{i}", {"i": i}, now=100 + i)
    due = store.due(now=1000, limit=2)
    assert [r.event_id for r in due] == ["e0", "e1"]
    store.postpone(["e0", "e1"], next_attempt_at=2000)
    assert [r.event_id for r in store.due(now=1000, limit=10)] == ["e2"]
    store.acknowledge(["e2"])
    assert store.queue_length() == 2
    assert [r.attempts for r in store.due(now=3000, limit=10)] == [1, 1]


def test_queued_records_survive_reopening(tmp_path):
    store = LocalStore(tmp_path / "k.sqlite")
    store.enqueue("e1", {"x": 1})
    store.close()
    assert LocalStore(tmp_path / "k.sqlite").has_event("e1")


def test_unusable_path_raises_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError):
        LocalStore(blocker / "k.sqlite")


def test_full_store_refuses_new_records_and_keeps_old_ones(tmp_path):
    store = LocalStore(tmp_path / "k.sqlite")
    store.enqueue("kept", {"x": 1})
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now "full"
    with pytest.raises(StoreError):
        for i in range(200):
            store.enqueue(f"e{i}", {"padding": "x" * 4000})
    assert store.has_event("kept")
    assert store.integrity_ok()


def test_kv_round_trips_json_values(tmp_path):
    store = LocalStore(tmp_path / "k.sqlite")
    store.kv_set("quota", {"pages": 20})
    store.kv_set("quota", {"pages": 10})
    assert store.kv_get("quota") == {"pages": 10}
    assert store.kv_get("missing", 5) == 5
    assert isinstance(store.db.conn, sqlite3.Connection)


def test_opening_the_store_does_not_load_numpy_but_numpy_still_works_after():
    # sqlite-utils would import numpy (~15 MB) for nothing: the kiosk's memory budget.
    import subprocess
    import sys
    code = ("import sys, kiosk.storage as s; st = s.LocalStore.in_memory(); "
            "assert 'numpy' not in sys.modules, 'numpy loaded by the store'; "
            "import numpy; print(numpy.zeros(2).sum())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "0.0"
