"""The server's one query layer: an SQLAlchemy engine on SQLite (default) or PostgreSQL.

- ``database_url(settings)``: ``server.database_url`` (``KIOSK_SERVER_DATABASE_URL``) or a SQLite
  file ``server.sqlite`` in ``kiosk.data_dir``.
- ``open_engine(url)``: SQLite gets WAL, a busy timeout, foreign keys and ``BEGIN IMMEDIATE``
  transactions (a read-then-write transaction can then never fail half-way on a lock upgrade);
  PostgreSQL gets a small pool with pre-ping.
- ``migrate(engine)``: Alembic migrations shipped in the package, run at start; on PostgreSQL
  under an advisory lock so several server processes may start at once.
- ``upsert_add(conn, table, rows, measures)``: ``INSERT .. ON CONFLICT DO UPDATE SET m = m +
  excluded.m`` on both engines, the primitive of aggregates maintained at ingest.
"""
from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# Alembic is chatty at INFO (a line per plugin on every start); one line per upgrade is enough.
logging.getLogger("alembic").setLevel(logging.WARNING)

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from kiosk_wire.config import Settings
from kiosk_wire.secrets import mask_url

log = logging.getLogger(__name__)

# Aggregate rows go to the driver directly (upsert_add): dates as ISO text on SQLite, which is
# what SQLAlchemy's Date type stores there (and no reliance on the adapter deprecated in 3.12).
sqlite3.register_adapter(dt.date, dt.date.isoformat)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 74_700_001  # arbitrary, constant advisory lock key


class DatabaseError(Exception):
    """The server database cannot be reached or prepared; the message is for an operator."""


def database_url(settings: Settings) -> str:
    url = settings.get("server.database_url")
    if url:
        return str(url)
    path = settings.data_dir / "server.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def open_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 30})
            _sqlite_pragmas(engine)
        else:
            engine = sa.create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError) as err:
        raise DatabaseError(f"server.database_url is not usable: {mask_url(str(err))}") from None
    return engine


def _sqlite_pragmas(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the database to the latest schema (idempotent; safe with concurrent starts)."""
    try:
        if current_revision(engine) == head_revision():
            return
        if engine.dialect.name == "postgresql":
            with engine.connect() as lock_conn:
                lock_conn.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_MIGRATION_LOCK})")
                try:
                    with engine.begin() as conn:
                        command.upgrade(_alembic_config(conn), "head")
                finally:
                    lock_conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_PG_MIGRATION_LOCK})")
                    lock_conn.commit()
        else:
            with engine.begin() as conn:
                command.upgrade(_alembic_config(conn), "head")
        log.info("server database migrated to %s", head_revision())
    except sa.exc.OperationalError as err:
        raise DatabaseError(f"cannot prepare the server database: {mask_url(str(err.orig))}") \
            from None


def upsert_add(conn: Connection, table: sa.Table, rows: Sequence[Sequence[Any]],
               measures: Iterable[str]) -> None:
    """Add ``rows``' measures to existing aggregate rows, inserting the missing ones.

    ``rows`` are tuples in the table's column order. The statement is the same on SQLite and
    PostgreSQL (``ON CONFLICT .. DO UPDATE`` with ``excluded``) and goes through the driver's
    ``executemany``: for the thousands of aggregate rows of a batch, SQLAlchemy's per-row
    parameter processing would cost more than the database work. On PostgreSQL, one statement
    per table for all the rows (:func:`_upsert_add_pg`).
    """
    if not rows:
        return
    columns = [c.name for c in table.columns]
    key = [c.name for c in table.primary_key.columns]
    if conn.dialect.name == "postgresql":
        _upsert_add_pg(conn, table, rows, measures)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))}) "
           f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
           + ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in measures))
    conn.exec_driver_sql(sql, list(rows))


def _upsert_add_pg(conn: Connection, table: sa.Table, rows: Sequence[Sequence[Any]],
                   measures: Iterable[str]) -> None:
    """PostgreSQL: every row in one ``INSERT .. SELECT FROM unnest(<one array per column>)``.
    A storm's batches made ~11 upserts per record, one statement each: PostgreSQL's work per
    statement, not per row, was most of the ingest. The keys of ``rows`` must be distinct (one
    statement may not update a row twice); they are inserted in key order, so two transactions
    lock shared rows in the same order."""
    columns = [c.name for c in table.columns]
    types = [c.type.compile(dialect=conn.dialect) for c in table.columns]
    key = [c.name for c in table.primary_key.columns]
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"SELECT * FROM unnest({', '.join(f'%s::{ty}[]' for ty in types)}) "
           f"AS v({', '.join(columns)}) ORDER BY {', '.join(key)} "
           f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
           + ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in measures))
    arrays = tuple(list(values) for values in zip(*rows, strict=True))
    conn.exec_driver_sql(sql, arrays)
