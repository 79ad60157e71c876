"""Migration 0016 on both engines: the official-site figures get their site x month rows from
the daily rows (purged periods included), a list every kiosk of a site carried becomes the
site's own, kiosks that disagree keep theirs, and a downgrade gives the kiosks their copies
back."""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import command

from kiosk_server import db

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
LIST = {"browser_sites": ["caf", "ameli"], "browser_local_sites": ["mairie-lille.fr"]}


def _to(engine: sa.Engine, revision: str, downgrade: bool = False) -> None:
    with engine.begin() as conn:
        cfg = db._alembic_config(conn)
        (command.downgrade if downgrade else command.upgrade)(cfg, revision)


def _seed_0015(conn: sa.Connection) -> None:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def insert(table: str, **values: object) -> None:
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(values)}) VALUES "
                             f"({', '.join([mark] * len(values))})", tuple(values.values()))
    insert("territories", id=1, name="Nord", created_at=NOW)
    insert("sites", id=10, territory_id=1, name="FS Lille", created_at=NOW)
    insert("sites", id=20, territory_id=1, name="FS Roubaix", created_at=NOW)
    insert("sites", id=30, territory_id=1, name="EPN Tourcoing", created_at=NOW)
    national_only = {"browser_sites": ["impots"]}  # its local sites: the kiosks' own
    for kid, site, pushed in [(100, 10, LIST | {"idle_timeout_s": 90}), (101, 10, LIST),
                              (200, 20, LIST), (201, 20, {"browser_sites": ["ants"]}),
                              (300, 30, national_only)]:
        insert("kiosks", id=kid, site_id=site, name=f"borne-{kid}", created_at=NOW,
               pushed_settings=json.dumps(pushed))
    for day, kiosk, site, sessions, minutes in [("2024-01-05", 100, "caf", 2, 10),
                                                ("2024-01-20", 100, "caf", 3, 5),
                                                ("2024-01-20", 101, "caf", 1, 1),
                                                ("2024-02-01", 100, "ameli", 4, 8)]:
        insert("agg_official_sites", grain="D", period=dt.date.fromisoformat(day),
               territory_id=1, site_id=10, kiosk_id=kiosk, site=site, sessions=sessions,
               minutes=minutes)


def _kiosk_settings(conn: sa.Connection) -> dict[int, dict[str, object]]:
    return {k: json.loads(p) for k, p in conn.exec_driver_sql(
        "SELECT id, pushed_settings FROM kiosks")}


def test_site_month_rows_and_per_site_lists_come_from_what_was_stored(db_url):
    engine = db.open_engine(db_url)
    try:
        _to(engine, "0015_version_pins_enrolment")
        with engine.begin() as conn:
            _seed_0015(conn)
        _to(engine, "0016_official_sites_protected")
        with engine.connect() as conn:
            months = conn.exec_driver_sql(
                "SELECT period, kiosk_id, site, sessions, minutes FROM agg_official_sites "
                "WHERE grain = 'M' ORDER BY period, kiosk_id, site").all()
            assert [(str(p)[:10], k, s, n, m) for p, k, s, n, m in months] == [
                ("2024-01-01", 100, "caf", 5, 15), ("2024-01-01", 101, "caf", 1, 1),
                ("2024-02-01", 100, "ameli", 4, 8)]
            lists = dict(conn.exec_driver_sql("SELECT id, browser_list FROM sites").all())
            assert json.loads(lists[10]) == {"national": ["caf", "ameli"],
                                             "local": ["mairie-lille.fr"]}
            assert lists[20] is None  # its kiosks disagree: each keeps its own
            assert json.loads(lists[30]) == {"national": ["impots"], "local": None}
            settings = _kiosk_settings(conn)
            assert settings[100] == {"idle_timeout_s": 90} and settings[101] == {}
            assert settings[201] == {"browser_sites": ["ants"]}

        _to(engine, "0015_version_pins_enrolment", downgrade=True)
        with engine.connect() as conn:
            settings = _kiosk_settings(conn)
            assert settings[100] == LIST | {"idle_timeout_s": 90} and settings[101] == LIST
            assert settings[300] == {"browser_sites": ["impots"]}
            assert conn.exec_driver_sql("SELECT count(*) FROM agg_official_sites "
                                        "WHERE grain = 'M'").scalar_one() == 0
        db.migrate(engine)
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()
