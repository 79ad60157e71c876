"""kiosk_status: a frozen, restarting or updating kiosk in the live view

Revision ID: 0010
Revises: 0009_live_changes
Create Date: 2026-12-05 18:30:00

From the heartbeat's optional fields (kiosk/watchdog.py, kiosk/restarts.py): seconds since the
kiosk's UI loop last turned, and its restarts since the machine booted. NULL for kiosks that do
not send them (older versions). And the outcome of the terminal's last update (kiosk-update:
updated, rolled back...) with the version it tried.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009_live_changes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ui_stalled_s', sa.Integer, nullable=True))
        batch_op.add_column(sa.Column('restarts', sa.Integer, nullable=True))
        batch_op.add_column(sa.Column('update_state', sa.String(16), nullable=True))
        batch_op.add_column(sa.Column('update_tried', sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.drop_column('update_tried')
        batch_op.drop_column('update_state')
        batch_op.drop_column('restarts')
        batch_op.drop_column('ui_stalled_s')
