"""Retention: raw session records older than ``server.retention_months`` are deleted, and so are
the monthly reports (kiosk_server.monthly_reports) of the months they summarised.

Aggregates are maintained in the same transaction as the raw insert, so every raw record is
already aggregated when it is stored; deleting old raw rows never changes a console figure, and
kiosk_server.rebuild never rebuilds a purged period (nor a month this purge left half-done: it
deletes in chunks, one transaction each). Idempotent, so any server process may run it (each
does at start and then daily).

Why the reports go too: a report is a copy of figures the console keeps in its aggregates, so
deleting it loses nothing -- the printable summary still draws the same month's PDF on demand
(*Télécharger le PDF*) --, while keeping it would grow the database by ~26 KB per site and
month with no end (2,000 sites: 600 MB a year). The rule stays the one a reader of the privacy
notice was given: nothing stored per month outlives ``retention_months`` but the aggregates.
"""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk_server import tables as t

log = logging.getLogger(__name__)


def cutoff_day(today: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` months before today's month: older rows go."""
    index = today.year * 12 + (today.month - 1) - months
    return dt.date(index // 12, index % 12 + 1, 1)


def purge(engine: Engine, months: int, today: dt.date | None = None,
          chunk: int = 5000) -> int:
    """Delete raw records (and their activities and site uses) older than the cutoff; returns
    how many."""
    cutoff = cutoff_day(today or dt.date.today(), months)
    deleted = 0
    while True:
        with engine.begin() as conn:
            ids = conn.execute(sa.select(t.session_records.c.event_id)
                               .where(t.session_records.c.day < cutoff)
                               .limit(chunk)).scalars().all()
            if not ids:
                break
            conn.execute(t.activities.delete().where(t.activities.c.event_id.in_(ids)))
            conn.execute(t.site_uses.delete().where(t.site_uses.c.event_id.in_(ids)))
            conn.execute(t.session_records.delete().where(t.session_records.c.event_id.in_(ids)))
            deleted += len(ids)
    if deleted:
        log.info("retention: deleted %d raw session records before %s", deleted, cutoff)
    purge_reports(engine, cutoff)
    purge_live(engine)
    return deleted


def purge_reports(engine: Engine, cutoff: dt.date) -> int:
    """Delete the monthly reports of months before ``cutoff`` (the raw records' cutoff)."""
    with engine.begin() as conn:
        deleted = conn.execute(t.monthly_reports.delete()
                               .where(t.monthly_reports.c.month < cutoff)).rowcount
    if deleted:
        log.info("retention: deleted %d monthly reports before %s", deleted, cutoff)
    return deleted


LIVE_RETENTION_DAYS = 30


def purge_live(engine: Engine, now: dt.datetime | None = None) -> dict[str, int]:
    """The live tables' rules: help requests and kiosk commands are kept LIVE_RETENTION_DAYS
    (the console shows today's; the dashboards count help calls from the session records, not
    from here), expired console sign-ins and failed logins older than a day go."""
    now = now or dt.datetime.now(dt.UTC)
    old = now - dt.timedelta(days=LIVE_RETENTION_DAYS)
    with engine.begin() as conn:
        counts = {
            "help_requests": conn.execute(t.help_requests.delete()
                                          .where(t.help_requests.c.created_at < old)).rowcount,
            "kiosk_commands": conn.execute(t.kiosk_commands.delete()
                                           .where(t.kiosk_commands.c.created_at < old)).rowcount,
            "console_sessions": conn.execute(t.console_sessions.delete().where(
                t.console_sessions.c.expires_at < now)).rowcount,
            "login_failures": conn.execute(t.login_failures.delete().where(
                t.login_failures.c.at < now - dt.timedelta(days=1))).rowcount,
        }
    if any(counts.values()):
        log.info("retention: deleted %s", ", ".join(f"{n} {k}" for k, n in counts.items() if n))
    return counts
