"""Comparisons for reporting upward: each key figure against the previous period and the same
period last year (the change said in words and with an arrow, never by colour alone); a
territory's sites side by side; a site against its territory's median.

A period that runs past today (this month, this year) is compared on its elapsed days only,
with the same days of the other periods: half a month against a whole one says nothing.
"""
from __future__ import annotations

import calendar
import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import live
from kiosk_server import queries as q
from kiosk_server import tables as t
from kiosk_server.console import labels as L
from kiosk_server.console import site_months
from kiosk_server.console.figures_base import Cell, Duration, Percent, Table
from kiosk_server.console.figures_overview import kpis
from kiosk_server.queries import Period


@dataclass(frozen=True)
class Change:
    """One key figure beside one other period."""

    against: str        # "la période précédente", "la même période l'an dernier"
    before: int | float
    words: str          # "en hausse de 12 %", "stable", "pas de données à comparer"
    arrow: str          # "▲", "▼", "=" or ""


def elapsed(period: Period, today: dt.date) -> Period:
    """The part of the period up to today (the whole period when it is over)."""
    return Period(period.start, min(period.end, max(today, period.start)))


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def previous(period: Period) -> Period:
    """The period of the same length just before: whole months give the months before."""
    if period.start.day == 1:
        months = (period.end.year - period.start.year) * 12 + period.end.month - \
            period.start.month + 1
        start = _shift_months(period.start, -months)
        end = _shift_months(period.end, -months)
        if period.whole_months:
            end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
        return Period(start, end)
    length = (period.end - period.start).days + 1
    return Period(period.start - dt.timedelta(days=length),
                  period.start - dt.timedelta(days=1))


def last_year(period: Period) -> Period:
    end = _shift_months(period.end, -12)
    if period.end == period.end.replace(day=calendar.monthrange(period.end.year,
                                                                period.end.month)[1]):
        end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return Period(_shift_months(period.start, -12), end)


def change(now: float, before: float, against: str) -> Change:
    if not before:
        return Change(against, before, "pas de données à comparer", "")
    ratio = (now - before) / before
    if abs(ratio) < 0.005:
        return Change(against, before, "stable", "=")
    pct = f"{abs(ratio) * 100:.0f} %"
    return Change(against, before, f"en hausse de {pct}" if ratio > 0 else f"en baisse de {pct}",
                  "▲" if ratio > 0 else "▼")


def kpis_compared(conn: Connection, scope: q.Scope, period: Period, today: dt.date
                  ) -> list[tuple[str, Cell, list[Change]]]:
    """The key figures of the period, each with its change against the previous period and
    the same period last year (on the elapsed days when the period runs past today)."""
    now = elapsed(period, today)
    current = kpis(conn, scope, period)
    partial = now != period
    base = kpis(conn, scope, now) if partial else current
    same_days = " (mêmes jours)" if partial else ""
    others = [(previous(now), "la période précédente" + same_days),
              (last_year(now), "la même période l'an dernier" + same_days)]
    compared = [kpis(conn, scope, p) for p, _ in others]
    out = []
    for i, (label, value) in enumerate(current):
        changes = [change(float(base[i][1]), float(c[i][1]), words)
                   for c, (_, words) in zip(compared, others, strict=True)]
        out.append((label, value, changes))
    return out


# --- sites side by side -------------------------------------------------------------------
SITE_COLUMNS = ["Site", "Sessions", "Démarches d'entraînement", "Taux de réussite",
                "Part « Autonome »", "Délai médian de réponse",
                "Bornes en défaut (maintenant)"]


def site_rows(conn: Connection, sites: list[tuple[int, str]], period: Period, threshold: int,
              heartbeat_s: int = 30) -> list[dict[str, Any]]:
    """Per site: sessions, practice attempts and completion, the share assessed "Autonome"
    (among publishable attempts, kiosk_server.disclosure), the median delay before "J'arrive",
    and how many of its kiosks report a device fault now (faults are not kept per day). The
    statistics come from site_months (all the sites in a few reads, months kept between
    views); the help calls in one read for all the sites."""
    ids = [s for s, _ in sites]
    if not ids:
        return []
    figures = site_months.site_figures(conn, ids, period, threshold)
    faulty = _kiosks_with_faults(conn, ids, heartbeat_s)
    waits = _help_waits(conn, ids, period)
    rows = []
    for site_id, name in sites:
        f = figures[site_id]
        site_waits = sorted(waits.get(site_id, []))
        rows.append({"site_id": site_id, "name": name, "sessions": f.sessions,
                     "attempts": f.attempts,
                     "completion": f.completed / f.attempts if f.attempts else None,
                     "autonomous": f.autonomous / f.published if f.published else None,
                     "wait_s": statistics.median(site_waits) if site_waits else None,
                     "faulty": faulty.get(site_id, 0)})
    return rows


