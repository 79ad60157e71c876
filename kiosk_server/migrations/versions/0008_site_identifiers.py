"""sites: SIRET, code INSEE and id in the national cartography of places (optional)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 18:30:00

What La Coop de la médiation numérique and the national cartography of places of digital
mediation identify a place by, so the "Coop" export carries them (issue #19). Optional: a site
without them exports with empty cells.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sites', sa.Column('siret', sa.String(14), nullable=True))
    op.add_column('sites', sa.Column('code_insee', sa.String(5), nullable=True))
    op.add_column('sites', sa.Column('cartography_id', sa.String(255), nullable=True))


def downgrade() -> None:
    # In place, not Alembic's batch copy: ``sites`` is the parent of kiosks, users' places...,
    # and SQLite (3.35+) drops a plain column without copying the table, where dropping the
    # old copy would break those foreign keys (see 0005).
    op.drop_column('sites', 'cartography_id')
    op.drop_column('sites', 'code_insee')
    op.drop_column('sites', 'siret')
