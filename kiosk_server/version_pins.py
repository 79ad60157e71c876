"""The kiosk package version a site or a whole territory runs, set by a manager in the console.

Heartbeat replies carry it (``PushedSettings.pinned_version``, kiosk_server.tenancy); the kiosk
asks kiosk-update to install exactly it between sessions (kiosk/update_pin.py), and says in its
heartbeats which version is installed, so the live view shows a kiosk not yet on it. A site's
own pin wins over its territory's; no pin means the newest version of the site's repository.
"""
from __future__ import annotations

import re
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import live_changes
from kiosk_server import tables as t
from kiosk_wire.schema import PACKAGE_VERSION_PATTERN


class PinPlace(str, Enum):
    SITE = "site"
    TERRITORY = "territory"


class PinError(ValueError):
    """A version that is not a Debian package version; the message is for the console (French)."""


def checked(typed: str) -> str | None:
    """The version to pin, or None to remove the pin (an empty field)."""
    version = typed.strip()
    if not version:
        return None
    if not re.match(PACKAGE_VERSION_PATTERN, version):
        raise PinError("Version invalide : un numéro de paquet Debian est attendu "
                       "(ex. 0.2.0-1), sans espace, 32 caractères au plus.")
    return version


def set_pin(conn: Connection, place: PinPlace, place_id: int, version: str | None) -> None:
    """Pin (or unpin, with None) a site's or a territory's kiosks; LookupError if no such
    place. The live views of the sites concerned are told (the expected version changed)."""
    table = t.sites if place is PinPlace.SITE else t.territories
    done = conn.execute(table.update().where(table.c.id == place_id)
                        .values(pinned_version=version))
    if not done.rowcount:
        raise LookupError(place_id)
    site_ids = ([place_id] if place is PinPlace.SITE else
                list(conn.execute(sa.select(t.sites.c.id)
                                  .where(t.sites.c.territory_id == place_id)).scalars()))
    if site_ids:
        live_changes.mark(conn, site_ids)
