"""The live side of the server: heartbeats, commands to kiosks, help requests.

A kiosk never receives a connection from the server: commands wait in ``kiosk_commands`` and ride
on the reply to the kiosk's next heartbeat; the kiosk confirms them (``acked_commands``) in the
heartbeat after it applied them. Until confirmed, a command is sent again (the kiosk applies a
command id at most once, and remembers it across a restart). An "end session" queued before the
kiosk's current session began is closed without being delivered: it was meant for an earlier
resident. Everything is in the database, so any server process can answer.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import browser_sites, live_changes
from kiosk_server import tables as t
from kiosk_server.procedures import bundles
from kiosk_server.tenancy import KioskIdentity, TenancyError, now
from kiosk_wire.bundle import level_of
from kiosk_wire.schema import (
    FINISHED_HELP_STATES,
    Command,
    CommandKind,
    Heartbeat,
    HeartbeatReply,
    HelpRequest,
    HelpRequestStatus,
    HelpState,
    PushedSettings,
)

OFFLINE_AFTER_HEARTBEATS = 3
# An "end session" queued this long before the kiosk's current session began was meant for an
# earlier session (the kiosk was offline or restarted meanwhile): it is not delivered. The margin
# covers the start's estimate (whole seconds, plus the heartbeat's travel time).
STALE_END_SESSION_MARGIN = dt.timedelta(seconds=5)


def record_heartbeat(conn: Connection, kiosk: KioskIdentity, hb: Heartbeat,
                     heartbeat_s: int = 30) -> HeartbeatReply:
    """Store a heartbeat and answer it. A heartbeat that says what the last one said (and comes
    in time: the kiosk was not shown offline) writes ``last_seen`` only; one that changes what
    the live view shows writes the status and marks the site changed (kiosk_server.live_changes).
    """
    at = now()
    values = status_values(hb, at)
    started = values["session_started_at"]
    changed = not _touch_if_unchanged(conn, kiosk.kiosk_id, values, at,
                                      offline_after(heartbeat_s))
    if changed:
        _write_status(conn, kiosk.kiosk_id, values)
    if hb.acked_commands:
        acked = conn.execute(t.kiosk_commands.update()
                             .where(t.kiosk_commands.c.kiosk_id == kiosk.kiosk_id,
                                    t.kiosk_commands.c.id.in_(hb.acked_commands),
                                    t.kiosk_commands.c.acked_at.is_(None))
                             .values(acked_at=at))
        changed = changed or bool(acked.rowcount)
    if started is not None and changed:  # the same session as last time was checked then
        changed = _retire_stale_end_session(conn, kiosk.kiosk_id, started, at) or changed
    pending = conn.execute(sa.select(t.kiosk_commands.c.id, t.kiosk_commands.c.kind)
                           .where(t.kiosk_commands.c.kiosk_id == kiosk.kiosk_id,
                                  t.kiosk_commands.c.acked_at.is_(None))
                           .order_by(t.kiosk_commands.c.id).limit(100)).all()
    if pending:
        conn.execute(t.kiosk_commands.update()
                     .where(t.kiosk_commands.c.id.in_([p.id for p in pending]),
                            t.kiosk_commands.c.delivered_at.is_(None))
                     .values(delivered_at=at))
    if changed:
        live_changes.mark(conn, [kiosk.site_id])
    pushed, full, plain, site_pin, territory_pin, site_list, territory_list = conn.execute(
        sa.select(t.kiosks.c.pushed_settings, t.sites.c.catalogue_version,
                  t.sites.c.catalogue_version_plain,
                  t.sites.c.pinned_version, t.territories.c.pinned_version,
                  t.sites.c.browser_list, t.territories.c.browser_list)
        .select_from(t.kiosks.join(t.sites).join(t.territories))
        .where(t.kiosks.c.id == kiosk.kiosk_id)).one()
    level = level_of(hb.bundle_level)
    catalogue = bundles.version_for(level, full, plain)
    if hb.catalogue_version is None:  # a kiosk that takes no bundle
        catalogue = None
    elif catalogue is None:  # a new site, or none computed since the migration: once
        bundles.refresh_sites(conn, [kiosk.site_id])
        catalogue = bundles.version_for(level, *conn.execute(
            sa.select(t.sites.c.catalogue_version, t.sites.c.catalogue_version_plain)
            .where(t.sites.c.id == kiosk.site_id)).one())
    return HeartbeatReply(
        settings=reply_settings(hb, pushed, site_pin or territory_pin,
                                site_list or territory_list),
        commands=[Command(id=p.id, kind=CommandKind(p.kind)) for p in pending],
        help_requests=help_statuses(conn, kiosk, hb.help_requests),
        server_time=at,
        catalogue_version=catalogue,
    )


def reply_settings(hb: Heartbeat, pushed: str | None, pin: str | None,
                   browser_list: str | None = None) -> PushedSettings:
    """The settings pushed to a kiosk (its ``pushed_settings``), the official sites kept for
    its site, else its territory (``browser_list``, unless the kiosk has its own:
    kiosk_server.browser_sites), and the version pinned for its site, else its territory
    (``pin``)."""
    settings = _pushed(pushed or "{}", browser_list)
    # The pin goes only to a kiosk that says its package version: one without predates pins
    # (or is not installed from the package) and could not act on it (an older kiosk refuses a
    # reply with a field it does not know).
    if pin and hb.package_version is not None:
        settings = settings.model_copy(update={"pinned_version": pin})
    return settings


@functools.lru_cache(maxsize=256)
def _pushed(text: str, browser_list: str | None) -> PushedSettings:
    """Parsed once per distinct text: every heartbeat reply carries them (a frozen model)."""
    return browser_sites.effective(PushedSettings.model_validate(json.loads(text)), browser_list)


def status_values(hb: Heartbeat, at: dt.datetime) -> dict[str, Any]:
    """The ``kiosk_status`` row a heartbeat received at ``at`` says."""
    # The kiosk sends a duration (its clock may be wrong); the start is placed on ours.
    started = (at - dt.timedelta(seconds=hb.session_seconds)
               if hb.session_seconds is not None else None)
    return {
        "last_seen": at, "state": hb.state.value, "procedure_id": hb.procedure_id,
        "step": hb.step, "devices": json.dumps(hb.devices, sort_keys=True),
        "device_backends": json.dumps(hb.device_backends, sort_keys=True),
        "app_version": hb.app_version, "queue_length": hb.queue_length,
        "session_started_at": started, "ui_stalled_s": hb.ui_stalled_s, "restarts": hb.restarts,
        "update_state": hb.update_state.value if hb.update_state else None,
        "update_tried": hb.update_tried, "catalogue_version": hb.catalogue_version,
        "official_site": hb.official_site.value if hb.official_site else None,
        "package_version": hb.package_version,
        "parcours_dropped": ",".join(hb.parcours_dropped) or None,
    }


# The status columns a heartbeat that changes nothing repeats (besides the session's start,
# compared within STALE_END_SESSION_MARGIN of its estimate).
COMPARED = ("state", "procedure_id", "step", "devices", "device_backends", "app_version",
            "queue_length", "ui_stalled_s", "restarts", "update_state", "update_tried",
            "catalogue_version", "official_site", "package_version", "parcours_dropped")


def offline_after(heartbeat_s: int) -> dt.timedelta:
    """Silence after which the live view shows a kiosk offline."""
    return dt.timedelta(seconds=heartbeat_s * OFFLINE_AFTER_HEARTBEATS)


def _touch_if_unchanged(conn: Connection, kiosk_id: int, values: dict[str, Any],
                        at: dt.datetime, offline_after: dt.timedelta) -> bool:
    """Write ``last_seen`` alone when the stored status already says ``values`` (the session's
    start within the margin of its estimate) and the kiosk was not yet shown offline; True if
    so. One statement, decided by the database: another process may have written the row."""
    s = t.kiosk_status.c
    same = [s.kiosk_id == kiosk_id, s.last_seen >= at - offline_after]
    for column in COMPARED:
        same.append(s[column].is_not_distinct_from(values[column]))
    started = values["session_started_at"]
    same.append(s.session_started_at.is_(None) if started is None else
                s.session_started_at.between(started - STALE_END_SESSION_MARGIN,
                                             started + STALE_END_SESSION_MARGIN))
    return bool(conn.execute(t.kiosk_status.update().where(*same)
                             .values(last_seen=at)).rowcount)


def _write_status(conn: Connection, kiosk_id: int, values: dict[str, Any]) -> None:
    updated = conn.execute(t.kiosk_status.update()
                           .where(t.kiosk_status.c.kiosk_id == kiosk_id).values(**values))
    if not updated.rowcount:
        try:
            with conn.begin_nested():
                conn.execute(t.kiosk_status.insert().values(kiosk_id=kiosk_id, **values))
        except sa.exc.IntegrityError:  # another process inserted it first
            conn.execute(t.kiosk_status.update()
                         .where(t.kiosk_status.c.kiosk_id == kiosk_id).values(**values))


def _retire_stale_end_session(conn: Connection, kiosk_id: int, session_started_at: dt.datetime,
                              at: dt.datetime) -> bool:
    """Close, undelivered, the "end session" commands meant for an earlier session than the one
    in progress: the resident now at the kiosk is not the one the mediator wanted to stop."""
    return bool(conn.execute(t.kiosk_commands.update()
                             .where(t.kiosk_commands.c.kiosk_id == kiosk_id,
                                    t.kiosk_commands.c.acked_at.is_(None),
                                    t.kiosk_commands.c.kind == CommandKind.END_SESSION.value,
                                    t.kiosk_commands.c.created_at
                                    < session_started_at - STALE_END_SESSION_MARGIN)
                             .values(acked_at=at)).rowcount)


def queue_command(conn: Connection, kiosk_id: int, kind: CommandKind,
                  user_id: int | None = None) -> int:
    """A command for a kiosk, delivered with its next heartbeat reply."""
    site_id = conn.execute(sa.select(t.kiosks.c.site_id)
                           .where(t.kiosks.c.id == kiosk_id)).scalar_one_or_none()
    if site_id is None:
        raise TenancyError(f"unknown kiosk: {kiosk_id}")
    command_id = int(conn.execute(t.kiosk_commands.insert().values(
        kiosk_id=kiosk_id, kind=CommandKind(kind).value, created_at=now(), created_by=user_id,
    ).returning(t.kiosk_commands.c.id)).scalar_one())
    live_changes.mark(conn, [site_id])
    return command_id


def commands_of(conn: Connection, kiosk_id: int) -> list[dict[str, Any]]:
    q = (sa.select(t.kiosk_commands).where(t.kiosk_commands.c.kiosk_id == kiosk_id)
         .order_by(t.kiosk_commands.c.id))
    return [dict(r._mapping) for r in conn.execute(q)]


def pending_commands(conn: Connection, site_ids: list[int]) -> list[dict[str, Any]]:
    """Commands not yet confirmed by their kiosk, for the console's live view."""
    q = (sa.select(t.kiosk_commands.c.id, t.kiosk_commands.c.kiosk_id, t.kiosk_commands.c.kind,
                   t.kiosk_commands.c.created_at, t.kiosk_commands.c.delivered_at)
         .select_from(t.kiosk_commands.join(t.kiosks))
         .where(t.kiosks.c.site_id.in_(site_ids), t.kiosk_commands.c.acked_at.is_(None))
         .order_by(t.kiosk_commands.c.id))
    return [dict(r._mapping) for r in conn.execute(q)]


