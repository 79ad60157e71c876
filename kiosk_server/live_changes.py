"""Change markers for the mediators' live view: one counter per site in ``live_changes``.

A write the live view must show (a kiosk's state, a help request, a command) calls
:func:`mark` in its own transaction, so the mark is seen exactly when the change is committed,
by every server process (each one's feed reads the counters of the sites it shows:
kiosk_server/console/live_feed.py; on PostgreSQL a NOTIFY at commit names the sites).
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
# The NOTIFY payload names the sites changed (comma-separated), so a feed reads only those it
# shows; beyond this length (PostgreSQL allows 8,000 bytes) it says EVERY: check all of them.
EVERY = "*"
PAYLOAD_MAX = 7000


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
        conn.execute(sa.select(sa.func.pg_notify(CHANNEL, payload(ids))))


def payload(site_ids: list[int]) -> str:
    text = ",".join(map(str, site_ids))
    return text if len(text) <= PAYLOAD_MAX else EVERY


def sites_of(text: str) -> set[int] | None:
    """The sites a NOTIFY payload names; None: every site (or a payload not understood)."""
    try:
        return {int(s) for s in text.split(",")} if text and text != EVERY else None
    except ValueError:
        return None


def mark_accounts(conn: Connection) -> None:
    mark(conn, [ACCOUNTS])
