"""Each site's catalogue: its version, its signed bundle, and the server's signing key.

A site's kiosks get the procedures published to the site, to its territory and to everyone,
plus the site's choice of procedures and order (``site_catalogue``), and the parcours published
to it likewise, each only when the site's kiosks offer every exercise it names. Its *version*
(kiosk_wire.bundle.catalogue_version) is recomputed with every change that can move it and
kept on the site's row (``sites.catalogue_version``; ``catalogue_version_plain``: the version
of the same bundle without parcours, sent to kiosks older than parcours in bundles, see
kiosk_wire.bundle.BundleLevel), so a heartbeat reads it with the kiosk's own row and costs no
extra statement.

The signing key: ``server.catalogue_signing_key`` (64 hex digits; a systemd credential), else a
key generated once per data_dir in ``catalogue-signing-key`` (readable by its owner only), as
the console's cookie secret is. ``kiosk-server admin catalogue-key`` prints its public key for
the kiosks' ``sync.catalogue_public_key``.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.procedures.review import PublicationScope
from kiosk_wire import catalogue, ed25519
from kiosk_wire.bundle import (
    BundleLevel,
    BundleParcours,
    BundleProcedure,
    CatalogueBundle,
    catalogue_version,
    for_level,
)
from kiosk_wire.config import ConfigError, Settings

KEY_FILE = "catalogue-signing-key"


def _published_query(site_id: int, territory_id: int,
                     publications: sa.Table = t.procedure_publications
                     ) -> sa.Select[tuple[str, int]]:
    p = publications.c
    id_column = p.procedure_id if "procedure_id" in p else p.parcours_id
    return (sa.select(id_column, p.version)
            .where(sa.or_(p.scope == PublicationScope.EVERYONE.value,
                          sa.and_(p.scope == PublicationScope.TERRITORY.value,
                                  p.place_id == territory_id),
                          sa.and_(p.scope == PublicationScope.SITE.value,
                                  p.place_id == site_id)))
            .order_by(id_column))


def published_for_site(conn: Connection, site_id: int, territory_id: int
                       ) -> list[tuple[str, int]]:
    rows = conn.execute(_published_query(site_id, territory_id)).all()
    return [(str(r.procedure_id), int(r.version)) for r in rows]


def site_order(conn: Connection, site_id: int) -> list[str] | None:
    """The site's chosen procedures in order, or None (no choice: every procedure)."""
    ids = list(conn.execute(sa.select(t.site_catalogue.c.procedure_id)
                            .where(t.site_catalogue.c.site_id == site_id)
                            .order_by(t.site_catalogue.c.position)).scalars())
    return ids or None


def parcours_for_site(conn: Connection, site_id: int, territory_id: int,
                      procedures: Iterable[str], order: list[str] | None
                      ) -> list[BundleParcours]:
    """The parcours published to the site whose every exercise its kiosks offer (shipped or
    published procedures, within the site's choice when it made one)."""
    from kiosk_server.procedures.parcours_store import from_yaml

    offered = set(catalogue.shipped()) | set(procedures)
    if order is not None:
        offered &= set(order)
    p, v = t.parcours_publications.c, t.parcours_versions.c
    rows = conn.execute(
        sa.select(v.parcours_id, v.version, v.yaml)
        .select_from(t.parcours_versions.join(
            t.parcours_publications, sa.and_(p.parcours_id == v.parcours_id,
                                             p.version == v.version)))
        .where(p.parcours_id.in_(_published_query(site_id, territory_id,
                                                  t.parcours_publications)
                                 .with_only_columns(p.parcours_id)))
        .order_by(v.parcours_id)).all()
    return [BundleParcours(id=r.parcours_id, version=int(r.version), yaml=r.yaml) for r in rows
            if set(from_yaml(r.yaml).steps) <= offered]


def refresh_sites(conn: Connection, site_ids: Iterable[int] | None = None) -> None:
    """Recompute and keep the catalogue version of these sites (default: every site)."""
    q = sa.select(t.sites.c.id, t.sites.c.territory_id)
    if site_ids is not None:
        q = q.where(t.sites.c.id.in_(list(site_ids)))
    for site_id, territory_id in conn.execute(q).all():
        published = published_for_site(conn, site_id, territory_id)
        order = site_order(conn, site_id)
        parcours = parcours_for_site(conn, site_id, territory_id, (i for i, _v in published),
                                     order)
        version = catalogue_version(published, order, ((b.id, b.version) for b in parcours))
        conn.execute(t.sites.update().where(t.sites.c.id == site_id)
                     .values(catalogue_version=version,
                             catalogue_version_plain=catalogue_version(published, order)))


def version_for(level: BundleLevel, full: str | None, plain: str | None) -> str | None:
    """Of a site's two kept versions, the one a kiosk of this level is sent (None: still to
    be computed)."""
    if full is None:
        return None
    return full if level >= BundleLevel.PARCOURS else plain


def build(conn: Connection, site_id: int, territory_id: int,
          level: BundleLevel = BundleLevel.PARCOURS) -> CatalogueBundle:
    """The site's bundle for a kiosk of this level: each published procedure's YAML text as
    saved, its order, and (from level 2) its parcours."""
    p, v = t.procedure_publications.c, t.procedure_versions.c
    rows = conn.execute(
        sa.select(v.procedure_id, v.version, v.yaml)
        .select_from(t.procedure_versions.join(
            t.procedure_publications, sa.and_(p.procedure_id == v.procedure_id,
                                              p.version == v.version)))
        .where(p.procedure_id.in_(_published_query(site_id, territory_id)
                                  .with_only_columns(p.procedure_id)))
        .order_by(v.procedure_id)).all()
    order = site_order(conn, site_id)
    procedures = [BundleProcedure(id=r.procedure_id, version=int(r.version), yaml=r.yaml)
                  for r in rows]
    parcours = parcours_for_site(conn, site_id, territory_id, (b.id for b in procedures), order)
    return for_level(CatalogueBundle(
        version=catalogue_version(((b.id, b.version) for b in procedures), order,
                                  ((b.id, b.version) for b in parcours)),
        procedures=procedures, order=order, parcours=parcours), level)


def signing_seed(settings: Settings) -> bytes:
    """The server's private signing key (32 bytes)."""
    configured = str(settings.get("server.catalogue_signing_key") or "").strip()
    if configured:
        try:
            seed = bytes.fromhex(configured)
        except ValueError:
            seed = b""
        if len(seed) != ed25519.SEED_BYTES:
            raise ConfigError("server.catalogue_signing_key: 64 hex digits expected "
                              "(an Ed25519 private key)")
        return seed
    path = Path(settings.data_dir) / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting together agree on whichever file was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    seed = secrets.token_bytes(ed25519.SEED_BYTES)
    with os.fdopen(fd, "w") as f:
        f.write(seed.hex())
    return seed


def public_key_hex(settings: Settings) -> str:
    """What a kiosk's ``sync.catalogue_public_key`` must say."""
    return ed25519.public_key(signing_seed(settings)).hex()
