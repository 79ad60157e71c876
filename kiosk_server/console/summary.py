"""The one-page summary of a place and period: its key figures and the five tables that fit an
A4 page. Read once here for both of its forms: the printable page (``/console/summary``, printed
by the manager's browser) and the monthly PDF the server makes itself (report_pdf.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from kiosk_server.console import figures
from kiosk_server.console.figures_base import Cell, Table
from kiosk_server.queries import Period, Scope


@dataclass
class Summary:
    key_figures: list[tuple[str, Cell]]
    tables: list[Table]


def summary(raw: Connection, scope: Scope, period: Period) -> Summary:
    conn: Any = figures.MemoConnection(raw)
    key_figures = figures.kpis(conn, scope, period)
    top = figures.top_procedures(conn, scope, period, limit=5)
    themes = figures.themes(conn, scope, period)
    weekdays = figures.by_weekday(conn, scope, period)
    tables = [figures.durations(conn, scope, period), figures.devices(conn, scope, period), top,
              themes, weekdays]
    # What fits one printed page: 5 themes; procedures by name, attempts, completed, rate;
    # the weekdays as one row (a column each).
    themes.rows = themes.rows[:5]
    top.columns = [top.columns[i] for i in (0, 2, 3, 4)]
    top.rows = [[r[i] for i in (0, 2, 3, 4)] for r in top.rows]
    weekdays.columns = ["Jour", *[str(r[0])[:3] + "." for r in weekdays.rows]]
    weekdays.rows = [["Sessions", *[r[1] for r in weekdays.rows]]] if weekdays.rows else []
    return Summary(key_figures, tables)
