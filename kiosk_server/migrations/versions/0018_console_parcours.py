"""parcours written in the console, and the French title of each procedure written there

Revision ID: 0018_console_parcours
Revises: 0015_version_pins_enrolment
Create Date: 2026-12-06 02:00:00

Parcours saved in the console (kiosk_server/procedures/parcours_store.py) are versioned,
reviewed and published like procedures: each save a version (the parcours file's YAML text,
its author, the checker's findings, its review state), the one published version of each and
where. ``procedures.title_fr``: the French title of a procedure's latest save, so the live view
and the dashboards name a published procedure by its title rather than its id.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

# The French title as the editor and the shipped files write it: title: {fr: "...", ...}
_TITLE = re.compile(r'^title:\s*\{\s*fr:\s*"((?:[^"\\]|\\.)*)"', re.MULTILINE)

revision = '0018_console_parcours'
down_revision = '0015_version_pins_enrolment'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_fr', sa.String(200), nullable=True))
    _fill_titles()
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
    op.drop_table('parcours_publications')
    op.drop_table('parcours_versions')
    op.drop_table('parcours')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('title_fr')
