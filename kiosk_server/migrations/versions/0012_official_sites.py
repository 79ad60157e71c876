"""official sites: the sites used in the kiosk's browser, stored, aggregated, and live

Revision ID: 0012_official_sites
Revises: 0011_procedures
Create Date: 2026-12-05 22:30:00

Session records have carried ``official_sites`` (allowlist keys with whole minutes, never an
address) since the kiosk's browser came; the server dropped them. Now ``site_uses`` keeps them
raw (purged with their record), ``agg_official_sites`` sums them per day and site like
``agg_comfort``, and ``kiosk_status.official_site`` says which site a kiosk shows now, for the
live view. Records received before this revision carried the field but it was not kept: their
sites cannot be counted again.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_official_sites'
down_revision = '0011_procedures'
branch_labels = None
depends_on = None

MEASURES = ['sessions', 'minutes']


def upgrade() -> None:
    op.create_table(
        'site_uses',
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('site', sa.String(length=24), nullable=False),
        sa.Column('minutes', sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint('event_id', 'site'),
    )
    op.create_table(
        'agg_official_sites',
        sa.Column('grain', sa.String(length=1), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('kiosk_id', sa.Integer(), nullable=False),
        sa.Column('site', sa.String(length=24), nullable=False),
        *[sa.Column(m, sa.BigInteger(), server_default='0', nullable=False) for m in MEASURES],
        sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'kiosk_id', 'site',
                                postgresql_include=MEASURES),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_agg_official_sites_territory', 'agg_official_sites',
                    ['grain', 'territory_id', 'period'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # vacuumed as often as the others (0006)
        settings = ', '.join(f'{option} = 0.01' for option in _vacuum_options())
        op.execute(f"ALTER TABLE agg_official_sites SET ({settings})")
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('official_site', sa.String(24), nullable=True))


def _vacuum_options() -> list[str]:
    options = ['autovacuum_vacuum_scale_factor']
    if int(op.get_bind().exec_driver_sql("SHOW server_version_num").scalar_one()) >= 130000:
        options.append('autovacuum_vacuum_insert_scale_factor')
    return options


def downgrade() -> None:
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.drop_column('official_site')
    op.drop_index('ix_agg_official_sites_territory', table_name='agg_official_sites')
    op.drop_table('agg_official_sites')
    op.drop_table('site_uses')
