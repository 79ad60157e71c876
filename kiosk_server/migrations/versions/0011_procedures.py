"""procedures written in the console: versions, review, publication, each site's catalogue

Revision ID: 0011_procedures
Revises: 0010
Create Date: 2026-12-05 22:00:00

Procedures saved in the console (kiosk_server/procedures): each save a version (the YAML text,
its author, the checker's findings, its review state), the one published version of each and
where, and each site's choice of procedures and order. The site's current catalogue version
(read with the kiosk's row at each heartbeat), whether a site lets an author approve alone, the
catalogue version each kiosk says it has, and the procedure version of a practice activity.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_procedures'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'procedures',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer, sa.ForeignKey('users.id'), nullable=True),
    )
    op.create_table(
        'procedure_versions',
        sa.Column('procedure_id', sa.String(64), sa.ForeignKey('procedures.id'),
                  primary_key=True),
        sa.Column('version', sa.Integer, primary_key=True),
        sa.Column('yaml', sa.Text, nullable=False),
        sa.Column('author_id', sa.Integer, sa.ForeignKey('users.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('errors', sa.Integer, nullable=False),
        sa.Column('findings', sa.Text, nullable=False, server_default='[]'),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('scope', sa.String(16), nullable=True),
        sa.Column('place_id', sa.Integer, nullable=True),
        sa.Column('reviewed_by', sa.Integer, sa.ForeignKey('users.id'), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'procedure_publications',
        sa.Column('procedure_id', sa.String(64), sa.ForeignKey('procedures.id'),
                  primary_key=True),
        sa.Column('version', sa.Integer, nullable=False),
        sa.Column('scope', sa.String(16), nullable=False),
        sa.Column('place_id', sa.Integer, nullable=True),
        sa.Column('published_by', sa.Integer, sa.ForeignKey('users.id'), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'site_catalogue',
        sa.Column('site_id', sa.Integer, sa.ForeignKey('sites.id'), primary_key=True),
        sa.Column('position', sa.Integer, primary_key=True),
        sa.Column('procedure_id', sa.String(64), nullable=False),
    )
    # In place, not Alembic's batch copy: ``sites`` is the parent of kiosks, users' places...
    # (see 0008).
    op.add_column('sites', sa.Column('catalogue_version', sa.String(16), nullable=True))
    op.add_column('sites', sa.Column('self_approval', sa.Boolean, nullable=False,
                                     server_default=sa.false()))
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalogue_version', sa.String(16), nullable=True))
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_version', sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('procedure_version')
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.drop_column('catalogue_version')
    op.drop_table('site_catalogue')
    op.drop_column('sites', 'self_approval')
    op.drop_column('sites', 'catalogue_version')
    op.drop_table('procedure_publications')
    op.drop_table('procedure_versions')
    op.drop_table('procedures')
