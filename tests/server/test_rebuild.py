"""Rebuilding the aggregates from the raw records (SQL, set-based) yields exactly what ingest
maintained, on SQLite and PostgreSQL; periods whose raw records were purged are left alone."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa

from kiosk_server import queries, rebuild, retention
from kiosk_server import tables as t
from kiosk_server.ingest import ingest_in
from kiosk_server.queries import Period, Scope
from kiosk_server.tenancy import authenticate
from kiosk_wire.schema import SessionRecord
from server.helpers import make_tenant, random_record, record


def post(client, tenant, records):
    for i in range(0, len(records), 500):
        answer = client.post("/api/v1/events", json={"records": records[i:i + 500]},
                             headers=tenant.headers)
        assert answer.status_code == 200, answer.text


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every aggregate row, in a stable order, values as plain ints/dates/strings."""
    out = {}
    with engine.connect() as conn:
        for table in t.AGGREGATES:
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted(tuple(int(v) if isinstance(v, int) else v for v in row)
                                     for row in rows)
    return out


def varied_record(rng: random.Random, day: dt.date) -> dict[str, Any]:
    """random_record plus what it leaves fixed: comfort options, survey answers, help calls,
    official sites, activities without a procedure, long sessions, empty sessions."""
    r = random_record(rng, day)
    r["accessibility"] = sorted(rng.sample(["large_text", "high_contrast", "read_aloud"],
                                           rng.randint(0, 3)))
    r["duration_min"] = 5 * rng.randint(0, 40)
    r["help_requests"] = rng.randint(0, 3)
    r["hour"] = rng.randint(0, 23)
    if r.get("survey"):
        r["survey"] = {"age_bracket": rng.choice(["18_24", "40_59", "70_plus", "not_given"]),
                       "autonomy": rng.choice(["guided", "autonomous", "not_given"]),
                       "satisfaction": rng.choice(["satisfied", "neutral", "not_given"])}
    for activity in r["activities"]:
        if activity["kind"] == "practice" and rng.random() < 0.8:
            activity["autonomy"] = rng.choice(["guided", "partly_autonomous", "autonomous"])
        if activity["kind"] == "practice" and rng.random() < 0.4:  # a published version
            activity["procedure_version"] = rng.randint(1, 3)
        if activity["kind"] == "practice" and rng.random() < 0.3:  # a step of a parcours
            activity["parcours_id"] = rng.choice(["initiation", "demarches-emploi"])
            activity["parcours_step"] = rng.randint(1, 4)
    if rng.random() < 0.4:  # the kiosk's browser: official sites opened, minutes on each
        r["official_sites"] = [{"site": site, "minutes": rng.randint(0, 40)} for site in
                               rng.sample(["caf", "ameli", "impots", "local"], rng.randint(1, 3))]
    if rng.random() < 0.1:
        r["activities"] = []
    elif rng.random() < 0.3:
        r["activities"].append({"kind": "copy", "pages": rng.randint(1, 5)})
    return r


def test_rebuilt_aggregates_equal_what_ingest_maintained(client, tenant, engine):
    rng = random.Random(11)
    other = make_tenant(engine, territory="Sud", site="EPN Nice", kiosk="borne-9")
    second = make_tenant(engine, territory="Nord", site="FS Roubaix", kiosk="borne-2")
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(85)]  # Sept..Nov
    for who, n in ((tenant, 260), (other, 150), (second, 90)):
        post(client, who, [varied_record(rng, rng.choice(days)) for _ in range(n)])
    maintained = snapshot(engine)
    assert sum(len(rows) for rows in maintained.values()) > 500  # a real comparison
    assert maintained["agg_procedure_versions"]  # the comparison of versions too

    assert rebuild.rebuild_aggregates(engine) == 500

    assert snapshot(engine) == maintained


def test_a_rebuild_from_a_day_restarts_at_its_month_and_keeps_earlier_months(
        client, tenant, engine):
    post(client, tenant, [record(day="2026-09-10"), record(day="2026-10-03"),
                          record(day="2026-10-20"), record(day="2026-11-05")])
    maintained = snapshot(engine)
    with engine.begin() as conn:  # earlier months are not read again: a marker survives
        conn.execute(t.agg_hours.update().where(t.agg_hours.c.period < dt.date(2026, 10, 1))
                     .values(sessions=t.agg_hours.c.sessions + 100))

    assert rebuild.rebuild_aggregates(engine, since=dt.date(2026, 10, 15)) == 3

    after = snapshot(engine)
    assert after["agg_sessions"] == maintained["agg_sessions"]
    with engine.connect() as conn:
        sept = Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
        assert sum(map(sum, queries.hour_of_week(conn, Scope(), sept))) == 101


