"""PostgreSQL: the aggregates' primary keys carry their measures (INCLUDE), so a console read is
an index-only scan of one key range, as it already is on SQLite

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 19:10:00

Why: on SQLite the aggregate tables are WITHOUT ROWID, clustered by their key, so a site's year
of daily rows (about 20,000 for the busiest site of a 10-million-record year) sits in a few
hundred contiguous pages. PostgreSQL keeps rows in insert order, and aggregate rows are
inserted day after day for every site at once: the same 20,000 rows were on 20,000 different
heap pages (EXPLAIN (ANALYZE, BUFFERS): 19,798 buffers for 19,551 rows), each query of a site's
"Synthèse" page paid one page visit per row, and the page ran six such reads of agg_sessions
alone (459 ms p95 against 147 ms on SQLite). With the measures in the key's index, the read is
an "Index Only Scan" of the same contiguous range (about 1,200 buffers, 4-5x faster), and the
heap is visited only for pages changed since the last (auto)vacuum, i.e. the current days.

Cost: the key's index grows by the measures (8 bytes each), and an upsert that adds to a
measure can no longer be a HOT update -- which it seldom was: the rows are appended at the end
of a full heap (fillfactor 100), so an updated row rarely fits on its own page anyway.

An index-only scan skips the heap only for pages the visibility map marks all-visible, which
(auto)vacuum does. Ingest adds to today's rows all day long, so by default (20 % of a table
changed) a 10-million-record year would be vacuumed about monthly and a "12 months" read would
visit the heap for its last weeks; the aggregates are vacuumed after 1 % instead (a vacuum
skips the pages already all-visible, so it costs the days changed, not the table).

Index only: no row changes, so a cached benchmark dataset is upgraded in place (see
bench/datasets.py, INDEX_ONLY_REVISIONS). The rebuild of the keys takes the tables' lock for
about a minute per 10 million records a year; SQLite needs nothing.
"""
from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

VACUUM_SCALE_FACTOR = 0.01
KEY = ['grain', 'site_id', 'period', 'territory_id', 'kiosk_id']

# Frozen: (dimensions, measures) of every aggregate table, as of this revision.
TABLES: dict[str, tuple[list[str], list[str]]] = {
    'agg_sessions': (['language', 'end_reason', 'duration_bucket'],
                     ['sessions', 'duration_min', 'help_requests', 'accessible_sessions']),
    'agg_activities': (['kind', 'procedure_id', 'theme'],
                       ['activities', 'completed', 'pages', 'hints_used', 'errors']),
    'agg_hours': (['weekday', 'hour'], ['sessions']),
    'agg_funnel': (['procedure_id', 'steps_total', 'steps_reached'], ['activities', 'completed']),
    'agg_survey': (['age_bracket', 'autonomy', 'satisfaction'], ['sessions']),
    'agg_autonomy': (['procedure_id', 'autonomy'], ['activities']),
    'agg_comfort': (['comfort_option'], ['sessions']),
}


def _rekey(name: str, dims: list[str], include: list[str]) -> None:
    body = f"PRIMARY KEY ({', '.join(KEY + dims)})"
    if include:
        body += f" INCLUDE ({', '.join(include)})"
    # One ALTER: the table is never without its key, and ingest's ON CONFLICT keeps its arbiter.
    op.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_pkey, "
               f"ADD CONSTRAINT {name}_pkey {body}")


def _vacuum_options() -> list[str]:
    options = ['autovacuum_vacuum_scale_factor']
    if int(op.get_bind().exec_driver_sql("SHOW server_version_num").scalar_one()) >= 130000:
        options.append('autovacuum_vacuum_insert_scale_factor')  # vacuum after inserts: PG 13+
    return options


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    settings = ', '.join(f'{option} = {VACUUM_SCALE_FACTOR}' for option in _vacuum_options())
    for name, (dims, measures) in TABLES.items():
        _rekey(name, dims, measures)
        op.execute(f"ALTER TABLE {name} SET ({settings})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (dims, _measures) in TABLES.items():
        _rekey(name, dims, [])
        op.execute(f"ALTER TABLE {name} RESET ({', '.join(_vacuum_options())})")
