"""monthly_reports: the summary of each site's month as a PDF, kept for the console

Revision ID: 0014_monthly_reports
Revises: 0013_parcours_progress
Create Date: 2026-12-05 22:00:00

Made on the 1st of each month by every server process's report task (the first insert of a
(site, month) wins; kiosk_server/monthly_reports.py) and listed on the console's "Rapports
mensuels" page. ``mailed_at`` is set once the report was e-mailed (server.report_smtp_host).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014_monthly_reports'
down_revision = '0013_parcours_progress'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'monthly_reports',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('site_id', sa.Integer, sa.ForeignKey('sites.id'), nullable=False),
        sa.Column('month', sa.Date, nullable=False),
        sa.Column('pdf', sa.LargeBinary, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('site_id', 'month', name='uq_monthly_reports_site_month'),
    )


def downgrade() -> None:
    op.drop_table('monthly_reports')
