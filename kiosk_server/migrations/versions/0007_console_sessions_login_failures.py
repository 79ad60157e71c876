"""console_sessions and login_failures (shared by every server process); kiosk_status.device_backends

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 15:15:00

- console_sessions: a console sign-in lives on the server, not only in its signed cookie, so
  logging out, a password change and disabling an account end it at once, and a copied cookie
  stops working (the cookie carries a random id; only its SHA-256 is stored).
- login_failures: failed logins by user name and by client address, read by every server
  process (a per-process count let N processes allow N times the attempts).
- kiosk_status.device_backends: which backend drives each device ("cups", "demo"...), so the
  console shows a demo device for what it is.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'console_sessions',
        sa.Column('sid_hash', sa.String(64), primary_key=True),
        sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id'), nullable=False, index=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('key', sa.String(160), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Index('ix_login_failures_key_at', 'key', 'at'),
    )
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_backends', sa.Text, nullable=False,
                                      server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.drop_column('device_backends')
    op.drop_table('login_failures')
    op.drop_table('console_sessions')
