"""On PostgreSQL the console's reads of a site or a kiosk -- its daily (or monthly) per-kiosk
rows, the largest reads of the console -- are index-only scans of the aggregates' key (migration
0006: the key's index INCLUDEs the measures), the way SQLite's WITHOUT ROWID tables read them in
place (national and territory reads are of the few T/E rows, through the territory index).
Ingest's upserts still find the key; the migration goes down and up; a cached benchmark dataset
takes such an index-only migration in place, without a rebuild of its aggregates."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bench import datasets
from kiosk_server import db, queries
from kiosk_server import tables as t
from kiosk_server.ingest import ingest
from kiosk_server.queries import Period, Scope
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import SessionRecord
from server.helpers import make_tenant, open_migrated, random_record
from server.test_aggregates_plan import every_query

YEAR = Period(dt.date(2025, 12, 1), dt.date(2026, 11, 30))
DAYS = Period(dt.date(2026, 10, 23), dt.date(2026, 11, 21))


def _fill(engine: sa.Engine, records: int = 300) -> KioskIdentity:
    """``records`` for a kiosk of a site, as many for two other territories' sites (the rows a
    site's read must not visit); the first kiosk."""
    kiosks = []
    for territory, site in (("Nord", "FS Lille"), ("Sud", "EPN Nice"), ("Est", "FS Metz")):
        tenant = make_tenant(engine, territory=territory, site=site)
        kiosks.append(KioskIdentity(tenant.kiosk_id, tenant.site_id, tenant.territory_id,
                                    "borne-1"))
    rng = random.Random(3)
    for kiosk in kiosks:
        batch = [SessionRecord.model_validate(random_record(
            rng, YEAR.start + dt.timedelta(days=rng.randint(0, 364)))) for _ in range(records)]
        assert ingest(engine, kiosk, batch).stored == records
    return kiosks[0]


def _vacuum(engine: sa.Engine) -> None:
    """What autovacuum does on a live server: the visibility map an index-only scan relies on."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in t.AGGREGATES:
            conn.exec_driver_sql(f"VACUUM ANALYZE {table.name}")


def _agg_scans(engine: sa.Engine, scope: Scope, period: Period) -> list[str]:
    """The scan node of every aggregate read the console makes for the scope."""
    statements: list[tuple[str, dict]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().startswith("SELECT") and " agg_" in statement:
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.connect() as conn:
            every_query(conn, scope, period)
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    # every console query ran (a kiosk's page has no survey or autonomy tables of its own: its
    # site's masking would be undone by site minus kiosk, docs/privacy.md)
    assert len(statements) >= 13
    scans = []
    with engine.connect() as conn:
        # A few hundred rows: left alone, the planner rightly reads them all; what is checked
        # is which scan the key makes possible once reading all of them is not an option.
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        for statement, parameters in statements:
            plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
            scans += [line.strip().removeprefix("->  ") for line in plan
                      if " on agg_" in line]
    return scans


@pytest.mark.postgres
@pytest.mark.parametrize("period", [YEAR, DAYS], ids=["12 months", "day range"])
@pytest.mark.parametrize("scope", ["site", "kiosk"])
def test_console_reads_of_a_site_or_a_kiosk_are_index_only_scans_on_postgresql(
        pg_url: str, scope: str, period: Period):
    engine = open_migrated(pg_url)
    kiosk = _fill(engine)
    _vacuum(engine)
    chosen = {"site": Scope(site_id=kiosk.site_id),
              "kiosk": Scope(site_id=kiosk.site_id, kiosk_id=kiosk.kiosk_id)}[scope]
    scans = _agg_scans(engine, chosen, period)
    engine.dispose()
    assert scans
    for scan in scans:
        assert scan.startswith("Index Only Scan using agg_") and "_pkey on agg_" in scan, scans


@pytest.mark.postgres
def test_aggregate_keys_include_their_measures_and_ingest_still_adds_to_them(pg_url: str):
    engine = open_migrated(pg_url)
    kiosk = _fill(engine, records=50)
    # Two batches of one record, same day and dimensions: the second one's rows all exist
    # already, so ON CONFLICT must find the covering key and add to them.
    for _ in range(2):
        same = SessionRecord.model_validate(random_record(random.Random(3), YEAR.start))
        assert ingest(engine, kiosk, [same]).stored == 1
    with engine.connect() as conn:
        included = dict(conn.exec_driver_sql(
            "SELECT c.relname, i.indnatts - i.indnkeyatts FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid WHERE i.indisprimary "
            "AND left(c.relname, 4) = 'agg_'").all())
        summary = queries.sessions_summary(conn, Scope(site_id=kiosk.site_id), YEAR)
    engine.dispose()
    measures = {table.name: len(table.columns) - len(table.primary_key.columns)
                for table in t.AGGREGATES}
    assert included == measures
    assert summary["sessions"] == 52


@pytest.mark.postgres
def test_covering_keys_migration_goes_down_and_up_keeping_every_row(pg_url: str):
    engine = open_migrated(pg_url)
    _fill(engine, records=60)

    def snapshot() -> dict[str, list]:
        with engine.connect() as conn:
            return {tb.name: sorted(conn.execute(sa.select(tb)).all())
                    for tb in t.AGGREGATES}

    def included() -> int:
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT sum(i.indnatts - i.indnkeyatts) FROM pg_index i JOIN pg_class c "
                "ON c.oid = i.indrelid WHERE i.indisprimary AND left(c.relname, 4) = 'agg_'"
            ).scalar_one()

    def vacuum_options() -> set[str]:
        with engine.connect() as conn:
            return {option for (options,) in conn.exec_driver_sql(
                "SELECT reloptions FROM pg_class WHERE relkind = 'r' "
                "AND left(relname, 4) = 'agg_'") for option in options or []}

    before = snapshot()
    assert vacuum_options() == {"autovacuum_vacuum_scale_factor=0.01",
                                "autovacuum_vacuum_insert_scale_factor=0.01"}
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0005")
    assert db.current_revision(engine) == "0005" and included() == 0
    assert vacuum_options() == set()
    db.migrate(engine)
    assert db.current_revision(engine) == db.head_revision() and included() > 0
    assert snapshot() == before
    engine.dispose()


def test_a_cached_dataset_takes_an_index_only_migration_in_place(tmp_path: Path):
    first = datasets.sqlite_dataset(200, cache=tmp_path)
    engine = db.open_engine(first.url)
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0005")
    engine.dispose()
    again = datasets.sqlite_dataset(200, cache=tmp_path)
    assert again.reused and again.aggregates_key == first.aggregates_key  # not rebuilt
    assert again.rebuild_s == first.rebuild_s
    engine = db.open_engine(again.url)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_index_only_revisions_leave_the_aggregates_key_alone():
    assert datasets._rows_revision() not in datasets.INDEX_ONLY_REVISIONS
    assert db.head_revision() in datasets.INDEX_ONLY_REVISIONS | {datasets._rows_revision()}
