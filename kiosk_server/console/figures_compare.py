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
    and how many of its kiosks report a device fault now (faults are not kept per day)."""
    ids = [s for s, _ in sites]
    if not ids:
        return []
    a, act = t.agg_sessions, t.agg_activities
    sessions = dict(conn.execute(
        sa.select(a.c.site_id, sa.func.sum(a.c.sessions))
        .where(a.c.grain == "D", a.c.site_id.in_(ids), a.c.period >= period.start,
               a.c.period <= period.end).group_by(a.c.site_id)).all())
    practice = {r[0]: (int(r[1]), int(r[2])) for r in conn.execute(
        sa.select(act.c.site_id, sa.func.sum(act.c.activities), sa.func.sum(act.c.completed))
        .where(act.c.grain == "D", act.c.site_id.in_(ids), act.c.period >= period.start,
               act.c.period <= period.end, act.c.kind == "practice")
        .group_by(act.c.site_id))}
    faulty = _kiosks_with_faults(conn, ids, heartbeat_s)
    start = dt.datetime.combine(period.start, dt.time(), dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), dt.UTC)
    rows = []
    for site_id, name in sites:
        attempts, done = practice.get(site_id, (0, 0))
        levels = q.autonomy_by_procedure(conn, q.Scope(site_id=site_id), period, threshold)
        published = sum(r["attempts"] - r["masked"] for r in levels)
        alone = sum(r["levels"]["autonomous"] for r in levels
                    if isinstance(r["levels"]["autonomous"], int))
        waits = sorted((acked - asked).total_seconds() for asked, acked in
                       live.help_request_times(conn, [site_id], start, end) if acked)
        rows.append({"site_id": site_id, "name": name, "sessions": int(sessions.get(site_id, 0)),
                     "attempts": attempts, "completion": done / attempts if attempts else None,
                     "autonomous": alone / published if published else None,
                     "wait_s": statistics.median(waits) if waits else None,
                     "faulty": faulty.get(site_id, 0)})
    return rows


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
