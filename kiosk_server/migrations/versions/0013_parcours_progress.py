"""parcours progress: the parcours step of a practice activity, and its monthly aggregate

Revision ID: 0013_parcours_progress
Revises: 0012_official_sites
Create Date: 2026-12-05 22:00:00

A practice run made as a step of a parcours carries the parcours' catalogue id and the step's
rank (kiosk_wire.schema.Activity): two nullable columns of ``activities`` (NULL for every
other activity and for older kiosks), and ``agg_parcours``: per month and place, the attempts
and completions of each step of each parcours (the console's "Parcours" table).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_parcours_progress'
down_revision = '0012_official_sites'
branch_labels = None
depends_on = None

MEASURES = ['activities', 'completed']


def upgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parcours_id', sa.String(64), nullable=True))
        batch_op.add_column(sa.Column('parcours_step', sa.SmallInteger, nullable=True))
    op.create_table(
        'agg_parcours',
        sa.Column('grain', sa.String(length=1), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('kiosk_id', sa.Integer(), nullable=False),
        sa.Column('parcours_id', sa.String(64), nullable=False),
        sa.Column('parcours_step', sa.SmallInteger(), nullable=False),
        *[sa.Column(m, sa.BigInteger(), server_default='0', nullable=False) for m in MEASURES],
        sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'kiosk_id',
                                'parcours_id', 'parcours_step', postgresql_include=MEASURES),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_agg_parcours_territory', 'agg_parcours',
                    ['grain', 'territory_id', 'period'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # as migration 0006 set for every aggregate
        version = int(op.get_bind().exec_driver_sql("SHOW server_version_num").scalar_one())
        options = ['autovacuum_vacuum_scale_factor = 0.01']
        if version >= 130000:
            options.append('autovacuum_vacuum_insert_scale_factor = 0.01')
        op.execute(f"ALTER TABLE agg_parcours SET ({', '.join(options)})")


def downgrade() -> None:
    op.drop_index('ix_agg_parcours_territory', table_name='agg_parcours')
    op.drop_table('agg_parcours')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('parcours_step')
        batch_op.drop_column('parcours_id')
