"""aggregates per kiosk (kiosk_id in every agg_* key); autonomy per procedure; comfort options

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 16:40:00

Each existing aggregate table is recreated with ``kiosk_id`` in its primary key (a new primary
key: SQLite cannot alter one, and WITHOUT ROWID tables must be rebuilt anyway), its rows copied
with ``kiosk_id`` = 0; then every aggregate of the periods whose raw records are still stored
is recomputed from them (kiosk_server.rebuild), which fills the kiosk ids and the two new tables.
Older periods (raw records purged by retention) keep their site figures with ``kiosk_id`` = 0
and have no autonomy or comfort-option rows.

The rebuild uses the query layer's current table declarations (kiosk_server.tables), which
match the schema this revision leaves as long as no later migration changes an aggregate
table's columns. A migration that does must freeze a copy of the rebuild here first (or this
revision's upgrade from 0002 would insert into columns that do not exist yet).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Frozen copy of the aggregate tables as this revision leaves them: (dimensions, measures).
_S, _I = sa.String, sa.SmallInteger
Dims = Sequence[tuple[str, sa.types.TypeEngine[Any]]]
TABLES: dict[str, tuple[Dims, list[str]]] = {
    'agg_sessions': ([('language', _S(8)), ('end_reason', _S(24)), ('duration_bucket', _S(12))],
                     ['sessions', 'duration_min', 'help_requests', 'accessible_sessions']),
    'agg_activities': ([('kind', _S(16)), ('procedure_id', _S(64)), ('theme', _S(48))],
                       ['activities', 'completed', 'pages', 'hints_used', 'errors']),
    'agg_hours': ([('weekday', _I()), ('hour', _I())], ['sessions']),
    'agg_funnel': ([('procedure_id', _S(64)), ('steps_total', _I()), ('steps_reached', _I())],
                   ['activities', 'completed']),
    'agg_survey': ([('age_bracket', _S(16)), ('autonomy', _S(24)), ('satisfaction', _S(16))],
                   ['sessions']),
}
NEW_TABLES: dict[str, tuple[Dims, list[str]]] = {
    'agg_autonomy': ([('procedure_id', _S(64)), ('autonomy', _S(24))], ['activities']),
    'agg_comfort': ([('comfort_option', _S(16))], ['sessions']),
}


def _create(name: str, dims: Dims, measures: list[str],
            with_kiosk: bool = True) -> None:
    place = ['territory_id', 'site_id'] + (['kiosk_id'] if with_kiosk else [])
    op.create_table(
        name,
        sa.Column('grain', sa.String(length=1), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        *[sa.Column(p, sa.Integer(), nullable=False) for p in place],
        *[sa.Column(d, kind, nullable=False) for d, kind in dims],
        *[sa.Column(m, sa.BigInteger(), server_default='0', nullable=False) for m in measures],
        sa.PrimaryKeyConstraint('grain', 'site_id', 'period', 'territory_id',
                                *(['kiosk_id'] if with_kiosk else []), *[d for d, _ in dims]),
        sqlite_with_rowid=False,
    )


def _index(name: str) -> None:
    op.create_index(f'ix_{name}_territory', name, ['grain', 'territory_id', 'period'],
                    unique=False)


def _swap(name: str, dims: Dims, measures: list[str],
          with_kiosk_after: bool) -> None:
    """Recreate ``name`` with (or, going down, without) kiosk_id, keeping its rows."""
    bind = op.get_bind()
    temp = f'{name}_new'
    _create(temp, dims, measures, with_kiosk=with_kiosk_after)
    common = ['grain', 'period', 'territory_id', 'site_id'] + [d for d, _ in dims] + measures
    if with_kiosk_after:
        op.execute(f"INSERT INTO {temp} ({', '.join(common)}, kiosk_id) "
                   f"SELECT {', '.join(common)}, 0 FROM {name}")
    else:  # per-kiosk rows summed back per site
        keys = [c for c in common if c not in measures]
        op.execute(f"INSERT INTO {temp} ({', '.join(common)}) "
                   f"SELECT {', '.join(keys)}, {', '.join(f'SUM({m})' for m in measures)} "
                   f"FROM {name} GROUP BY {', '.join(keys)}")
    op.drop_table(name)
    op.rename_table(temp, name)
    if bind.dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE {name} RENAME CONSTRAINT {temp}_pkey TO {name}_pkey')
    _index(name)


def upgrade() -> None:
    for name, (dims, measures) in TABLES.items():
        _swap(name, dims, measures, with_kiosk_after=True)
    for name, (dims, measures) in NEW_TABLES.items():
        _create(name, dims, measures)
        _index(name)
    from kiosk_server.rebuild import rebuild_in

    rebuild_in(op.get_bind())


def downgrade() -> None:
    for name in NEW_TABLES:
        op.drop_table(name)
    for name, (dims, measures) in TABLES.items():
        _swap(name, dims, measures, with_kiosk_after=False)
