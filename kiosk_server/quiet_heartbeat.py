"""A heartbeat that changes nothing, answered with one read and no write.

Most heartbeats of a fleet repeat the kiosk's last one. For them the server needs: who the
token belongs to, what status is stored, whether a command waits, and what the reply carries
(pushed settings, pinned version, catalogue version). :func:`snapshot` reads all of it in one
statement (the token check included, so a revoked token is refused at once, by every process);
:func:`quiet_reply` answers from it when the heartbeat says what is stored, in time, with
nothing to confirm or ask; its ``last_seen`` goes to the process's batch
(kiosk_server/last_seen.py). Any other heartbeat goes the full way (live.record_heartbeat).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import live
from kiosk_server import tables as t
from kiosk_server.procedures import bundles
from kiosk_server.tenancy import KioskIdentity, hash_token
from kiosk_wire.bundle import level_of
from kiosk_wire.schema import Heartbeat, HeartbeatReply

_STATUS = [t.kiosk_status.c[c] for c in ("last_seen", "session_started_at", *live.COMPARED)]


@dataclass(frozen=True)
class KioskSnapshot:
    identity: KioskIdentity
    status: dict[str, Any] | None  # the stored kiosk_status (None: never heard from)
    pushed_settings: str | None
    catalogue_version: str | None  # the site's
    catalogue_version_plain: str | None  # the site's, without parcours (older kiosks)
    pin: str | None                # pinned version of the site, else of its territory
    browser_list: str | None       # official sites kept for the site, else its territory
    commands_waiting: bool


def _query() -> sa.Select[Any]:
    waiting = (sa.exists().where(t.kiosk_commands.c.kiosk_id == t.kiosks.c.id,
                                 t.kiosk_commands.c.acked_at.is_(None)))
    return (sa.select(t.kiosks.c.id, t.kiosks.c.site_id, t.sites.c.territory_id, t.kiosks.c.name,
                      # labelled: kiosk_status has a catalogue_version of its own (the kiosk's)
                      t.kiosks.c.pushed_settings,
                      t.sites.c.catalogue_version.label("site_catalogue_version"),
                      t.sites.c.catalogue_version_plain,
                      sa.func.coalesce(t.sites.c.pinned_version,
                                       t.territories.c.pinned_version).label("pin"),
                      sa.func.coalesce(t.sites.c.browser_list,
                                       t.territories.c.browser_list).label("browser_list"),
                      waiting.label("waiting"),
                      t.kiosk_status.c.kiosk_id.label("status_of"), *_STATUS)
            .select_from(t.kiosk_tokens.join(t.kiosks).join(t.sites).join(t.territories)
                         .outerjoin(t.kiosk_status, t.kiosk_status.c.kiosk_id == t.kiosks.c.id))
            .where(t.kiosk_tokens.c.token_hash == sa.bindparam("token_hash"),
                   t.kiosk_tokens.c.revoked_at.is_(None)))


_SNAPSHOT = _query()


def snapshot(conn: Connection, token: str) -> KioskSnapshot | None:
    """The kiosk of a bearer token with what a heartbeat reply needs; None if the token is
    unknown or revoked (as tenancy.authenticate)."""
    if not token or len(token) > 256:
        return None
    row = conn.execute(_SNAPSHOT, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    m = row._mapping
    status = None
    if m["status_of"] is not None:
        status = {c.name: m[c.name] for c in _STATUS}
        for column in ("last_seen", "session_started_at"):
            status[column] = _aware(status[column])
    return KioskSnapshot(KioskIdentity(int(m["id"]), int(m["site_id"]), int(m["territory_id"]),
                                       m["name"]),
                         status, m["pushed_settings"], m["site_catalogue_version"],
                         m["catalogue_version_plain"], m["pin"],
                         m["browser_list"], bool(m["waiting"]))


def quiet_reply(snap: KioskSnapshot, hb: Heartbeat, at: dt.datetime,
                offline_after: dt.timedelta, buffered: dt.datetime | None
                ) -> HeartbeatReply | None:
    """The reply to a heartbeat that changes nothing, or None when it changes something or
    has something to do (a command waits or is confirmed, a help request's status is asked,
    the site's catalogue version is still to be computed). ``buffered`` is this process's
    unwritten ``last_seen`` of the kiosk: a kiosk shown offline is a change (its site is told)."""
    stored = snap.status
    catalogue = bundles.version_for(level_of(hb.bundle_level), snap.catalogue_version,
                                    snap.catalogue_version_plain)
    if (stored is None or snap.commands_waiting or hb.acked_commands or hb.help_requests
            or (hb.catalogue_version is not None and catalogue is None)):
        return None
    seen = max(stored["last_seen"], buffered or stored["last_seen"])
    if seen < at - offline_after:
        return None
    values = live.status_values(hb, at)
    if any(stored[c] != values[c] for c in live.COMPARED):
        return None
    started, was = values["session_started_at"], stored["session_started_at"]
    if (started is None) != (was is None) or (
            started is not None and abs(started - was) > live.STALE_END_SESSION_MARGIN):
        return None
    return HeartbeatReply(
        settings=live.reply_settings(hb, snap.pushed_settings, snap.pin, snap.browser_list),
        server_time=at,
        catalogue_version=catalogue if hb.catalogue_version is not None else None)


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:  # SQLite gives naive UTC
        return value.replace(tzinfo=dt.UTC)
    return value
