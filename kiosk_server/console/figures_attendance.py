"""Figures of the "Fréquentation" page: the hour-of-week heat map and its two projections."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from kiosk_server import queries as q
from kiosk_server.console import labels as L
from kiosk_server.console.figures_base import Table
from kiosk_server.queries import Period


def heat_map(conn: Connection, scope: q.Scope, period: Period) -> Table:
    grid = q.hour_of_week(conn, scope, period)
    hours = [h for h in range(24) if any(grid[d][h] for d in range(7))]
    if hours:
        hours = list(range(min(hours), max(hours) + 1))
    rows = [[L.WEEKDAYS[d]] + [grid[d][h] for h in hours] for d in range(7)] if hours else []
    return Table("heures", "Fréquentation par jour et par heure (mois entiers de la période)",
                 ["Jour"] + [f"{h} h" for h in hours], rows, chart="heat")


def by_hour(conn: Connection, scope: q.Scope, period: Period) -> Table:
    grid = q.hour_of_week(conn, scope, period)
    rows = [[f"{h} h", sum(grid[d][h] for d in range(7))] for h in range(24)]
    rows = [r for r in rows if r[1]]
    return Table("par_heure", "Sessions selon l'heure d'arrivée", ["Heure", "Sessions"], rows)


def by_weekday(conn: Connection, scope: q.Scope, period: Period) -> Table:
    grid = q.hour_of_week(conn, scope, period)
    rows = [[L.WEEKDAYS[d], sum(grid[d])] for d in range(7)]
    return Table("par_jour", "Sessions selon le jour de la semaine", ["Jour", "Sessions"],
                 rows if any(r[1] for r in rows) else [])