def test_a_rebuild_never_erases_the_figures_of_purged_records(client, tenant, engine):
    old = [record(day="2024-01-15") for _ in range(3)]
    post(client, tenant, [record(day="2026-11-15") for _ in range(2)])
    with engine.begin() as conn:  # stored directly: the API would refuse nothing here
        ingest_in(conn, authenticate(conn, tenant.token),
                  [SessionRecord.model_validate(r) for r in old])
    assert retention.purge(engine, months=24, today=dt.date(2026, 11, 22)) == 3
    maintained = snapshot(engine)

    assert rebuild.rebuild_aggregates(engine) == 2
    assert rebuild.rebuild_aggregates(engine, since=dt.date(2020, 1, 1)) == 2

    assert snapshot(engine) == maintained
    with engine.connect() as conn:
        jan = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
        assert queries.sessions_summary(conn, Scope(), jan)["sessions"] == 3


def test_a_rebuild_stops_at_the_retention_cutoff(client, tenant, engine):
    """A purge that stopped half-way leaves part of a month: it is not rebuilt from that part."""
    post(client, tenant, [record(day="2025-10-20"), record(day="2025-11-02")])
    with engine.begin() as conn:  # the purge deleted the other records of October 2025
        conn.execute(t.agg_sessions.update().where(t.agg_sessions.c.grain == "T",
                                                   t.agg_sessions.c.period == dt.date(2025, 10, 1))
                     .values(sessions=t.agg_sessions.c.sessions + 40))
    oct_2025 = Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))

    rebuilt = rebuild.rebuild_aggregates(engine, not_before=dt.date(2025, 11, 1))

    assert rebuilt == 1
    with engine.connect() as conn:
        assert queries.sessions_summary(conn, Scope(), oct_2025)["sessions"] == 41


def test_a_month_partly_purged_is_not_rebuilt_from_what_is_left(client, tenant, engine):
    """Without the cutoff: a month with fewer raw records than its aggregates counted lost some
    to a purge that stopped half-way; its figures stay, later months are rebuilt."""
    post(client, tenant, [record(day="2026-09-20") for _ in range(3)]
         + [record(day="2026-10-02")])
    with engine.begin() as conn:
        one = conn.execute(sa.select(t.session_records.c.event_id)
                           .where(t.session_records.c.day == dt.date(2026, 9, 20))
                           ).scalars().first()
        conn.execute(t.activities.delete().where(t.activities.c.event_id == one))
        conn.execute(t.session_records.delete().where(t.session_records.c.event_id == one))
    maintained = snapshot(engine)

    assert rebuild.rebuild_aggregates(engine) == 1

    assert snapshot(engine) == maintained


def test_nothing_to_rebuild_from_changes_nothing(client, tenant, engine):
    assert rebuild.rebuild_aggregates(engine) == 0
    assert all(rows == [] for rows in snapshot(engine).values())


def test_admin_command_rebuilds_from_the_given_month(monkeypatch, tmp_path, db_url, client,
                                                      tenant, engine):
    from click.testing import CliRunner

    from kiosk_server.cli import main

    post(client, tenant, [record(day="2026-10-03"), record(day="2026-11-05")])
    maintained = snapshot(engine)
    with engine.begin() as conn:  # a wrong figure in November, a marker in October
        conn.execute(t.agg_activities.update()
                     .values(activities=t.agg_activities.c.activities + 7))
    monkeypatch.setenv("KIOSK_KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_SERVER_DATABASE_URL", db_url)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)

    result = CliRunner().invoke(main, ["admin", "rebuild-aggregates", "--since", "2026-11-20"])

    assert result.exit_code == 0, result.output
    assert "from 2026-11-01: 1 session records" in result.output
    with engine.connect() as conn:
        nov = queries.device_usage(conn, Scope(), Period(dt.date(2026, 11, 1),
                                                         dt.date(2026, 11, 30)))
        octo = queries.device_usage(conn, Scope(), Period(dt.date(2026, 10, 1),
                                                          dt.date(2026, 10, 31)))
    assert (nov["scan"]["activities"], octo["scan"]["activities"]) == (1, 8)
    bad = CliRunner().invoke(main, ["admin", "rebuild-aggregates", "--since", "20/11/2026"])
    assert bad.exit_code == 2 and "'20/11/2026' does not match" in bad.output
    assert CliRunner().invoke(main, ["admin", "rebuild-aggregates"]).exit_code == 0
    assert snapshot(engine) == maintained


def test_a_rebuild_while_kiosks_send_records_loses_and_doubles_nothing(client, tenant, engine):
    """Ingest keeps running during a rebuild (another thread, its own connections): every
    record is counted once, whichever transaction went first."""
    import threading

    rng = random.Random(5)
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(60)]
    post(client, tenant, [varied_record(rng, rng.choice(days)) for _ in range(400)])
    later = [[varied_record(rng, rng.choice(days)) for _ in range(50)] for _ in range(6)]
    errors: list[Exception] = []

    def send() -> None:
        try:
            for batch in later:
                post(client, tenant, batch)
        except (AssertionError, OSError, RuntimeError) as err:  # the main thread reports it
            errors.append(err)

    sender = threading.Thread(target=send)
    sender.start()
    rebuilt = [rebuild.rebuild_aggregates(engine) for _ in range(3)]
    sender.join()
    assert errors == []
    assert all(400 <= n <= 700 for n in rebuilt)
    after = snapshot(engine)

    assert rebuild.rebuild_aggregates(engine) == 700
    assert snapshot(engine) == after
