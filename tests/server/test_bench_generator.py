"""The benchmarks' national dataset generator (bench/generate.py, bench/datasets.py), at a tiny
size, on both engines: what it writes is what kiosks could have sent, and the aggregates built
from it by kiosk_server.rebuild are what the console reads."""
from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import datasets
from bench.generate import Fleet, catalogue_procedures, generate, period_days
from kiosk_server import queries
from kiosk_server import tables as t
from kiosk_server.queries import Period, Scope
from kiosk_server.rebuild import rebuild_aggregates
from kiosk_wire.schema import SessionRecord

RECORDS = 2000
TODAY = dt.date(2026, 11, 22)


def read_back(conn: sa.Connection) -> list[SessionRecord]:
    """Every stored record rebuilt as it travelled on the wire, then validated."""
    acts: dict[str, list[dict]] = defaultdict(list)
    for row in conn.execute(sa.select(t.activities).order_by(t.activities.c.event_id,
                                                             t.activities.c.position)):
        a = row._mapping
        acts[a["event_id"]].append({
            k: a[k] for k in ("kind", "procedure_id", "theme", "steps_total", "steps_reached",
                              "completed", "hints_used", "errors", "pages", "autonomy")})
    out = []
    for row in conn.execute(sa.select(t.session_records)):
        r = row._mapping
        survey = None if r["age_bracket"] is None else {
            "age_bracket": r["age_bracket"], "autonomy": r["autonomy"],
            "satisfaction": r["satisfaction"]}
        out.append(SessionRecord.model_validate({
            "event_id": r["event_id"], "schema_version": r["schema_version"], "day": r["day"],
            "hour": r["hour"], "duration_min": r["duration_min"], "language": r["language"],
            "accessibility": [x for x in r["accessibility"].split(",") if x],
            "end_reason": r["end_reason"], "help_requests": r["help_requests"],
            "activities": acts[r["event_id"]], "survey": survey}))
    return out


def test_generated_rows_read_back_as_valid_session_records(engine: sa.Engine) -> None:
    made = generate(engine, RECORDS, seed=3, today=TODAY)
    with engine.connect() as conn:
        records = read_back(conn)
        places = {row.id: (row.site_id, row.territory_id) for row in conn.execute(
            sa.select(t.kiosks.c.id, t.kiosks.c.site_id, t.sites.c.territory_id)
            .select_from(t.kiosks.join(t.sites)))}
        stored = {row.event_id: (row.kiosk_id, row.site_id, row.territory_id)
                  for row in conn.execute(sa.select(t.session_records))}
    assert len(records) == RECORDS == made.records
    assert sum(len(r.activities) for r in records) == made.activities
    first, last = period_days(TODAY)
    assert {r.day for r in records} <= {first + dt.timedelta(days=i)
                                       for i in range((last - first).days + 1)}
    catalogue = {p.id: p for p in catalogue_procedures()}
    for r in records:
        assert r.activities, "every session did something"
        assert r.help_requests == sum(a.kind.value == "help" for a in r.activities)
        for a in r.activities:
            if a.kind.value == "practice":
                p = catalogue[a.procedure_id]
                assert (a.theme.value, a.steps_total) == (p.theme, p.steps_total)
                assert a.completed == (a.steps_reached == a.steps_total)
    # Each record sits at its kiosk's site, in that site's territory.
    assert all(places[k] == (s, tr) for k, s, tr in stored.values())
    # The vocabularies are used beyond their most common value.
    assert {r.language.value for r in records} == {"fr", "en", "ar"}
    assert len({r.end_reason for r in records}) >= 4
    assert 0.2 < sum(r.survey is not None for r in records) / RECORDS < 0.5
    assert any(r.accessibility for r in records)
    assert {a.procedure_id for r in records for a in r.activities} - {None} == set(catalogue)
    assert {r.day.weekday() for r in records if r.day.weekday() < 5} == {0, 1, 2, 3, 4}