# --- help requests -------------------------------------------------------------------------
def open_help_request(conn: Connection, kiosk: KioskIdentity, req: HelpRequest) -> HelpState:
    """Store a help request (idempotent by request_id); returns its status."""
    rid = str(req.request_id)
    row = conn.execute(sa.select(t.help_requests.c.status, t.help_requests.c.kiosk_id)
                       .where(t.help_requests.c.request_id == rid)).first()
    if row is not None and row.kiosk_id == kiosk.kiosk_id:
        return HelpState(row.status)
    if row is not None:  # a request id is random: another kiosk's id means a forged request
        raise TenancyError("request_id already used")
    try:
        with conn.begin_nested():
            conn.execute(t.help_requests.insert().values(
                request_id=rid, kiosk_id=kiosk.kiosk_id, site_id=kiosk.site_id,
                procedure_id=req.procedure_id, step=req.step, status=HelpState.OPEN.value,
                created_at=now()))
            live_changes.mark(conn, [kiosk.site_id])
    except sa.exc.IntegrityError:  # the same request arrived through another process
        pass
    return HelpState.OPEN


def help_statuses(conn: Connection, kiosk: KioskIdentity,
                  request_ids: list[uuid.UUID]) -> list[HelpRequestStatus]:
    if not request_ids:
        return []
    rows = conn.execute(sa.select(t.help_requests.c.request_id, t.help_requests.c.status)
                        .where(t.help_requests.c.kiosk_id == kiosk.kiosk_id,
                               t.help_requests.c.request_id.in_([str(r) for r in request_ids])))
    return [HelpRequestStatus(request_id=uuid.UUID(r.request_id), status=HelpState(r.status))
            for r in rows]


