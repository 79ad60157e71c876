"""The tables of procedures and parcours written in the console (kiosk_server/procedures) and
each site's choice of procedures; read them as ``kiosk_server.tables`` names them (``t.*``).

A procedure and a parcours are versioned, reviewed and published alike (procedures/kinds.py
says which tables a ``Kind`` uses), so their versions and publications tables are declared by
one function each: same columns, their own id column.
"""
from __future__ import annotations

import sqlalchemy as sa

from kiosk_server.table_metadata import metadata


def _items(name: str) -> sa.Table:
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.String(64), primary_key=True),  # the file's own id (a slug)
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        # Of the latest save (for the console's lists and figures).
        sa.Column("title_fr", sa.String(200), nullable=True),
    )


def _versions(name: str, id_column: str, items: str) -> sa.Table:
    """Every save is a version: the YAML text (the one source of truth), its author, the
    checker's findings (JSON list of {line, message, severity}) and its review state
    (kiosk_server.procedures.review.ReviewState). ``scope``/``place_id``: where its author
    asks it to be published (site, territory or everyone), fixed when submitted."""
    return sa.Table(
        name, metadata,
        sa.Column(id_column, sa.String(64), sa.ForeignKey(f"{items}.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("findings", sa.Text, nullable=False, server_default="[]"),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(16), nullable=True),
        sa.Column("place_id", sa.Integer, nullable=True),
        sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    )


def _publications(name: str, id_column: str, items: str) -> sa.Table:
    """The one published version of each, and where (a site, a territory, everyone)."""
    return sa.Table(
        name, metadata,
        sa.Column(id_column, sa.String(64), sa.ForeignKey(f"{items}.id"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("place_id", sa.Integer, nullable=True),
        sa.Column("published_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )


procedures = _items("procedures")
procedure_versions = _versions("procedure_versions", "procedure_id", "procedures")
procedure_publications = _publications("procedure_publications", "procedure_id", "procedures")

# Parcours (kiosk_server/procedures/parcours_store.py): the YAML text is a parcours file's.
parcours = _items("parcours")
parcours_versions = _versions("parcours_versions", "parcours_id", "parcours")
parcours_publications = _publications("parcours_publications", "parcours_id", "parcours")

# A site's choice: which procedures (shipped or published) its kiosks show, in this order. No
# row: every procedure, shipped ones first.
site_catalogue = sa.Table(
    "site_catalogue", metadata,
    sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("procedure_id", sa.String(64), nullable=False),
)
