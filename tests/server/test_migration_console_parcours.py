"""Migrations 0017 and 0019 on a populated database, both engines: 0017 fills each console
procedure's French title from its latest version and the monthly per-version aggregate from
the raw records still kept (per kiosk and per territory, as ingest would); 0019 makes every
site's catalogue version be computed again (with the one without parcours beside it)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command

from kiosk_server import db

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def _to(engine: sa.Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.upgrade(db._alembic_config(conn), revision)


def _inserter(conn: sa.Connection):
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def insert(table: str, **values: object) -> None:
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(values)}) VALUES "
                             f"({', '.join([mark] * len(values))})", tuple(values.values()))
    return insert


def _version(pid: str, version: int, title: str) -> dict[str, object]:
    return {"procedure_id": pid, "version": version, "created_at": NOW, "errors": 0,
            "state": "draft",
            "yaml": f'format: 1\nid: {pid}\ntitle: {{fr: "{title}", en: "x"}}\npages: []\n'}


def _seed_0016(conn: sa.Connection) -> None:
    insert = _inserter(conn)
    insert("territories", id=1, name="Nord", created_at=NOW)
    insert("sites", id=10, territory_id=1, name="FS Lille", created_at=NOW,
           catalogue_version="0123456789abcdef")
    insert("sites", id=20, territory_id=1, name="FS Roubaix", created_at=NOW)
    for kid, site in ((100, 10), (101, 10), (200, 20)):
        insert("kiosks", id=kid, site_id=site, name=f"borne-{kid}", created_at=NOW)
    insert("procedures", id="lille-rdv", created_at=NOW)
    insert("procedure_versions", **_version("lille-rdv", 1, "Ancien titre"))
    insert("procedure_versions", **_version("lille-rdv", 2, 'Rendez-vous \\"mairie\\"'))
    insert("procedures", id="sans-titre", created_at=NOW)
    insert("procedure_versions", **(_version("sans-titre", 1, "") | {"yaml": "id: sans-titre\n"}))
    # Practice attempts: two of version 1 in kiosk 100 in January (one completed), one of
    # version 2 in kiosk 101 and one in kiosk 200 in February; a shipped procedure's (no
    # version) and a browsing activity are not counted.
    attempts = [(100, 10, "2026-01-05", "lille-rdv", 1, True, 5),
                (100, 10, "2026-01-28", "lille-rdv", 1, False, 2),
                (101, 10, "2026-02-03", "lille-rdv", 2, True, 6),
                (200, 20, "2026-02-10", "lille-rdv", 2, False, 1),
                (200, 20, "2026-02-11", "mairie-rendez-vous", None, True, 4)]
    for n, (kiosk, site, day, pid, version, done, reached) in enumerate(attempts):
        insert("session_records", event_id=f"00000000-0000-0000-0000-00000000000{n}",
               kiosk_id=kiosk, site_id=site, territory_id=1, schema_version=1,
               day=dt.date.fromisoformat(day), hour=10, duration_min=12, language="fr",
               accessibility="[]", end_reason="finished", help_requests=0, received_at=NOW)
        common = {"event_id": f"00000000-0000-0000-0000-00000000000{n}", "steps_total": 6,
                  "hints_used": 0, "errors": 0, "pages": 0}
        insert("activities", id=n * 2 + 1, position=0, kind="practice", procedure_id=pid,
               steps_reached=reached, completed=done, procedure_version=version, **common)
        insert("activities", id=n * 2 + 2, position=1, kind="browse", steps_reached=0,
               completed=False, **common)


def test_titles_and_version_figures_are_filled_from_what_was_stored(db_url):
    engine = db.open_engine(db_url)
    try:
        _to(engine, "0016_official_sites_protected")
        with engine.begin() as conn:
            _seed_0016(conn)
        _to(engine, "0017_console_parcours")
        with engine.connect() as conn:
            titles = dict(conn.exec_driver_sql("SELECT id, title_fr FROM procedures").all())
            assert titles == {"lille-rdv": 'Rendez-vous "mairie"', "sans-titre": None}
            rows = conn.exec_driver_sql(
                "SELECT grain, period, site_id, kiosk_id, procedure_id, procedure_version, "
                "activities, completed, steps_reached FROM agg_procedure_versions "
                "ORDER BY grain, period, kiosk_id").all()
        assert [(g, str(p)[:10], s, k, pid, v, a, c, r) for g, p, s, k, pid, v, a, c, r in rows
                ] == [("M", "2026-01-01", 10, 100, "lille-rdv", 1, 2, 1, 7),
                      ("M", "2026-02-01", 10, 101, "lille-rdv", 2, 1, 1, 6),
                      ("M", "2026-02-01", 20, 200, "lille-rdv", 2, 1, 0, 1),
                      ("T", "2026-01-01", 0, 0, "lille-rdv", 1, 2, 1, 7),
                      ("T", "2026-02-01", 0, 0, "lille-rdv", 2, 2, 1, 7)]

        _to(engine, "0019_bundle_levels")
        with engine.connect() as conn:
            sites = conn.exec_driver_sql("SELECT catalogue_version, catalogue_version_plain "
                                         "FROM sites").all()
        assert set(sites) == {(None, None)}  # computed again at the sites' next heartbeat
    finally:
        engine.dispose()


def _down(engine: sa.Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), revision)


def test_0019_goes_down_and_up_again_on_a_database_holding_kiosks(db_url):
    """Its downgrade on SQLite copied ``sites`` in batch mode and dropped the original, which
    the kiosks referring to it forbid (FOREIGN KEY constraint failed)."""
    engine = db.open_engine(db_url)
    try:
        _to(engine, "0016_official_sites_protected")
        with engine.begin() as conn:
            _seed_0016(conn)
        _to(engine, "0019_bundle_levels")
        _down(engine, "0018_site_months")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("sites")}
            kiosks = conn.exec_driver_sql("SELECT id, site_id FROM kiosks ORDER BY id").all()
        assert "catalogue_version_plain" not in columns
        assert kiosks == [(100, 10), (101, 10), (200, 20)]
        _to(engine, "0019_bundle_levels")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM sites").scalar() == 2
    finally:
        engine.dispose()
