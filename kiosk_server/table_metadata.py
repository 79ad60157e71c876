"""The one SQLAlchemy ``MetaData`` every server table is declared on (kiosk_server.tables,
kiosk_server.catalogue_tables); the Alembic migrations are compared with it."""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
