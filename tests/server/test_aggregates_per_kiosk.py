"""The kiosk dimension of the aggregates, autonomy per procedure and comfort options one by one,
and migration 0003 that brings them to an existing database, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from kiosk_server import db, disclosure, queries, retention
from kiosk_server.ingest import ingest_in
from kiosk_server.queries import Masked, Period, Scope
from kiosk_server.tenancy import authenticate, create_kiosk
from kiosk_wire.schema import SessionRecord
from server.helpers import Tenant, record
from server.test_rebuild import post, snapshot

NOV = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
NOV_DAYS = Period(dt.date(2026, 11, 10), dt.date(2026, 11, 20))


def second_kiosk(engine: sa.Engine, tenant: Tenant) -> Tenant:
    with engine.begin() as conn:
        kid, token = create_kiosk(conn, tenant.site_id, "borne-2")
    return Tenant(tenant.territory_id, tenant.site_id, kid, token)


def practice(procedure: str, autonomy: str | None, completed: bool = True) -> dict:
    activity = {"kind": "practice", "procedure_id": procedure, "theme": "social_sante",
                "steps_total": 3, "steps_reached": 3 if completed else 1,
                "completed": completed}
    if autonomy:
        activity["autonomy"] = autonomy
    return activity


def test_a_kiosk_scope_counts_only_that_kiosks_sessions(client, tenant, engine):
    other = second_kiosk(engine, tenant)
    post(client, tenant, [record(day="2026-11-16", hour=9, duration_min=40) for _ in range(3)])
    post(client, other, [record(day="2026-11-16", hour=9, duration_min=10),
                         record(day="2026-11-18", hour=15, duration_min=10)])
    mine = Scope(site_id=tenant.site_id, kiosk_id=tenant.kiosk_id)
    theirs = Scope(site_id=tenant.site_id, kiosk_id=other.kiosk_id)
    site = Scope(site_id=tenant.site_id)
    with engine.connect() as conn:
        for period in (NOV, NOV_DAYS):
            assert queries.sessions_summary(conn, mine, period)["sessions"] == 3
            assert queries.sessions_summary(conn, theirs, period)["sessions"] == 2
            assert queries.sessions_summary(conn, site, period)["sessions"] == 5
        assert queries.sessions_summary(conn, mine, NOV)["duration_min"] == 120
        assert queries.daily_sessions(conn, theirs, NOV) == [
            {"day": dt.date(2026, 11, 16), "sessions": 1},
            {"day": dt.date(2026, 11, 18), "sessions": 1}]
        assert queries.monthly_sessions(conn, mine, NOV) == [
            {"month": dt.date(2026, 11, 1), "sessions": 3}]
        grid = queries.hour_of_week(conn, theirs, NOV)
        assert grid[0][9] == 1 and grid[2][15] == 1 and sum(map(sum, grid)) == 2
        assert queries.device_usage(conn, mine, NOV)["scan"] == {"activities": 3, "pages": 6}
        assert queries.funnel(conn, theirs, NOV, "ants-pre-demande")["attempts"] == 2
        # Survey answers are published per site at finest (site - kiosk would undo masking).
        assert queries.survey_breakdown(conn, mine, NOV, "age_bracket", threshold=5) is None
        ages = queries.survey_breakdown(conn, site, NOV, "age_bracket", threshold=5)
        assert ages.cells["60_69"] == 5 and ages.masked == 0


def test_a_sites_sessions_split_by_kiosk(client, tenant, engine):
    other = second_kiosk(engine, tenant)
    post(client, tenant, [record(duration_min=20, help_requests=0)])
    post(client, other, [record(duration_min=10, help_requests=2) for _ in range(2)])
    with engine.connect() as conn:
        rows = queries.sessions_by_kiosk(conn, Scope(site_id=tenant.site_id), NOV)
        with pytest.raises(ValueError):
            queries.sessions_by_kiosk(conn, Scope(territory_id=tenant.territory_id), NOV)
    assert rows == [
        {"kiosk_id": other.kiosk_id, "sessions": 2, "duration_min": 20, "help_requests": 4},
        {"kiosk_id": tenant.kiosk_id, "sessions": 1, "duration_min": 20, "help_requests": 0}]


def test_a_kiosk_scope_needs_its_site():
    with pytest.raises(ValueError):
        Scope(kiosk_id=3)


def test_comfort_options_are_counted_one_by_one(client, tenant, engine):
    post(client, tenant, [record(accessibility=["large_text", "read_aloud"]),
                          record(accessibility=["large_text"]),
                          record(accessibility=["high_contrast", "large_text", "read_aloud"]),
                          record(accessibility=[])])
    with engine.connect() as conn:
        for scope in (Scope(), Scope(territory_id=tenant.territory_id),
                      Scope(site_id=tenant.site_id),
                      Scope(site_id=tenant.site_id, kiosk_id=tenant.kiosk_id)):
            for period in (NOV, Period(dt.date(2026, 11, 20), dt.date(2026, 11, 20))):
                assert queries.comfort_options(conn, scope, period) == {
                    "large_text": 3, "high_contrast": 1, "read_aloud": 2}
                assert queries.sessions_summary(conn, scope, period)["accessible_sessions"] == 3


def test_autonomy_per_procedure_masks_small_counts_and_their_complement(client, tenant, engine):
    records = ([record(activities=[practice("caf-trimestrielle", "autonomous")]) for _ in range(7)]
               + [record(activities=[practice("caf-trimestrielle", "guided", completed=False)])
                  for _ in range(2)]
               + [record(activities=[practice("caf-trimestrielle", "partly_autonomous")])
                  for _ in range(6)]
               + [record(activities=[practice("ants-pre-demande", "autonomous")])
                  for _ in range(5)]
               + [record(activities=[practice("ants-pre-demande", None)]) for _ in range(5)])
    post(client, tenant, records)
    with engine.connect() as conn:
        rows = queries.autonomy_by_procedure(conn, Scope(site_id=tenant.site_id), NOV,
                                             threshold=5)
        big = queries.autonomy_by_procedure(conn, Scope(), NOV, threshold=2)
    assert [r["procedure_id"] for r in rows] == ["caf-trimestrielle", "ants-pre-demande"]
    caf, ants = rows
    assert caf["attempts"] == 15
    # guided (2) is small; one other level is hidden with it (in the server's secret order),
    # or 15 - 7 - 6 = 2; the other is shown whole.
    levels = {"partly_autonomous": 6, "autonomous": 7}
    hidden = [k for k in levels if caf["levels"][k] == Masked(5)]
    assert caf["levels"]["guided"] == Masked(5) and caf["levels"][""] == 0 and len(hidden) == 1
    shown = next(k for k in levels if k not in hidden)
    assert caf["levels"][shown] == levels[shown] and caf["masked"] == 2 + levels[hidden[0]]
    assert ants["levels"] == {"guided": 0, "partly_autonomous": 0, "autonomous": 5, "": 5}
    assert big[0]["levels"] == {"guided": 2, "partly_autonomous": 6, "autonomous": 7, "": 0}


def test_autonomy_cells_of_a_rarely_practised_procedure_are_all_hidden():
    assert disclosure.hidden_cells({"guided": 3, "autonomous": 0}, 5) == {"guided", "autonomous"}
    assert disclosure.hidden_cells({"guided": 0, "autonomous": 0}, 5) == set()
    # 4 alone would be 13 - 9: the 9 is hidden with it.
    assert disclosure.hidden_cells({"guided": 4, "autonomous": 9, "": 0}, 5) == {
        "guided", "autonomous"}


def test_migration_0003_gives_existing_figures_their_kiosks(client, tenant, engine):
    """Down to 0002 (per-kiosk rows summed per site), then up again: 0003 rebuilds what raw
    records are left, purged periods keep their site figures under kiosk 0, and 0004 derives
    the day x territory rows from the daily ones."""
    other = second_kiosk(engine, tenant)
    post(client, tenant, [record(day="2026-11-16", accessibility=["read_aloud"])
                          for _ in range(3)])
    post(client, other, [record(day="2026-11-17") for _ in range(2)])
    with engine.begin() as conn:
        ingest_in(conn, authenticate(conn, tenant.token),
                  [SessionRecord.model_validate(record(day="2024-01-15")) for _ in range(4)])
    assert retention.purge(engine, months=24, today=dt.date(2026, 11, 22)) == 4
    current = snapshot(engine)

    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0002")
    assert db.current_revision(engine) == "0002"
    with engine.connect() as conn:
        assert "agg_comfort" not in sa.inspect(conn).get_table_names()
        site_rows = conn.execute(sa.text(
            "SELECT SUM(sessions) FROM agg_sessions WHERE grain = 'D' AND site_id = :s "
            "AND period = '2026-11-16'"), {"s": tenant.site_id}).scalar_one()
    assert int(site_rows) == 3
    db.migrate(engine)

    migrated = snapshot(engine)
    jan_2024 = dt.date(2024, 1, 15)
    for name, rows in current.items():
        # Purged January 2024: the same rows, now under kiosk 0 (the kiosk is not known).
        assert [r for r in migrated[name] if r[1] >= dt.date(2024, 2, 1)] == \
            [r for r in rows if r[1] >= dt.date(2024, 2, 1)], name
    old_day = [r for r in migrated["agg_sessions"] if r[0] == "D" and r[1] == jan_2024]
    assert old_day and all(r[4] == 0 for r in old_day)
    with engine.connect() as conn:
        jan = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
        assert queries.sessions_summary(conn, Scope(site_id=tenant.site_id), jan)["sessions"] == 4
        assert queries.sessions_summary(conn, Scope(), jan)["sessions"] == 4
        # A day range above site level reads the E rows, derived from D for purged days too.
        mid_jan = Period(dt.date(2024, 1, 10), dt.date(2024, 1, 20))
        assert queries.sessions_summary(conn, Scope(), mid_jan)["sessions"] == 4
        assert queries.device_usage(conn, Scope(territory_id=tenant.territory_id),
                                    mid_jan)["scan"]["activities"] == 4
        assert queries.comfort_options(conn, Scope(site_id=tenant.site_id,
                                                   kiosk_id=tenant.kiosk_id), NOV) == {
            "large_text": 0, "high_contrast": 0, "read_aloud": 3}
        assert queries.sessions_summary(conn, Scope(site_id=tenant.site_id,
                                                    kiosk_id=other.kiosk_id), NOV)["sessions"] == 2