def acknowledge_help(conn: Connection, request_id: str, user_id: int | None = None) -> bool:
    """A mediator answered "J'arrive": the kiosk learns it at its next heartbeat or poll."""
    result = conn.execute(t.help_requests.update()
                          .where(t.help_requests.c.request_id == request_id,
                                 t.help_requests.c.status == HelpState.OPEN.value)
                          .values(status=HelpState.ACKNOWLEDGED.value, acknowledged_at=now(),
                                  acknowledged_by=user_id))
    if result.rowcount:
        live_changes.mark(conn, [help_request_site(conn, request_id)])
    return bool(result.rowcount)


def help_request_site(conn: Connection, request_id: str) -> int | None:
    """The site a help request came from (the console checks it against the user's scope)."""
    return conn.execute(sa.select(t.help_requests.c.site_id)
                        .where(t.help_requests.c.request_id == request_id)).scalar_one_or_none()


def close_help(conn: Connection, request_id: str) -> bool:
    result = conn.execute(t.help_requests.update()
                          .where(t.help_requests.c.request_id == request_id,
                                 t.help_requests.c.status.not_in(
                                     [h.value for h in FINISHED_HELP_STATES]))
                          .values(status=HelpState.CLOSED.value, closed_at=now()))
    if result.rowcount:
        live_changes.mark(conn, [help_request_site(conn, request_id)])
    return bool(result.rowcount)


