"""Aggregates maintained at ingest answer the console's questions; small counts are masked;
retention deletes old raw records without changing any figure."""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from kiosk_server import queries, retention
from kiosk_server import tables as t
from kiosk_server.queries import Masked, Period, Scope
from server.helpers import make_tenant, random_record, record

NOV = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def post(client, tenant, records):
    for i in range(0, len(records), 500):
        answer = client.post("/api/v1/events", json={"records": records[i:i + 500]},
                             headers=tenant.headers)
        assert answer.status_code == 200, answer.text


def test_aggregates_equal_a_recount_of_the_raw_records(client, tenant, engine):
    rng = random.Random(7)
    other = make_tenant(engine, territory="Sud", site="EPN Nice", kiosk="borne-9")
    mine = [random_record(rng, dt.date(2026, 11, rng.randint(1, 30))) for _ in range(300)]
    theirs = [random_record(rng, dt.date(2026, 11, rng.randint(1, 30))) for _ in range(200)]
    post(client, tenant, mine)
    post(client, other, theirs)
    post(client, tenant, mine[:50])  # a re-send changes nothing
    with engine.connect() as conn:
        national = queries.sessions_summary(conn, Scope(), NOV)
        nord = queries.sessions_summary(conn, Scope(territory_id=tenant.territory_id), NOV)
        site = queries.sessions_summary(conn, Scope(site_id=tenant.site_id), NOV)
        days = queries.sessions_summary(conn, Scope(), Period(dt.date(2026, 11, 1),
                                                              dt.date(2026, 11, 10)))
        raw_days = conn.execute(sa.select(sa.func.count()).select_from(t.session_records)
                                .where(t.session_records.c.day <= dt.date(2026, 11, 10))
                                ).scalar_one()
        by_proc = {(r["kind"], r["procedure_id"]): r
                   for r in queries.activities_by_procedure(conn, Scope(), NOV)}
        raw_minutes = conn.execute(sa.select(sa.func.sum(t.session_records.c.duration_min))
                                   ).scalar_one()
    assert national["sessions"] == 500 and nord["sessions"] == site["sessions"] == 300
    assert days["sessions"] == raw_days  # a day range reads the daily grain
    assert national["duration_min"] == raw_minutes
    all_records = mine + theirs
    for proc in ("ants-pre-demande", "caf-trimestrielle", "impots-premiere-connexion"):
        practised = [a for r in all_records for a in r["activities"]
                     if a.get("procedure_id") == proc]
        assert by_proc[("practice", proc)]["activities"] == len(practised)
        assert by_proc[("practice", proc)]["completed"] == sum(a["completed"] for a in practised)
    pages = sum(a.get("pages", 0) for r in all_records for a in r["activities"]
                if a["kind"] == "print")
    assert by_proc[("print", None)]["pages"] == pages


def test_funnel_counts_how_many_reached_each_step(client, tenant, engine):
    def attempt(reached, total=4):
        return record(activities=[{"kind": "practice", "procedure_id": "caf-trimestrielle",
                                   "theme": "social_sante", "steps_total": total,
                                   "steps_reached": reached, "completed": reached == total}])
    post(client, tenant, [attempt(4), attempt(4), attempt(2), attempt(1), attempt(0)])
    with engine.connect() as conn:
        f = queries.funnel(conn, Scope(site_id=tenant.site_id), NOV, "caf-trimestrielle")
    assert f["attempts"] == 5 and f["completed"] == 2
    assert [s["reached"] for s in f["steps"]] == [4, 3, 2, 2]


def test_hour_of_week_heat_map(client, tenant, engine):
    # 2026-11-16 is a Monday, 2026-11-20 a Friday.
    post(client, tenant, [record(day="2026-11-16", hour=9), record(day="2026-11-16", hour=9),
                          record(day="2026-11-20", hour=14)])
    with engine.connect() as conn:
        grids = [queries.hour_of_week(conn, scope, NOV) for scope in (
            Scope(), Scope(territory_id=tenant.territory_id), Scope(site_id=tenant.site_id))]
        elsewhere = queries.hour_of_week(conn, Scope(territory_id=tenant.territory_id + 1), NOV)
    for grid in grids:  # national, territory and site grains agree
        assert grid[0][9] == 2 and grid[4][14] == 1
        assert sum(map(sum, grid)) == 3
    assert sum(map(sum, elsewhere)) == 0


