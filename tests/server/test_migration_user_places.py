"""Migration 0005 on both engines: each console user's single scope becomes their first place in
user_places, rows pointing at users (commands, help requests) survive the table rebuild, and a
downgrade gives each user their first place back."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command

from kiosk_server import db

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def _to(engine: sa.Engine, revision: str, downgrade: bool = False) -> None:
    with engine.begin() as conn:
        cfg = db._alembic_config(conn)
        (command.downgrade if downgrade else command.upgrade)(cfg, revision)


def _seed_0004(conn: sa.Connection) -> None:
    run = conn.exec_driver_sql
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def insert(table: str, **values: object) -> None:
        run(f"INSERT INTO {table} ({', '.join(values)}) VALUES "
            f"({', '.join([mark] * len(values))})", tuple(values.values()))
    insert("territories", id=1, name="Nord", created_at=NOW)
    insert("territories", id=2, name="Bretagne", created_at=NOW)
    insert("sites", id=10, territory_id=1, name="FS Lille", created_at=NOW)
    insert("sites", id=20, territory_id=2, name="FS Rennes", created_at=NOW)
    insert("kiosks", id=100, site_id=10, name="borne-1", created_at=NOW)
    for uid, name, role, territory, site in [(1, "admin", "admin", None, None),
                                             (2, "resp-nord", "manager", 1, None),
                                             (3, "resp-rennes", "manager", 2, 20),
                                             (4, "med-lille", "mediator", 1, 10)]:
        insert("users", id=uid, username=name, password_hash="x", role=role,
               territory_id=territory, site_id=site, created_at=NOW)
    insert("kiosk_commands", kiosk_id=100, kind="out_of_order", created_at=NOW, created_by=4)
    insert("help_requests", request_id="r-1", kiosk_id=100, site_id=10, status="acknowledged",
           created_at=NOW, acknowledged_at=NOW, acknowledged_by=4)


def test_each_users_scope_becomes_their_first_place_and_comes_back_on_downgrade(db_url):
    engine = db.open_engine(db_url)
    try:
        _to(engine, "0004")
        with engine.begin() as conn:
            _seed_0004(conn)
        db.migrate(engine)
        assert db.current_revision(engine) == db.head_revision()
        with engine.connect() as conn:
            places = conn.exec_driver_sql(
                "SELECT user_id, territory_id, site_id FROM user_places ORDER BY user_id"
            ).all()
            assert [tuple(p) for p in places] == [(2, 1, None), (3, None, 20), (4, None, 10)]
            assert "site_id" not in {c["name"] for c in sa.inspect(conn).get_columns("users")}
            assert conn.exec_driver_sql(
                "SELECT acknowledged_by FROM help_requests").scalar_one() == 4
            assert conn.exec_driver_sql(
                "SELECT created_by FROM kiosk_commands").scalar_one() == 4
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            # A second place for the mediator: a downgrade keeps the first one only.
            conn.exec_driver_sql("INSERT INTO user_places (user_id, site_id) VALUES (4, 20)")
            conn.commit()

        _to(engine, "0004", downgrade=True)
        with engine.connect() as conn:
            users = conn.exec_driver_sql(
                "SELECT id, territory_id, site_id FROM users ORDER BY id").all()
            assert [tuple(u) for u in users] == [(1, None, None), (2, 1, None), (3, 2, 20),
                                                 (4, 1, 10)]
            assert "user_places" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