def cancel_help(conn: Connection, kiosk: KioskIdentity, request_id: uuid.UUID) -> bool:
    """The resident cancelled their call at the kiosk: mediators stop seeing it (the live view
    lists only unfinished requests) and the console keeps it marked "cancelled". Only the kiosk
    that made the request can cancel it; one already closed stays closed."""
    result = conn.execute(t.help_requests.update()
                          .where(t.help_requests.c.request_id == str(request_id),
                                 t.help_requests.c.kiosk_id == kiosk.kiosk_id,
                                 t.help_requests.c.status.in_([HelpState.OPEN.value,
                                                               HelpState.ACKNOWLEDGED.value]))
                          .values(status=HelpState.CANCELLED.value, closed_at=now()))
    if result.rowcount:
        live_changes.mark(conn, [kiosk.site_id])  # open live pages drop the call
    return bool(result.rowcount)


def open_help_requests(conn: Connection, site_ids: list[int] | None = None) -> list[dict[str, Any]]:
    q = (sa.select(t.help_requests, t.kiosks.c.name.label("kiosk_name"))
         .select_from(t.help_requests.join(t.kiosks))
         .where(t.help_requests.c.status.not_in([h.value for h in FINISHED_HELP_STATES]))
         .order_by(t.help_requests.c.created_at))
    if site_ids is not None:
        q = q.where(t.help_requests.c.site_id.in_(site_ids))
    return [dict(r._mapping) for r in conn.execute(q)]


