"""day x territory rows (grain E) with their dimensions, for sessions, activities, comfort options

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 16:50:00

A national or territory dashboard over an exact day range ("les 30 derniers jours") read every
kiosk's daily rows; it now reads E rows, one per day, territory and dimension. Data only: the E
rows are the sum of the D rows, so they are derived from them for every period, including
periods whose raw records were purged (a rebuild from raw could not reach those).
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Frozen: (dimensions, measures) of the tables that get E rows, as of this revision.
TABLES: dict[str, tuple[list[str], list[str]]] = {
    'agg_sessions': (['language', 'end_reason', 'duration_bucket'],
                     ['sessions', 'duration_min', 'help_requests', 'accessible_sessions']),
    'agg_activities': (['kind', 'procedure_id', 'theme'],
                       ['activities', 'completed', 'pages', 'hints_used', 'errors']),
    'agg_comfort': (['comfort_option'], ['sessions']),
}


def _insert_e_rows(name: str, dims: list[str], measures: list[str], empty_dims: bool) -> None:
    dim_values = ', '.join("''" for _ in dims) if empty_dims else ', '.join(dims)
    group = 'period, territory_id' + ('' if empty_dims else ', ' + ', '.join(dims))
    op.execute(
        f"INSERT INTO {name} (grain, period, territory_id, site_id, kiosk_id, "
        f"{', '.join(dims)}, {', '.join(measures)}) "
        f"SELECT 'E', period, territory_id, 0, 0, {dim_values}, "
        f"{', '.join(f'SUM({m})' for m in measures)} "
        f"FROM {name} WHERE grain = 'D' GROUP BY {group}")


def upgrade() -> None:
    for name, (dims, measures) in TABLES.items():
        op.execute(f"DELETE FROM {name} WHERE grain = 'E'")
        _insert_e_rows(name, dims, measures, empty_dims=False)


def downgrade() -> None:
    for name in TABLES:
        op.execute(f"DELETE FROM {name} WHERE grain = 'E'")
    dims, measures = TABLES['agg_sessions']
    _insert_e_rows('agg_sessions', dims, measures, empty_dims=True)  # day totals, as in 0003
