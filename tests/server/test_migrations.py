"""The Alembic migrations build exactly the tables the query layer declares, on both engines."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kiosk_server import db, tables


def test_migrated_schema_matches_the_declared_tables(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert diff == []


def test_migrating_again_is_a_no_op(engine):
    before = db.current_revision(engine)
    db.migrate(engine)
    assert db.current_revision(engine) == before == db.head_revision()


def test_sqlite_database_defaults_to_a_file_in_the_data_dir(tmp_path):
    from server.helpers import server_settings
    url = db.database_url(server_settings(tmp_path))
    assert url == f"sqlite:///{tmp_path / 'server.sqlite'}"
    engine = db.open_engine(url)
    db.migrate(engine)
    assert "session_records" in sa.inspect(engine).get_table_names()
    engine.dispose()