def test_rebuild_of_the_generated_rows_fills_every_aggregate(engine: sa.Engine) -> None:
    generate(engine, RECORDS, seed=4, today=TODAY)
    assert rebuild_aggregates(engine) == RECORDS
    period = Period.last_months(12, TODAY)
    with engine.connect() as conn:
        for table in t.AGGREGATES:
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() > 0
        assert queries.sessions_summary(conn, Scope(), period)["sessions"] == RECORDS
        by_territory = sum(queries.sessions_summary(conn, Scope(territory_id=tid),
                                                    period)["sessions"]
                           for tid in range(1, Fleet.for_records(RECORDS).territories + 1))
        assert by_territory == RECORDS
        heat = queries.hour_of_week(conn, Scope(), period)
        assert sum(map(sum, heat)) == RECORDS
        funnel = queries.funnel(conn, Scope(), period, "caf-trimestrielle")
        assert funnel, "the most used procedure has a funnel"
        territory, site = datasets.busiest(conn)
        assert queries.sessions_summary(conn, Scope(site_id=site), period)["sessions"] > 0
        assert territory >= 1


def test_same_seed_same_rows(tmp_path: Path) -> None:
    from kiosk_server import db

    rows = []
    for name in ("a", "b"):
        engine = db.open_engine(f"sqlite:///{tmp_path / name}.sqlite")
        db.migrate(engine)
        generate(engine, 500, seed=9, today=TODAY)
        with engine.connect() as conn:
            rows.append(conn.execute(sa.select(t.session_records).order_by(
                t.session_records.c.event_id)).all())
        engine.dispose()
    strip = [[r[:-1] for r in rs] for rs in rows]  # received_at aside
    assert strip[0] == strip[1]


def test_a_finished_dataset_is_reused_and_a_stale_one_removed(tmp_path: Path) -> None:
    first = datasets.sqlite_dataset(300, cache=tmp_path)
    assert not first.reused and first.aggregate_rows["agg_sessions"] > 0
    again = datasets.sqlite_dataset(300, cache=tmp_path)
    assert again.reused and again.key == first.key and again.url == first.url
    # The aggregates' code or schema changed: same raw rows, aggregates rebuilt.
    meta = tmp_path / f"sqlite-{first.key}.json"
    meta.write_text(meta.read_text().replace(first.aggregates_key, "changed"))
    rebuilt = datasets.sqlite_dataset(300, cache=tmp_path)
    assert not rebuilt.reused and rebuilt.aggregates_key == first.aggregates_key
    assert rebuilt.aggregate_rows == first.aggregate_rows
    assert datasets.sqlite_dataset(300, cache=tmp_path).reused
    other = datasets.sqlite_dataset(400, cache=tmp_path)
    assert other.key != first.key
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"sqlite-{other.key}.json",
                                                          f"sqlite-{other.key}.sqlite"]


@pytest.mark.parametrize("records", [1, 13])
def test_a_tiny_fleet_still_has_every_territory(records: int) -> None:
    fleet = Fleet.for_records(records)
    assert fleet.territories == 13 and fleet.sites >= 13 and fleet.kiosks >= fleet.sites


def test_a_dataset_whose_migrations_filled_the_new_rows_keeps_its_aggregates(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = datasets.sqlite_dataset(300, cache=tmp_path)
    meta = tmp_path / f"sqlite-{first.key}.json"
    meta.write_text(meta.read_text().replace(first.aggregates_key, "before"))
    monkeypatch.setattr(datasets, "CARRIED_KEYS", {"before": first.aggregates_key})
    with sa.create_engine(first.url).begin() as conn:  # a rebuild would put the row back
        conn.execute(t.agg_hours.delete().where(t.agg_hours.c.grain == "N"))

    carried = datasets.sqlite_dataset(300, cache=tmp_path)

    assert carried.reused and carried.aggregates_key == first.aggregates_key
    assert carried.aggregate_rows["agg_hours"] < first.aggregate_rows["agg_hours"]
    assert datasets.sqlite_dataset(300, cache=tmp_path).reused
