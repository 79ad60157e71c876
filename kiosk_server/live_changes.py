"""Change markers for the mediators' live view: one counter per site in ``live_changes``.

A write the live view must show (a kiosk's state, a help request, a command) calls
:func:`mark` in its own transaction, so the mark is seen exactly when the change is committed,
by every server process (each one's feed polls the table: kiosk_server/console/live_feed.py).
``ACCOUNTS`` (site 0) marks a change of console accounts or places: open live pages re-read
their user. A heartbeat that changes nothing marks nothing: the cost of the live view follows
the changes, not the heartbeats nor the open pages.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from kiosk_server import tables as t

ACCOUNTS = 0
CHANNEL = "kiosk_live_changes"  # PostgreSQL NOTIFY: each process's feed polls at once


def mark(conn: Connection, site_ids: Iterable[int | None]) -> None:
    """Count one change for each site (in the caller's transaction). Sorted: two transactions
    marking the same sites lock their rows in one order."""
    ids = sorted({int(s) for s in site_ids if s is not None})
    if not ids:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    at = dt.datetime.now(dt.UTC)
    for site_id in ids:
        stmt = dialect.insert(t.live_changes).values(site_id=site_id, version=1, changed_at=at)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[t.live_changes.c.site_id],
            set_={"version": t.live_changes.c.version + 1, "changed_at": stmt.excluded.changed_at}))
    if conn.dialect.name == "postgresql":  # delivered at commit, to every listening process
        conn.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))


def mark_accounts(conn: Connection) -> None:
    mark(conn, [ACCOUNTS])
