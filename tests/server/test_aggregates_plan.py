"""The console's queries read a key range of the aggregates at every scope (national, territory,
site, kiosk) and every kind of period, never a whole table: what keeps them fast at national
scale whatever the data. Checked with SQLite's query plans (deterministic; PostgreSQL's planner
rightly scans tables this small, so its plans say nothing here)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk_server import queries
from kiosk_server.queries import Period, Scope
from server.helpers import open_migrated

SCOPES = {"national": Scope(), "territory": Scope(territory_id=1), "site": Scope(site_id=3),
          "kiosk": Scope(site_id=3, kiosk_id=4)}
PERIODS = {"day range": Period(dt.date(2026, 10, 23), dt.date(2026, 11, 21)),
           "12 months": Period(dt.date(2025, 12, 1), dt.date(2026, 11, 30))}


def every_query(conn: sa.Connection, scope: Scope, period: Period) -> None:
    queries.sessions_summary(conn, scope, period)
    for dimension in ("language", "end_reason", "duration_bucket"):
        queries.sessions_by(conn, scope, period, dimension)
    queries.activities_by_procedure(conn, scope, period)
    queries.activities_by_theme(conn, scope, period)
    queries.device_usage(conn, scope, period)
    queries.daily_sessions(conn, scope, period)
    queries.monthly_sessions(conn, scope, period)
    queries.hour_of_week(conn, scope, period)
    queries.funnels(conn, scope, period, ["caf-trimestrielle", "ants-pre-demande"])
    queries.survey_breakdown(conn, scope, period, "age_bracket", 5)
    queries.comfort_options(conn, scope, period)
    queries.autonomy_by_procedure(conn, scope, period, 5)
    if scope.site_id is not None:
        queries.sessions_by_kiosk(conn, scope, period)


@pytest.mark.parametrize("period", PERIODS, ids=list(PERIODS))
@pytest.mark.parametrize("scope", SCOPES, ids=list(SCOPES))
def test_every_console_query_reads_a_key_range_of_the_aggregates(tmp_path: Path, scope: str,
                                                                  period: str):
    engine = open_migrated(f"sqlite:///{tmp_path / 'server.sqlite'}")
    statements: list[tuple[str, tuple]] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.startswith("SELECT"):
            statements.append((statement, parameters))

    with engine.connect() as conn:
        every_query(conn, SCOPES[scope], PERIODS[period])
    sa.event.remove(engine, "before_cursor_execute", _keep)
    # A kiosk reads no survey or autonomy rows: those are published per site at finest.
    assert len(statements) >= (13 if scope == "kiosk" else 14)
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                          parameters)]
            reads = [step for step in plan if " agg_" in step]
            assert reads, (statement, plan)
            for step in reads:
                assert step.startswith("SEARCH") and ("site_id=?" in step
                                                      or "territory_id=?" in step), \
                    (scope, period, statement, plan)
    engine.dispose()
