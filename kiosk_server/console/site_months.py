"""Per site and month, what "Sites côte à côte" and a site's position against its territory's
median are sums of: sessions, practice attempts and completions, and the autonomy levels'
publishable attempts; read for all the sites of a territory at once and kept between requests.

Why kept: the biggest territory of a national fleet has hundreds of sites (10 M records a
year: ~380 sites, 700,000 autonomy atoms over 12 months; whole months are read from the
site x month rows, M, migration 0018, where the daily rows were a million session rows and
two million activity rows), so reading them on every view of Synthèse costs seconds. A
month's figures change only when a record of that month is ingested, and every ingested record
adds one session to its month's national hour-of-week row (``agg_hours``, grain N, a few dozen
rows a month): that count is the month's *version*. A month kept with the version it was read
at is reused while the version has not moved; this month, in production, is read again on
nearly every view (records keep coming), a past month again when a late record arrives.

Kept per database engine (a server process's database), at most MAX_ENTRIES months of site
lists. Days at the edges of a custom period (part of a month) are read every time, uncached.
"""
from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import queries as q
from kiosk_server import tables as t
from kiosk_server.disclosure import hidden_cells
from kiosk_server.queries import Period

MAX_ENTRIES = 2048  # months of a site list or of a site, per engine: tens of MB at most


@dataclass
class SiteFigures:
    """One site's sums over some days or months."""

    sessions: int = 0
    attempts: int = 0     # practice attempts (activities of kind "practice")
    completed: int = 0
    published: int = 0    # autonomy-assessed attempts outside hidden atoms (disclosure)
    autonomous: int = 0   # of which assessed "autonomous", visible atoms only

    def add(self, other: SiteFigures) -> None:
        self.sessions += other.sessions
        self.attempts += other.attempts
        self.completed += other.completed
        self.published += other.published
        self.autonomous += other.autonomous


T = TypeVar("T")
_Entry = tuple[Any, Any]  # (the version of its month or months, what was read)
_caches: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], _Entry]] = \
    weakref.WeakKeyDictionary()
_lock = threading.Lock()


def site_figures(conn: Connection, site_ids: list[int], period: Period, threshold: int
                 ) -> dict[int, SiteFigures]:
    """Per site of ``site_ids``: sessions and practice over the period's days, autonomy over
    the months it touches (as kiosk_server.queries.autonomy_by_procedure reads them)."""
    out = {s: SiteFigures() for s in site_ids}
    if not site_ids:
        return out
    months = _months(period)
    versions = month_versions(conn, period)
    key_sites = tuple(sorted(site_ids))
    for month in months:
        month_end = _month_end(month)
        whole = period.start <= month and month_end <= period.end
        figures = _month(conn, key_sites, month, versions.get(month, 0), threshold)
        for site_id, f in figures.items():
            if whole:
                out[site_id].add(f)
            else:  # the month's autonomy only; its days inside the period are read below
                out[site_id].published += f.published
                out[site_id].autonomous += f.autonomous
        if not whole:
            days = Period(max(period.start, month), min(period.end, month_end))
            for site_id, f in _sums(conn, key_sites, "D", days).items():
                out[site_id].add(f)
    return out


def _month(conn: Connection, sites: tuple[int, ...], month: dt.date, version: int,
           threshold: int) -> dict[int, SiteFigures]:
    def read() -> dict[int, SiteFigures]:
        figures = _sums(conn, sites, "M", Period(month, month))
        for site_id, (published, alone) in _autonomy(conn, sites, month, threshold).items():
            f = figures.setdefault(site_id, SiteFigures())
            f.published, f.autonomous = published, alone
        return figures

    return kept(conn, ("sites", sites, threshold), month, version, read)


def kept(conn: Connection, key: tuple[Any, ...], month: dt.date, version: Any,
         read: Callable[[], T]) -> T:
    """``read()``'s answer for one month, kept while the month's version (month_versions())
    is the one it was read at. The answer is shared: callers must not change it."""
    cache = _cache_of(conn)
    if cache is None:
        return read()
    full_key = (*key, month)
    with _lock:
        found = cache.get(full_key)
        if found is not None and found[0] == version:
            cache.move_to_end(full_key)
            return found[1]  # type: ignore[no-any-return]
    value = read()
    with _lock:
        cache[full_key] = (version, value)
        cache.move_to_end(full_key)
        while len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)
    return value


def each_month(conn: Connection, key: tuple[Any, ...], period: Period,
               read: Callable[[dt.date], T]) -> list[tuple[dt.date, T]]:
    """``read(month)`` for each month the period touches, each kept (kept()) under ``key``
    while its month's version holds: for figures that are sums of their months'."""
    versions = month_versions(conn, period)
    return [(month, kept(conn, key, month, versions.get(month, 0),
                         lambda month=month: read(month)))  # type: ignore[misc]
            for month in _months(period)]


