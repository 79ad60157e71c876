"""The official sites opened in the kiosks' browser, as the console reads them: per allowlist
key (never an address), sessions and minutes, protected against small counts.

Which sites a place's residents open says something about them (the MSA for farm workers, a
rare local site): like survey answers, the sessions are protected on site x month atoms
(kiosk_server.disclosure, docs/privacy.md), read from the M rows of ``agg_official_sites``, and
never published for one kiosk. A hidden atom's minutes are never shown either, not even
summed: the minutes of a site count only its visible atoms.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.disclosure import Masked, protect
from kiosk_server.queries import Period, Scope, site_month_place
from kiosk_wire.schema import OfficialSite

OFFICIAL_SITES = tuple(s.value for s in OfficialSite)


@dataclass(frozen=True)
class OfficialSitesRead:
    """Official sites over the months of a period, protected: ``rows`` the sites with a
    publishable count (sessions and minutes of their visible atoms), most opened first;
    ``masked`` the sessions of the hidden atoms (their minutes are never published)."""

    rows: list[dict[str, Any]]
    masked: int


@dataclass
class MonthSums:
    """What the published figures of some months are sums of. Each site x month atom row is
    protected on its own (kiosk_server.disclosure), so a period's sums are the sums of its
    months': the console keeps each month's (kiosk_server.console.site_months) instead of
    protecting a national year's atoms, a quarter of a million, on every view."""

    sessions: dict[str, int] = field(default_factory=dict)  # of the visible atoms
    minutes: dict[str, int] = field(default_factory=dict)   # of the visible atoms
    masked: int = 0                                         # sessions of the hidden atoms

    def add(self, other: MonthSums) -> None:
        for key, n in other.sessions.items():
            self.sessions[key] = self.sessions.get(key, 0) + n
        for key, m in other.minutes.items():
            self.minutes[key] = self.minutes.get(key, 0) + m
        self.masked += other.masked


def month_sums(conn: Connection, scope: Scope, first: dt.date, last: dt.date, threshold: int
               ) -> MonthSums:
    """The protected sums of the months from ``first`` to ``last`` (first days of months)."""
    a = t.agg_official_sites
    q = (sa.select(a.c.site_id, a.c.period, a.c.site, sa.func.sum(a.c.sessions),
                   sa.func.sum(a.c.minutes))
         .where(a.c.grain == "M", *site_month_place(a, scope), a.c.period >= first,
                a.c.period <= last)
         .group_by(a.c.site_id, a.c.period, a.c.site))
    found = [(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in conn.execute(q)]
    row = protect((((site_id, month, "official_sites"), key, n)
                   for site_id, month, key, n, _m in found), OFFICIAL_SITES, threshold)
    out = MonthSums(masked=row.masked)
    out.sessions = {key: n for key, n in row.cells.items() if not isinstance(n, Masked) and n}
    for site_id, month, key, _n, m in found:
        if ((site_id, month, "official_sites"), key) not in row.hidden_atoms:
            out.minutes[key] = out.minutes.get(key, 0) + m
    return out


def published(sums: MonthSums) -> OfficialSitesRead:
    """The sites shown, most opened first, and the masked sessions."""
    # A site whose every atom is hidden is left out (twelve "masqué" lines for a small place's
    # quiet month would say nothing): its sessions are in ``masked`` with the others hidden.
    shown = [(key, n) for key, n in sums.sessions.items() if n > 0]
    shown.sort(key=lambda kn: (-kn[1], -sums.minutes.get(kn[0], 0), kn[0]))
    rows = [{"site": key, "sessions": n, "minutes": sums.minutes.get(key, 0)}
            for key, n in shown]
    return OfficialSitesRead(rows, sums.masked)


def official_sites(conn: Connection, scope: Scope, period: Period, threshold: int
                   ) -> OfficialSitesRead | None:
    """Per official site (allowlist key): the sessions that opened it and the minutes spent
    on it, over the months of the period, most opened first. None for one kiosk."""
    if scope.kiosk_id is not None:
        return None
    first, last = period.months()
    return published(month_sums(conn, scope, first, last, threshold))
