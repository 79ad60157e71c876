"""parcours written in the console, procedure titles, and attempts by procedure version

Revision ID: 0017_console_parcours
Revises: 0016_official_sites_protected
Create Date: 2026-12-06 02:00:00

Parcours saved in the console (kiosk_server/procedures/parcours_store.py) are versioned,
reviewed and published like procedures: each save a version (the parcours file's YAML text,
its author, the checker's findings, its review state), the one published version of each and
where. ``procedures.title_fr``: the French title of a procedure's latest save, so the live view
and the dashboards name a published procedure by its title rather than its id.
``agg_procedure_versions``: per month and place, the practice attempts, completions and steps
reached of each version of a procedure written in the console (the console's comparison of
versions, kept beyond the raw records' retention), filled from the raw records still kept.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

# The French title as the editor and the shipped files write it: title: {fr: "...", ...}
_TITLE = re.compile(r'^title:\s*\{\s*fr:\s*"((?:[^"\\]|\\.)*)"', re.MULTILINE)

revision = '0017_console_parcours'
down_revision = '0016_official_sites_protected'
branch_labels = None
depends_on = None

MEASURES = ['activities', 'completed', 'steps_reached']


def upgrade() -> None:
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_fr', sa.String(200), nullable=True))
    _fill_titles()
    _create_version_aggregate()
    op.create_table(
        'parcours',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('title_fr', sa.String(200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer, sa.ForeignKey('users.id'), nullable=True),
    )
    op.create_table(
        'parcours_versions',
        sa.Column('parcours_id', sa.String(64), sa.ForeignKey('parcours.id'), primary_key=True),
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
        'parcours_publications',
        sa.Column('parcours_id', sa.String(64), sa.ForeignKey('parcours.id'), primary_key=True),
        sa.Column('version', sa.Integer, nullable=False),
        sa.Column('scope', sa.String(16), nullable=False),
        sa.Column('place_id', sa.Integer, nullable=True),
        sa.Column('published_by', sa.Integer, sa.ForeignKey('users.id'), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    )


def _create_version_aggregate() -> None:
    op.create_table(
        'agg_procedure_versions',
        sa.Column('grain', sa.String(length=1), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('kiosk_id', sa.Integer(), nullable=False),
        sa.Column('procedure_id', sa.String(64), nullable=False),
        sa.Column('procedure_version', sa.Integer(), nullable=False),
        *[sa.Column(m, sa.BigInteger(), server_default='0', nullable=False) for m in MEASURES],
        sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id', 'kiosk_id',
                                'procedure_id', 'procedure_version',
                                postgresql_include=MEASURES),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_agg_procedure_versions_territory', 'agg_procedure_versions',
                    ['grain', 'territory_id', 'period'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # as migration 0006 set for every aggregate
        version = int(op.get_bind().exec_driver_sql("SHOW server_version_num").scalar_one())
        options = ['autovacuum_vacuum_scale_factor = 0.01']
        if version >= 130000:
            options.append('autovacuum_vacuum_insert_scale_factor = 0.01')
        op.execute(f"ALTER TABLE agg_procedure_versions SET ({', '.join(options)})")
    # Filled from the raw records still kept, as kiosk_server.rebuild does it.
    op.execute(
        "INSERT INTO agg_procedure_versions (grain, period, territory_id, site_id, kiosk_id, "
        "procedure_id, procedure_version, activities, completed, steps_reached) "
        "SELECT g.grain, m.period, m.territory_id, CASE WHEN g.grain = 'M' THEN m.site_id "
        "ELSE 0 END, CASE WHEN g.grain = 'M' THEN m.kiosk_id ELSE 0 END, m.procedure_id, "
        "m.procedure_version, SUM(m.activities), SUM(m.completed), SUM(m.steps_reached) "
        "FROM (SELECT " + _month_sql() + " AS period, r.territory_id, r.site_id, r.kiosk_id, "
        "a.procedure_id, a.procedure_version, 1 AS activities, "
        "CASE WHEN a.completed THEN 1 ELSE 0 END AS completed, a.steps_reached "
        "FROM activities a JOIN session_records r ON r.event_id = a.event_id "
        "WHERE a.kind = 'practice' AND a.procedure_id IS NOT NULL AND a.procedure_id != '' "
        "AND a.procedure_version IS NOT NULL) m "
        "CROSS JOIN (SELECT 'M' AS grain UNION ALL SELECT 'T') g "
        "GROUP BY g.grain, m.period, m.territory_id, CASE WHEN g.grain = 'M' THEN m.site_id "
        "ELSE 0 END, CASE WHEN g.grain = 'M' THEN m.kiosk_id ELSE 0 END, m.procedure_id, "
        "m.procedure_version")


def _month_sql() -> str:
    if op.get_bind().dialect.name == 'postgresql':
        return "CAST(date_trunc('month', r.day) AS date)"
    return "substr(r.day, 1, 8) || '01'"  # SQLite keeps a date as ISO text


def _fill_titles() -> None:
    """Each procedure saved before this migration gets the title of its latest version (when
    written in the usual form; otherwise its next save gives it one)."""
    conn = op.get_bind()
    latest = conn.execute(sa.text(
        "SELECT v.procedure_id, v.yaml FROM procedure_versions v WHERE v.version = "
        "(SELECT MAX(w.version) FROM procedure_versions w "
        "WHERE w.procedure_id = v.procedure_id)")).all()
    for procedure_id, text in latest:
        found = _TITLE.search(text or "")
        if found:
            conn.execute(sa.text("UPDATE procedures SET title_fr = :title WHERE id = :id"),
                         {"title": found.group(1).replace('\\"', '"')[:200],
                          "id": procedure_id})


def downgrade() -> None:
    op.drop_index('ix_agg_procedure_versions_territory', table_name='agg_procedure_versions')
    op.drop_table('agg_procedure_versions')
    op.drop_table('parcours_publications')
    op.drop_table('parcours_versions')
    op.drop_table('parcours')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('title_fr')
