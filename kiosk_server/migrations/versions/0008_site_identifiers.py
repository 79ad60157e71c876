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
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('siret', sa.String(14), nullable=True))
        batch.add_column(sa.Column('code_insee', sa.String(5), nullable=True))
        batch.add_column(sa.Column('cartography_id', sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sites') as batch:
        batch.drop_column('cartography_id')
        batch.drop_column('code_insee')
        batch.drop_column('siret')