def cancelled_help_requests(conn: Connection, site_ids: list[int],
                            since: dt.datetime) -> list[dict[str, Any]]:
    """Calls the residents cancelled at the kiosk since ``since`` (the live view shows them
    "annulé" for a short while, so a mediator on the way knows why the call went away)."""
    q = (sa.select(t.help_requests, t.kiosks.c.name.label("kiosk_name"))
         .select_from(t.help_requests.join(t.kiosks))
         .where(t.help_requests.c.site_id.in_(site_ids),
                t.help_requests.c.status == HelpState.CANCELLED.value,
                t.help_requests.c.closed_at >= since)
         .order_by(t.help_requests.c.created_at))
    rows = [dict(r._mapping) for r in conn.execute(q)]
    for row in rows:
        if row["closed_at"].tzinfo is None:  # SQLite returns naive UTC
            row["closed_at"] = row["closed_at"].replace(tzinfo=dt.UTC)
    return rows


def help_request_times(conn: Connection, site_ids: list[int], start: dt.datetime,
                       end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """(asked, acknowledged) of the help requests of some sites in [start, end) (dashboards:
    how fast mediators answer). Read through the site index: a site has a few a day."""
    q = (sa.select(t.help_requests.c.created_at, t.help_requests.c.acknowledged_at)
         .where(t.help_requests.c.site_id.in_(site_ids),
                t.help_requests.c.created_at >= start, t.help_requests.c.created_at < end))
    return [(r[0], r[1]) for r in conn.execute(q)]


# --- live view -------------------------------------------------------------------------------
def kiosk_statuses(conn: Connection, heartbeat_s: int = 30,
                   site_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Every kiosk with its last heartbeat; ``online`` False after 3 missed heartbeats;
    ``session_started_at`` (server time) while its last heartbeat said it was in session."""
    q = (sa.select(t.kiosks.c.id.label("kiosk_id"), t.kiosks.c.name, t.kiosks.c.site_id,
                   t.kiosk_status.c.last_seen, t.kiosk_status.c.state,
                   t.kiosk_status.c.procedure_id, t.kiosk_status.c.step,
                   t.kiosk_status.c.devices, t.kiosk_status.c.device_backends,
                   t.kiosk_status.c.app_version,
                   t.kiosk_status.c.queue_length, t.kiosk_status.c.session_started_at,
                   t.kiosk_status.c.ui_stalled_s, t.kiosk_status.c.restarts,
                   t.kiosk_status.c.update_state, t.kiosk_status.c.update_tried,
                   t.kiosk_status.c.catalogue_version, t.kiosk_status.c.official_site,
                   t.sites.c.catalogue_version.label("site_catalogue"),
                   t.sites.c.catalogue_version_plain.label("site_catalogue_plain"),
                   t.kiosk_status.c.package_version, t.kiosk_status.c.parcours_dropped,
                   sa.func.coalesce(t.sites.c.pinned_version,
                                    t.territories.c.pinned_version).label("pinned_version"))
         .select_from(t.kiosks.outerjoin(t.kiosk_status).join(t.sites).join(t.territories))
         .order_by(t.kiosks.c.site_id, t.kiosks.c.id))
    if site_ids is not None:
        q = q.where(t.kiosks.c.site_id.in_(site_ids))
    limit = dt.timedelta(seconds=heartbeat_s * OFFLINE_AFTER_HEARTBEATS)
    current = now()
    out = []
    for r in conn.execute(q):
        row = dict(r._mapping)
        for column in ("last_seen", "session_started_at"):
            value = row[column]
            if value is not None and value.tzinfo is None:  # SQLite returns naive UTC
                row[column] = value.replace(tzinfo=dt.UTC)
        last = row["last_seen"]
        row["devices"] = json.loads(row["devices"]) if row["devices"] else {}
        row["device_backends"] = json.loads(row["device_backends"] or "{}")
        row["online"] = last is not None and current - last <= limit
        out.append(row)
    return out
