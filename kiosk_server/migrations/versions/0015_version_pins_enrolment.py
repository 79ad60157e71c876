"""version pins of sites and territories, enrolment tokens, the kiosk's package version

Revision ID: 0015_version_pins_enrolment
Revises: 0014_monthly_reports
Create Date: 2026-12-05 22:00:00

A manager pins the kiosk package version of a site or a whole territory (sent in heartbeat
replies, installed by kiosk-update between sessions); heartbeats say the version installed, so
the live view shows a kiosk that is not yet on it. Enrolment tokens: one-time, hashed, with an
expiry, traded by `kiosk setup` for the kiosk's bearer token.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015_version_pins_enrolment'
down_revision = '0014_monthly_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('territories', 'sites'):
        op.add_column(table, sa.Column('pinned_version', sa.String(32), nullable=True))
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('package_version', sa.String(32), nullable=True))
    op.create_table(
        'enrolment_tokens',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('kiosk_id', sa.Integer, sa.ForeignKey('kiosks.id'), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False, unique=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_enrolment_tokens_kiosk_id', 'enrolment_tokens', ['kiosk_id'])


def downgrade() -> None:
    op.drop_index('ix_enrolment_tokens_kiosk_id', table_name='enrolment_tokens')
    op.drop_table('enrolment_tokens')
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.drop_column('package_version')
    # In place, not Alembic's batch copy: sites and territories are parents (kiosks, users'
    # places...), and dropping the old copy would break their foreign keys (see 0008).
    for table in ('sites', 'territories'):
        op.drop_column(table, 'pinned_version')
