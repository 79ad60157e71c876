"""The figures of the dashboards and exports, one module per dashboard page, assembled here.

Every figure is a :class:`~kiosk_server.console.figures_base.Table`; pages and exports use the
same functions, so a CSV says exactly what the screen says. This module keeps the names the
routes, charts and exports use (``figures.Table``, ``figures.kpis``...).
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from kiosk_server import queries as q
from kiosk_server.console import labels as L
from kiosk_server.console.figures_attendance import by_hour, by_weekday, heat_map
from kiosk_server.console.figures_base import Cell, MemoConnection, Table, is_masked, pct
from kiosk_server.console.figures_overview import (
    MAX_DAILY_DAYS,
    comfort,
    devices,
    durations,
    end_reasons,
    help_answers,
    help_requests,
    kiosks,
    kpis,
    languages,
    official_sites,
    sessions_over_time,
)
from kiosk_server.console.figures_period import MAX_SPAN_DAYS, PRESETS, PeriodError, resolve_period
from kiosk_server.console.figures_procedures import (
    autonomy,
    drop_offs,
    funnel,
    parcours_progress,
    practised_procedures,
    themes,
    top_procedures,
)
from kiosk_server.console.figures_survey import survey
from kiosk_server.queries import Period

__all__ = [
    "MAX_DAILY_DAYS", "MAX_SPAN_DAYS", "PAGES", "PRESETS", "Cell", "MemoConnection",
    "PeriodError", "Table", "autonomy", "by_hour", "by_weekday", "comfort", "devices", "drop_offs",
    "durations", "end_reasons", "export_tables", "funnel", "heat_map", "help_answers",
    "help_requests", "is_masked", "kiosks", "kpis", "languages", "official_sites", "page_tables",
    "parcours_progress", "pct", "practised_procedures", "resolve_period", "sessions_over_time",
    "survey", "themes", "top_procedures",
]


PAGES: dict[str, str] = {
    "synthese": "Synthèse",
    "demarches": "Démarches",
    "frequentation": "Fréquentation",
    "questionnaire": "Questionnaire",
}


def page_tables(conn: Connection, page: str, scope: q.Scope, period: Period, threshold: int,
                options: dict[str, str], site_ids: list[int] | None = None) -> list[Table]:
    """``site_ids``: the sites of a site or territory scope (None nationally), for the live
    help requests, which are kept per site."""
    if page == "synthese":
        tables = [sessions_over_time(conn, scope, period, options.get("par")),
                  durations(conn, scope, period), devices(conn, scope, period),
                  help_requests(conn, scope, period)]
        answers = help_answers(conn, site_ids, period) if site_ids is not None else None
        if answers is not None and not answers.empty:  # shown once there were live calls
            tables.append(answers)
        if scope.site_id is not None and scope.kiosk_id is None:
            tables.append(kiosks(conn, scope, period))
        return tables + [official_sites(conn, scope, period, threshold),
                         languages(conn, scope, period), comfort(conn, scope, period),
                         end_reasons(conn, scope, period)]
    if page == "demarches":
        practised = practised_procedures(conn, scope, period)
        chosen = options.get("demarche") or (practised[0] if practised else "")
        wanted = practised[:10] + ([chosen] if chosen and chosen not in practised[:10] else [])
        read = q.funnels(conn, scope, period, wanted) if wanted else {}  # one read for all
        tables = [top_procedures(conn, scope, period),
                  autonomy(conn, scope, period, threshold),
                  drop_offs(conn, scope, period, practised[:10], read),
                  parcours_progress(conn, scope, period)]
        if chosen:
            tables.append(funnel(conn, scope, period, chosen, read[chosen]))
        tables.append(themes(conn, scope, period))
        return tables
    if page == "frequentation":
        return [heat_map(conn, scope, period), by_weekday(conn, scope, period),
                by_hour(conn, scope, period),
                sessions_over_time(conn, scope, period, options.get("par"))]
    if page == "questionnaire":
        return [survey(conn, scope, period, a, threshold) for a in L.SURVEY_ATTRIBUTES]
    raise KeyError(page)


def export_tables(conn: Connection, scope: q.Scope, period: Period, threshold: int,
                  site_ids: list[int] | None = None) -> list[Table]:
    """Everything, for CSV/XLSX: key figures first, then each page's tables."""
    totals = Table("totaux", "Totaux", ["Indicateur", "Valeur"],
                   [[k, v] for k, v in kpis(conn, scope, period)])
    practised = practised_procedures(conn, scope, period)
    tables = [totals, sessions_over_time(conn, scope, period), durations(conn, scope, period),
              top_procedures(conn, scope, period, limit=500),
              autonomy(conn, scope, period, threshold, limit=500), themes(conn, scope, period),
              drop_offs(conn, scope, period, practised[:50]),
              parcours_progress(conn, scope, period), devices(conn, scope, period),
              official_sites(conn, scope, period, threshold), languages(conn, scope, period),
              comfort(conn, scope, period),
              end_reasons(conn, scope, period), by_weekday(conn, scope, period),
              by_hour(conn, scope, period)]
    tables += [survey(conn, scope, period, a, threshold) for a in L.SURVEY_ATTRIBUTES]
    if scope.site_id is not None and scope.kiosk_id is None:
        tables.insert(3, kiosks(conn, scope, period))
    if site_ids is not None:
        tables.append(help_answers(conn, site_ids, period))
    return tables
