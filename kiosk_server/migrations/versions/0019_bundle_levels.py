"""bundles by kiosk level: a site's catalogue version without parcours, parcours a kiosk dropped

Revision ID: 0019_bundle_levels
Revises: 0018_site_months
Create Date: 2026-12-06 05:30:00

A kiosk older than parcours in bundles refuses a bundle carrying any; it is sent the site's
bundle without them (kiosk_wire.bundle.BundleLevel), whose version ``sites.
catalogue_version_plain`` keeps. Both versions are computed again at each site's next
heartbeat (``catalogue_version`` set to NULL here: the path a new site takes).
``kiosk_status.parcours_dropped``: the bundle's parcours a kiosk does not offer, for the live
view.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019_bundle_levels'
down_revision = '0018_site_months'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalogue_version_plain', sa.String(16), nullable=True))
    with op.batch_alter_table('kiosk_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parcours_dropped', sa.String(400), nullable=True))
    op.execute("UPDATE sites SET catalogue_version = NULL")


def downgrade() -> None:
    # A plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), as 0008 and 0011 do: batch mode
    # would copy ``sites`` and drop the original, which the tables referring to it forbid
    # once the database holds kiosks (FOREIGN KEY constraint failed).
    op.drop_column('kiosk_status', 'parcours_dropped')
    op.drop_column('sites', 'catalogue_version_plain')
    op.execute("UPDATE sites SET catalogue_version = NULL")
