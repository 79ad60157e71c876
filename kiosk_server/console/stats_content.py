"""What a dashboard page shows for a place and period, read from the aggregates: its key
figures (on Synthèse, each with its comparisons), its tables, and on Synthèse the comparison
tables (a territory's sites side by side, a site against its territory's median).

Apart from the route so the console benchmark (bench/bench_console_compare.py) can time the
very same work with and without the comparisons, in one run.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.console import figures, figures_compare
from kiosk_server.console.access import Place
from kiosk_server.console.figures_base import Cell, Table
from kiosk_server.queries import Period


@dataclass
class PageContent:
    key_figures: list[tuple[str, Cell, list[figures_compare.Change]]]
    tables: list[Table]
    procedures: list[str]


def page_content(raw: Connection, name: str, place: Place, period: Period, threshold: int,
                 options: dict[str, str], site_ids: list[int] | None, today: dt.date,
                 comparisons: bool = True, heartbeat_s: int = 30) -> PageContent:
    """One page's figures; ``comparisons`` False leaves out what the comparisons add (for the
    benchmark's baseline: the page as it was before them)."""
    conn: Any = figures.MemoConnection(raw)
    key_figures: list[tuple[str, Cell, list[figures_compare.Change]]] = []
    procedures: list[str] = []
    if name == "synthese":
        key_figures = (figures_compare.kpis_compared(conn, place.scope, period, today)
                       if comparisons else
                       [(label, value, []) for label, value in
                        figures.kpis(conn, place.scope, period)])
    tables = figures.page_tables(conn, name, place.scope, period, threshold, options, site_ids)
    if name == "synthese" and comparisons:
        tables[1:1] = comparison_tables(conn, place, period, threshold, heartbeat_s)
    if name == "demarches":
        procedures = figures.practised_procedures(conn, place.scope, period)
    return PageContent(key_figures, tables, procedures)


def comparison_tables(conn: Connection, place: Place, period: Period, threshold: int,
                      heartbeat_s: int = 30) -> list[Table]:
    """A territory's sites side by side; a site against its territory's median (the median
    of figures per site, no site's own figure: a site manager sees no other site by name)."""
    scope = place.scope
    if scope.kiosk_id is not None or (scope.site_id is None and scope.territory_id is None):
        return []
    territory = scope.territory_id if scope.site_id is None else conn.execute(
        sa.select(t.sites.c.territory_id).where(t.sites.c.id == scope.site_id)).scalar_one()
    sites = [(r.id, r.name) for r in conn.execute(
        sa.select(t.sites.c.id, t.sites.c.name).where(t.sites.c.territory_id == territory)
        .order_by(t.sites.c.name))]
    if scope.site_id is None:
        return [figures_compare.sites_side_by_side(conn, sites, period, threshold,
                                                   heartbeat_s)]
    return [figures_compare.against_median(conn, scope.site_id, sites, period, threshold,
                                           heartbeat_s)]
