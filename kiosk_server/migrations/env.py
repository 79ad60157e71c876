"""Alembic environment of the kiosk server; run programmatically by kiosk_server.db.migrate().

The caller passes an open connection in ``config.attributes["connection"]``, so migrations run
on exactly the engine the server uses (SQLite or PostgreSQL) and inside its lock.
"""
from __future__ import annotations

from alembic import context

import kiosk_server.tables  # noqa: F401  (declares every table on the metadata)
from kiosk_server.table_metadata import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `kiosk_server.db.migrate` drives migrations
    raise RuntimeError("run migrations through kiosk_server.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