def test_survey_counts_below_the_threshold_are_masked_with_a_complement(client, tenant, engine):
    survey = {"age_bracket": "70_plus", "autonomy": "guided", "satisfaction": "satisfied"}
    young = survey | {"age_bracket": "18_24"}
    post(client, tenant, [record(survey=survey) for _ in range(6)]
         + [record(survey=young) for _ in range(2)])
    with engine.connect() as conn:
        ages = queries.survey_breakdown(conn, Scope(site_id=tenant.site_id), NOV,
                                        "age_bracket", threshold=5)
    # 18-24 (2) is small; 70+ (6) is hidden with it, or 8 answers - 6 = 2. Neither says "< 5".
    assert ages.cells["18_24"] == Masked(5) and ages.cells["70_plus"] == Masked(5)
    assert str(ages.cells["18_24"]) == "masqué"
    assert ages.masked == 8 and ages.total == 8 and ages.cells["25_39"] == 0


def test_device_and_help_counts(client, tenant, engine):
    post(client, tenant, [record(), record()])
    with engine.connect() as conn:
        usage = queries.device_usage(conn, Scope(), NOV)
        summary = queries.sessions_summary(conn, Scope(), NOV)
    assert usage["scan"] == {"activities": 2, "pages": 4}
    assert usage["print"] == {"activities": 2, "pages": 4}
    assert summary["help_requests"] == 2


def test_retention_deletes_old_raw_records_but_not_the_figures(client, tenant, engine):
    old = [record(day="2024-01-15") for _ in range(3)]
    recent = [record(day="2026-11-15") for _ in range(2)]
    post(client, tenant, recent)
    with engine.begin() as conn:  # old records stored directly: the API refuses nothing here
        from kiosk_server.ingest import ingest_in
        from kiosk_server.tenancy import authenticate
        from kiosk_wire.schema import SessionRecord
        ingest_in(conn, authenticate(conn, tenant.token),
                  [SessionRecord.model_validate(r) for r in old])
    jan = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    deleted = retention.purge(engine, months=24, today=dt.date(2026, 11, 22))
    assert deleted == 3
    with engine.connect() as conn:
        left = conn.execute(sa.select(t.session_records.c.day)).scalars().all()
        activities_left = conn.execute(sa.select(sa.func.count()).select_from(t.activities)
                                       ).scalar_one()
        assert queries.sessions_summary(conn, Scope(), jan)["sessions"] == 3
    assert left == [dt.date(2026, 11, 15)] * 2
    assert activities_left == 6
    assert retention.purge(engine, months=24, today=dt.date(2026, 11, 22)) == 0


def test_a_record_older_than_retention_is_acknowledged_but_not_counted_twice(
        client, tenant, engine):
    ancient = record(day="2020-01-15")
    for _ in range(2):
        answer = client.post("/api/v1/events", json={"records": [ancient]},
                             headers=tenant.headers)
        assert answer.status_code == 200
        assert answer.json()["accepted"] == [ancient["event_id"]]
    with engine.connect() as conn:
        summary = queries.sessions_summary(conn, Scope(), Period(dt.date(2020, 1, 1),
                                                                 dt.date(2020, 1, 31)))
        assert summary["sessions"] == 0


def test_cutoff_is_the_first_day_of_the_month_n_months_back():
    assert retention.cutoff_day(dt.date(2026, 11, 22), 24) == dt.date(2024, 11, 1)
    assert retention.cutoff_day(dt.date(2026, 1, 5), 1) == dt.date(2025, 12, 1)


def test_monthly_sessions_agree_at_every_scope(client, tenant, engine):
    post(client, tenant, [record(day="2026-10-05"), record(day="2026-11-16"),
                          record(day="2026-11-20")])
    autumn = Period(dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    with engine.connect() as conn:
        for scope in (Scope(), Scope(territory_id=tenant.territory_id),
                      Scope(site_id=tenant.site_id)):
            assert queries.monthly_sessions(conn, scope, autumn) == [
                {"month": dt.date(2026, 10, 1), "sessions": 1},
                {"month": dt.date(2026, 11, 1), "sessions": 2}]


def test_daily_series_agree_at_every_scope(client, tenant, engine):
    other = make_tenant(engine, territory="Sud", site="EPN Nice", kiosk="borne-9")
    post(client, tenant, [record(day="2026-11-16"), record(day="2026-11-16"),
                          record(day="2026-11-18")])
    post(client, other, [record(day="2026-11-16")])
    with engine.connect() as conn:
        national = queries.daily_sessions(conn, Scope(), NOV)
        nord = queries.daily_sessions(conn, Scope(territory_id=tenant.territory_id), NOV)
        site = queries.daily_sessions(conn, Scope(site_id=tenant.site_id), NOV)
    assert national == [{"day": dt.date(2026, 11, 16), "sessions": 3},
                        {"day": dt.date(2026, 11, 18), "sessions": 1}]
    assert nord == site == [{"day": dt.date(2026, 11, 16), "sessions": 2},
                            {"day": dt.date(2026, 11, 18), "sessions": 1}]
