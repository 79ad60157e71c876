"""initial schema: tenancy, statistics, aggregates, live

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 13:41:25.918287
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('procedure_id', sa.String(length=64), nullable=True),
    sa.Column('theme', sa.String(length=48), nullable=True),
    sa.Column('steps_total', sa.SmallInteger(), nullable=False),
    sa.Column('steps_reached', sa.SmallInteger(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('hints_used', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('autonomy', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_event_id'), ['event_id'], unique=False)

    op.create_table('agg_activities',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('procedure_id', sa.String(length=64), nullable=False),
    sa.Column('theme', sa.String(length=48), nullable=False),
    sa.Column('activities', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('completed', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('pages', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('hints_used', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('errors', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'kind', 'procedure_id', 'theme'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('agg_activities', schema=None) as batch_op:
        batch_op.create_index('ix_agg_activities_territory', ['grain', 'territory_id', 'period'], unique=False)

    op.create_table('agg_funnel',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.String(length=64), nullable=False),
    sa.Column('steps_total', sa.SmallInteger(), nullable=False),
    sa.Column('steps_reached', sa.SmallInteger(), nullable=False),
    sa.Column('activities', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('completed', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'procedure_id', 'steps_total', 'steps_reached'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('agg_funnel', schema=None) as batch_op:
        batch_op.create_index('ix_agg_funnel_territory', ['grain', 'territory_id', 'period'], unique=False)

    op.create_table('agg_hours',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('sessions', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'weekday', 'hour'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('agg_hours', schema=None) as batch_op:
        batch_op.create_index('ix_agg_hours_territory', ['grain', 'territory_id', 'period'], unique=False)

    op.create_table('agg_sessions',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('end_reason', sa.String(length=24), nullable=False),
    sa.Column('duration_bucket', sa.String(length=12), nullable=False),
    sa.Column('sessions', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('duration_min', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('help_requests', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('accessible_sessions', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'language', 'end_reason', 'duration_bucket'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('agg_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_agg_sessions_territory', ['grain', 'territory_id', 'period'], unique=False)

    op.create_table('agg_survey',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('age_bracket', sa.String(length=16), nullable=False),
    sa.Column('autonomy', sa.String(length=24), nullable=False),
    sa.Column('satisfaction', sa.String(length=16), nullable=False),
    sa.Column('sessions', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'age_bracket', 'autonomy', 'satisfaction'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('agg_survey', schema=None) as batch_op:
        batch_op.create_index('ix_agg_survey_territory', ['grain', 'territory_id', 'period'], unique=False)

    op.create_table('session_records',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('schema_version', sa.SmallInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('duration_min', sa.SmallInteger(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('accessibility', sa.String(length=64), nullable=False),
    sa.Column('end_reason', sa.String(length=24), nullable=False),
    sa.Column('help_requests', sa.SmallInteger(), nullable=False),
    sa.Column('age_bracket', sa.String(length=16), nullable=True),
    sa.Column('autonomy', sa.String(length=24), nullable=True),
    sa.Column('satisfaction', sa.String(length=16), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('session_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_records_day'), ['day'], unique=False)

    op.create_table('territories',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('sites',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('territory_id', 'name', name='uq_sites_territory_name')
    )
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_territory_id'), ['territory_id'], unique=False)

    op.create_table('kiosks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pushed_settings', sa.Text(), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'name', name='uq_kiosks_site_name')
    )
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosks_site_id'), ['site_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('help_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.String(length=64), nullable=True),
    sa.Column('step', sa.SmallInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id')
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_requests_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_site_id'), ['site_id'], unique=False)

    op.create_table('kiosk_commands',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kiosk_commands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_commands_kiosk_id'), ['kiosk_id'], unique=False)

    op.create_table('kiosk_status',
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('procedure_id', sa.String(length=64), nullable=True),
    sa.Column('step', sa.SmallInteger(), nullable=True),
    sa.Column('devices', sa.Text(), server_default='{}', nullable=False),
    sa.Column('app_version', sa.String(length=32), nullable=False),
    sa.Column('queue_length', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('kiosk_id')
    )
    op.create_table('kiosk_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('kiosk_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_tokens_kiosk_id'), ['kiosk_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kiosk_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_tokens_kiosk_id'))

    op.drop_table('kiosk_tokens')
    op.drop_table('kiosk_status')
    with op.batch_alter_table('kiosk_commands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_commands_kiosk_id'))

    op.drop_table('kiosk_commands')
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_requests_site_id'))
        batch_op.drop_index(batch_op.f('ix_help_requests_kiosk_id'))

    op.drop_table('help_requests')
    op.drop_table('users')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosks_site_id'))

    op.drop_table('kiosks')
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sites_territory_id'))

    op.drop_table('sites')
    op.drop_table('territories')
    with op.batch_alter_table('session_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_records_day'))

    op.drop_table('session_records')
    with op.batch_alter_table('agg_survey', schema=None) as batch_op:
        batch_op.drop_index('ix_agg_survey_territory')

    op.drop_table('agg_survey')
    with op.batch_alter_table('agg_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_agg_sessions_territory')

    op.drop_table('agg_sessions')
    with op.batch_alter_table('agg_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_agg_hours_territory')

    op.drop_table('agg_hours')
    with op.batch_alter_table('agg_funnel', schema=None) as batch_op:
        batch_op.drop_index('ix_agg_funnel_territory')

    op.drop_table('agg_funnel')
    with op.batch_alter_table('agg_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_agg_activities_territory')

    op.drop_table('agg_activities')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_event_id'))

    op.drop_table('activities')
