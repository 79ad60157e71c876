"""user_places: a console user has several places (a manager: territories and sites; a
mediator: one or more sites); users.territory_id / users.site_id are moved there and dropped

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:00:00

Each manager or mediator gets one row for the place they had: their site when they had one
(the territory stored beside it was only the site's own), else their territory. Admins had
none and get none (national). The old columns are dropped rather than kept in step: two
sources of truth for who may see what would sooner or later disagree, and every reader now
goes through user_places.

On SQLite the columns go through Alembic's batch mode (the table is copied, the old one dropped
and the copy renamed: a column under a foreign key cannot be dropped in place). ``users`` is the
parent of ``kiosk_commands.created_by`` and ``help_requests.acknowledged_by``, and with foreign
keys enforced, dropping the old copy would orphan those rows (a deferred check would not help:
SQLite counts the violation at the drop and never uncounts it at the rename). So those
references are set aside in a scratch table, cleared, and restored once the new ``users`` has
its name back, all in the migration's one transaction.

Downgrade keeps each user's first place only (the old schema held one).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


# Rows that point at users.id (frozen as of this revision).
USER_REFERENCES = [('kiosk_commands', 'created_by'), ('help_requests', 'acknowledged_by')]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _set_references_aside() -> None:
    """Copy then clear every reference to users.id, so ``users`` can be rebuilt (SQLite)."""
    op.execute("CREATE TABLE _m0005_refs (tbl VARCHAR(32) NOT NULL, row_id INTEGER NOT NULL, "
               "user_id INTEGER NOT NULL)")
    for table, column in USER_REFERENCES:
        op.execute(f"INSERT INTO _m0005_refs (tbl, row_id, user_id) SELECT '{table}', id, "
                   f"{column} FROM {table} WHERE {column} IS NOT NULL")
        op.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IS NOT NULL")


def _restore_references() -> None:
    for table, column in USER_REFERENCES:
        op.execute(f"UPDATE {table} SET {column} = (SELECT r.user_id FROM _m0005_refs r "
                   f"WHERE r.tbl = '{table}' AND r.row_id = {table}.id) "
                   f"WHERE id IN (SELECT row_id FROM _m0005_refs WHERE tbl = '{table}')")
    op.execute("DROP TABLE _m0005_refs")


def upgrade() -> None:
    op.create_table(
        'user_places',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=True),
        sa.Column('site_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('(territory_id IS NULL) <> (site_id IS NULL)',
                           name='ck_user_places_one_place'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id']),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'territory_id', name='uq_user_places_territory'),
        sa.UniqueConstraint('user_id', 'site_id', name='uq_user_places_site'),
    )
    op.execute(
        "INSERT INTO user_places (user_id, territory_id, site_id) "
        "SELECT id, CASE WHEN site_id IS NULL THEN territory_id END, site_id FROM users "
        "WHERE role <> 'admin' AND (site_id IS NOT NULL OR territory_id IS NOT NULL) "
        "ORDER BY id")
    if not _sqlite():
        op.drop_column('users', 'site_id')
        op.drop_column('users', 'territory_id')
        return
    # user_places points at users too: its rows go aside with the others.
    op.execute("CREATE TABLE _m0005_places AS SELECT * FROM user_places")
    op.execute("DELETE FROM user_places")
    _set_references_aside()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('site_id')
        batch_op.drop_column('territory_id')
    _restore_references()
    op.execute("INSERT INTO user_places (id, user_id, territory_id, site_id) "
               "SELECT id, user_id, territory_id, site_id FROM _m0005_places ORDER BY id")
    op.execute("DROP TABLE _m0005_places")


def downgrade() -> None:
    first = ("(SELECT {col} FROM user_places p WHERE p.user_id = users.id "
             "ORDER BY p.id LIMIT 1)")
    op.execute("CREATE TABLE _m0005_first (user_id INTEGER NOT NULL, territory_id INTEGER, "
               "site_id INTEGER)")
    op.execute("INSERT INTO _m0005_first (user_id, territory_id, site_id) SELECT id, "
               f"{first.format(col='territory_id')}, {first.format(col='site_id')} FROM users")
    op.drop_table('user_places')
    if _sqlite():
        _set_references_aside()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territory_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_users_territory_id', 'territories',
                                    ['territory_id'], ['id'])
        batch_op.create_foreign_key('fk_users_site_id', 'sites', ['site_id'], ['id'])
    if _sqlite():
        _restore_references()
    # As before 0005: a site's user had the site's territory beside it.
    op.execute("UPDATE users SET site_id = (SELECT f.site_id FROM _m0005_first f "
               "WHERE f.user_id = users.id)")
    op.execute("UPDATE users SET territory_id = COALESCE("
               "(SELECT s.territory_id FROM sites s WHERE s.id = users.site_id), "
               "(SELECT f.territory_id FROM _m0005_first f WHERE f.user_id = users.id))")
    op.drop_table('_m0005_first')