def _cache_of(conn: Connection) -> OrderedDict[tuple[Any, ...], _Entry] | None:
    engine = getattr(conn, "engine", None)
    if engine is None:
        return None
    with _lock:
        return _caches.setdefault(engine, OrderedDict())


def month_parts(period: Period) -> list[Period]:
    """The period as each of its whole months and the days at either end (for sums)."""
    parts = []
    for month in _months(period):
        part = Period(max(period.start, month), min(period.end, _month_end(month)))
        parts.append(part)
    return parts


def months_of(period: Period) -> list[dt.date]:
    """The first days of the months the period touches."""
    return _months(period)


def month_versions(conn: Connection, period: Period) -> dict[dt.date, int]:
    """Each month's national session count (see the module docstring)."""
    months = _months(period)
    h = t.agg_hours
    rows = conn.execute(
        sa.select(h.c.period, sa.func.sum(h.c.sessions))
        .where(h.c.grain == "N", h.c.site_id == 0, h.c.period >= months[0],
               h.c.period <= months[-1]).group_by(h.c.period))
    return {period: int(n) for period, n in rows}


def _sums(conn: Connection, sites: tuple[int, ...], grain: str, days: Period
          ) -> dict[int, SiteFigures]:
    """Sessions and practice of the sites over some days (grain D) or whole months (M: a
    month of 380 sites is a few thousand rows, where its days were a hundred thousand)."""
    a, act = t.agg_sessions, t.agg_activities
    out: dict[int, SiteFigures] = {}
    for site_id, n in conn.execute(
            sa.select(a.c.site_id, sa.func.sum(a.c.sessions))
            .where(a.c.grain == grain, a.c.site_id.in_(sites), a.c.period >= days.start,
                   a.c.period <= days.end).group_by(a.c.site_id)):
        out.setdefault(int(site_id), SiteFigures()).sessions = int(n)
    for site_id, attempts, done in conn.execute(
            sa.select(act.c.site_id, sa.func.sum(act.c.activities), sa.func.sum(act.c.completed))
            .where(act.c.grain == grain, act.c.site_id.in_(sites), act.c.period >= days.start,
                   act.c.period <= days.end, act.c.kind == "practice")
            .group_by(act.c.site_id)):
        f = out.setdefault(int(site_id), SiteFigures())
        f.attempts, f.completed = int(attempts), int(done)
    return out


def _autonomy(conn: Connection, sites: tuple[int, ...], month: dt.date, threshold: int
              ) -> dict[int, tuple[int, int]]:
    """Per site, one month: (attempts outside hidden atoms, visible "autonomous" attempts),
    each atom row keyed and protected exactly as autonomy_by_procedure() does (through
    disclosure.protect), so the sums are those of the sites' own autonomy tables. Row by row
    here, without protect()'s published row, and read past the page's memo (kept() keeps the
    answer): the biggest territory's month is some 14,000 atom rows."""
    a = t.agg_autonomy
    rows: dict[tuple[int, Any], dict[str, int]] = {}
    for procedure_id, site_id, period, level, n in _direct(conn).execute(
            sa.select(a.c.procedure_id, a.c.site_id, a.c.period, a.c.autonomy,
                      sa.func.sum(a.c.activities))
            .where(a.c.grain == "M", a.c.site_id.in_(sites), a.c.period == month)
            .group_by(a.c.procedure_id, a.c.site_id, a.c.period, a.c.autonomy)):
        if level not in _LEVELS:
            raise ValueError(f"unknown categories {[level]}")
        rows.setdefault((int(site_id), (site_id, period, procedure_id)), {})[level] = int(n)
    out: dict[int, tuple[int, int]] = {}
    for (site_id, key), counts in rows.items():
        hidden = hidden_cells({c: counts.get(c, 0) for c in q.AUTONOMY_LEVELS}, threshold, key)
        published, alone = out.get(site_id, (0, 0))
        published += sum(n for c, n in counts.items() if c not in hidden)
        if "autonomous" not in hidden:
            alone += counts.get("autonomous", 0)
        out[site_id] = (published, alone)
    return out


_LEVELS = frozenset(q.AUTONOMY_LEVELS)


def _direct(conn: Connection) -> Connection:
    """The connection under a page's MemoConnection (figures_base): a read kept between
    requests is not worth copying into the page's memo too."""
    return getattr(conn, "direct", conn)


def _months(period: Period) -> list[dt.date]:
    first, last = period.months()
    out = []
    while first <= last:
        out.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return out


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
