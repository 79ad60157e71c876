"""site x month rows for sessions, activities and comfort options

Revision ID: 0018_site_months
Revises: 0017_console_parcours
Create Date: 2026-12-06 05:40:00

``agg_sessions``, ``agg_activities`` and ``agg_comfort`` gain their site x month grain (M,
per kiosk, as ``agg_official_sites`` got in 0016): a site's or a kiosk's figures over whole
months read a few rows a month instead of a few a day (a busy site's "12 derniers mois" was
a year of daily rows on every view; the comparisons of a territory's sites, a million). The M
rows are summed from the daily per-kiosk rows (D), which outlive the raw records, so purged
periods get them too; one ``INSERT .. SELECT .. GROUP BY`` per table (a few minutes at 10
million records), the same sums kiosk_server.rebuild makes from the raw records.
"""
from __future__ import annotations

from alembic import op

revision = '0018_site_months'
down_revision = '0017_console_parcours'
branch_labels = None
depends_on = None

# table -> (dimensions, measures), in the table's column order
TABLES = {
    'agg_sessions': (('language', 'end_reason', 'duration_bucket'),
                     ('sessions', 'duration_min', 'help_requests', 'accessible_sessions')),
    'agg_activities': (('kind', 'procedure_id', 'theme'),
                       ('activities', 'completed', 'pages', 'hints_used', 'errors')),
    'agg_comfort': (('comfort_option',), ('sessions',)),
}


def upgrade() -> None:
    month = ("CAST(date_trunc('month', period) AS DATE)"
             if op.get_bind().dialect.name == 'postgresql' else "substr(period, 1, 8) || '01'")
    for table, (dims, measures) in TABLES.items():
        # A database migrated from before 0003 has them already: 0003 rebuilds the aggregates
        # with today's kiosk_server.rebuild. Made again from the daily rows, the same sums.
        op.execute(f"DELETE FROM {table} WHERE grain = 'M'")
        keys = ', '.join(('territory_id', 'site_id', 'kiosk_id', *dims))
        sums = ', '.join(f'sum({m})' for m in measures)
        op.execute(
            f"INSERT INTO {table} (grain, period, {keys}, {', '.join(measures)}) "
            f"SELECT 'M', {month}, {keys}, {sums} FROM {table} WHERE grain = 'D' "
            f"GROUP BY {month}, {keys}")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE grain = 'M'")
