"""live_changes: one change counter per site, read by each server process's live feed

Revision ID: 0009_live_changes
Revises: 0008
Create Date: 2026-12-05 18:30:00

Every write the mediators' live view must show (a kiosk's state changed, a help request, a
command) adds one to its site's row in the same transaction; ``site_id`` 0 counts changes to
console accounts and places. Each server process polls this small table once per tick, whatever
the number of live pages it serves (kiosk_server/console/live_feed.py).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_live_changes'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'live_changes',
        sa.Column('site_id', sa.Integer, primary_key=True, autoincrement=False),
        sa.Column('version', sa.BigInteger, nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table('live_changes')
