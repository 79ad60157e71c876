"""kiosk_status.session_started_at: time in session for the live view

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:25:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_started_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.drop_column('session_started_at')
