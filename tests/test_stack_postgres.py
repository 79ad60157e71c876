"""Smoke test: SQLAlchemy (psycopg 3) works against the throwaway PostgreSQL cluster."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.postgres


def test_table_created_and_row_round_trips(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        metadata = sa.MetaData()
        sessions = sa.Table(
            "smoke_sessions", metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("language", sa.String(8), nullable=False),
            sa.Column("details", sa.JSON, nullable=False),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sessions.insert(), [{"language": "fr", "details": {"pages": 3}}])
        with engine.connect() as conn:
            row = conn.execute(sa.select(sessions)).one()
            server_version = conn.execute(sa.text("SHOW server_version")).scalar_one()
        assert (row.language, row.details) == ("fr", {"pages": 3})
        assert int(server_version.split(".")[0]) >= 15
    finally:
        engine.dispose()


def test_each_test_gets_a_fresh_empty_database(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