def _help_waits(conn: Connection, site_ids: list[int], period: Period
                ) -> dict[int, list[float]]:
    """Per site, the seconds before "J'arrive" of its answered help calls in the period."""
    h = t.help_requests
    start = dt.datetime.combine(period.start, dt.time(), dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), dt.UTC)
    out: dict[int, list[float]] = {}
    for site_id, asked, acked in conn.execute(
            sa.select(h.c.site_id, h.c.created_at, h.c.acknowledged_at)
            .where(h.c.site_id.in_(site_ids), h.c.created_at >= start, h.c.created_at < end,
                   h.c.acknowledged_at.is_not(None))):
        out.setdefault(int(site_id), []).append((acked - asked).total_seconds())
    return out


def _kiosks_with_faults(conn: Connection, site_ids: list[int], heartbeat_s: int
                        ) -> dict[int, int]:
    """Kiosks of each site reporting a device fault now: as the live view counts them, only
    kiosks still talking (an offline kiosk's last device states may be long stale)."""
    import json
    out: dict[int, int] = {}
    talking_since = dt.datetime.now(dt.UTC) - dt.timedelta(
        seconds=heartbeat_s * live.OFFLINE_AFTER_HEARTBEATS)
    q_ = (sa.select(t.kiosks.c.site_id, t.kiosk_status.c.devices)
          .select_from(t.kiosks.join(t.kiosk_status))
          .where(t.kiosks.c.site_id.in_(site_ids), t.kiosk_status.c.last_seen >= talking_since))
    for site_id, devices in conn.execute(q_):
        states = json.loads(devices or "{}")
        if any(L.device_state_level(d, s)[1] == L.FAULT for d, s in states.items()):
            out[site_id] = out.get(site_id, 0) + 1
    return out


def _share(value: float | None) -> Cell:
    return "—" if value is None else Percent(value)


def _wait(value: float | None) -> Cell:
    return "—" if value is None else Duration(value)


def sites_side_by_side(conn: Connection, sites: list[tuple[int, str]], period: Period,
                       threshold: int, heartbeat_s: int = 30) -> Table:
    rows: list[list[Cell]] = [
        [r["name"], r["sessions"], r["attempts"], _share(r["completion"]),
         _share(r["autonomous"]), _wait(r["wait_s"]), r["faulty"]]
        for r in sorted(site_rows(conn, sites, period, threshold, heartbeat_s),
                        key=lambda r: -r["sessions"])]
    return Table("sites", "Sites côte à côte", SITE_COLUMNS, rows, chart="none",
                 note="Part « Autonome » : parmi les tentatives publiables (petits effectifs "
                      "masqués). Équipements : pannes signalées maintenant par les bornes "
                      "en ligne.")


MIN_SITES_FOR_MEDIAN = 3  # the median of 2 sites and one's own figure give the other's


def against_median(conn: Connection, site_id: int, territory_sites: list[tuple[int, str]],
                   period: Period, threshold: int, heartbeat_s: int = 30) -> Table:
    """A site's figures beside its territory's median site, said in words; only from 3 sites
    (with 2, median × 2 − this site's figure is the other site's, which a site manager may
    not see)."""
    if len(territory_sites) < MIN_SITES_FOR_MEDIAN:
        return Table("mediane", "Position dans le territoire", ["Indicateur", "Valeur"], [],
                     chart="none", note="La médiane est donnée à partir de 3 sites.")
    rows = site_rows(conn, territory_sites, period, threshold, heartbeat_s)
    mine = next((r for r in rows if r["site_id"] == site_id), None)
    out: list[list[Cell]] = []
    if mine is not None:
        for key, label, higher_is_better in (
                ("sessions", "Sessions", True), ("attempts", "Démarches d'entraînement", True),
                ("completion", "Taux de réussite", True),
                ("autonomous", "Part « Autonome »", True),
                ("wait_s", "Délai médian de réponse", False)):
            values = [r[key] for r in rows if r[key] is not None]
            if mine[key] is None or not values:
                continue
            median = statistics.median(values)
            shown = {"completion": _share, "autonomous": _share, "wait_s": _wait}.get(
                key, lambda v: v if float(v) != int(v) else int(v))
            out.append([label, shown(mine[key]), shown(median),
                        _position(mine[key], median, higher_is_better)])
    return Table("mediane", "Position dans le territoire",
                 ["Indicateur", "Ce site", "Médiane des sites du territoire", "Position"], out,
                 chart="none", note=f"{len(rows)} sites dans le territoire.")


def _position(value: float, median: float, higher_is_better: bool) -> str:
    if value == median:
        return "= à la médiane"
    above = value > median
    good = above == higher_is_better
    return ("▲ au-dessus de la médiane" if above else "▼ en dessous de la médiane") + (
        " (mieux)" if good else " (moins bien)")
