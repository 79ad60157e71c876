"""What the mediator's live view shows for one site, computed from kiosk_server.live.

A kiosk is shown "Hors ligne" after 3 missed heartbeats (``sync.heartbeat_s`` each), with how
long ("hors ligne depuis 2 h 05", counted from its last heartbeat) and none of its last device
states (they may have changed since: nobody knows); "Jamais connectée" before its first one;
otherwise the state of its last heartbeat, with the time in session ("en session depuis 12 min")
counted from the start the server placed on its own clock. Device states come in words from
kiosk_server.console.labels: faults (a mediator must act: the card is flagged and the fault is
listed at the top of the page as an alert, rung like a help call, until the kiosk reports the
device well again) and notices (shown quietly). Times are sent as ISO timestamps and shown
relative ("il y a 12 s") by the page itself, so the rendered panel only changes when something
really changed (the time in session is rendered to the minute): that is what the server-sent
event stream compares to decide whether to push.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from kiosk_server import live
from kiosk_server.console import labels as L
from kiosk_server.procedures import titles
from kiosk_wire.bundle import EMPTY_VERSION
from kiosk_wire.schema import HelpState

IN_SESSION = ("active", "idle_warning", "ending")
# The kiosk's UI loop ticks every second: 10 s without a tick is a frozen screen, not a slow one.
FROZEN_AFTER_S = 10
# A call the resident cancelled stays on the live view this long, marked "annulé": a mediator
# who saw it ring knows why it went away (and need not come).
CANCELLED_SHOWN_FOR = dt.timedelta(minutes=2)
COMMAND_LABELS = {"end_session": "Terminer la session", "out_of_order": "Mettre hors service",
                  "back_in_service": "Remettre en service"}


def catalogue_words(has: str | None, should: str | None, plain: str | None = None,
                    dropped: str | None = None) -> str:
    """Which practice catalogue a kiosk has, and whether it is its site's current one
    (``plain``: the site's without parcours, what a kiosk older than them is sent);
    ``dropped``: the bundle's parcours the kiosk does not offer (comma-separated ids)."""
    if has is None:
        return ""
    what = "démarches fournies" if has == EMPTY_VERSION else f"catalogue {has[:8]}"
    if has == (should or EMPTY_VERSION):
        words = f"{what} · à jour"
    elif plain is not None and has == plain:
        words = f"{what} · à jour sans les parcours (mettez la borne à jour pour les avoir)"
    else:
        words = f"{what} · le nouveau arrive entre deux sessions"
    if dropped:
        words += (" · parcours non proposés (une démarche manque à cette version de la "
                  f"borne) : {dropped.replace(',', ', ')}")
    return words


@dataclass
class KioskView:
    id: int
    name: str
    status: str            # idle | active | ... | offline | never
    status_label: str
    procedure: str
    step: int | None
    faults: list[str]      # "Imprimante : plus de papier": a mediator must act
    queue_length: int | None
    app_version: str
    last_seen: str | None  # ISO
    pending: list[str] = field(default_factory=list)
    help_open: bool = False
    session_since: str | None = None   # ISO, server time; only while in session
    session_for: str = ""              # "12 min", refreshed every second by the page
    notices: list[str] = field(default_factory=list)  # worth knowing, maybe normal
    step_label: str = ""   # "étape 3 sur 7 : Vos coordonnées"
    update: str = ""       # the last update's outcome, in words ("" when nothing to say)
    package: str = ""      # the package version installed, when the kiosk says it
    drift: str = ""        # "version attendue : 0.2.0-1" when not on its site's pinned version
    catalogue: str = ""    # the catalogue it has, against its site's ("" from older kiosks)
    official_site: str = ""  # "CAF · caf.fr": the site its browser shows (never a page)
    offline_since: str | None = None   # ISO, the last heartbeat; only while offline
    offline_for: str = ""              # "2 h 05", refreshed every second by the page

    @property
    def has_fault(self) -> bool:
        """Flagged on the card: faults of a kiosk that is still talking (an offline kiosk's
        last device states may be stale; the card is already red for being offline)."""
        return bool(self.faults) and self.status not in ("offline", "never")


    @property
    def in_session(self) -> bool:
        return self.status in IN_SESSION


@dataclass(frozen=True)
class FaultAlert:
    """One device fault of a kiosk that is still talking: listed at the top of the live page."""
    kiosk_id: int
    kiosk: str
    fault: str             # "Imprimante : plus de papier"

    @property
    def key(self) -> str:
        """Stable while the fault lasts: the page rings for keys it has not seen yet."""
        return f"{self.kiosk_id}:{self.fault}"


@dataclass
class HelpView:
    request_id: str
    kiosk: str
    procedure: str
    step: int | None
    acknowledged: bool
    created_at: str
    step_label: str = ""
    cancelled: bool = False   # by the resident, at the kiosk: shown a while, not rung


@dataclass
class Snapshot:
    kiosks: list[KioskView]
    help: list[HelpView]

    @property
    def open_help_ids(self) -> list[str]:
        return [h.request_id for h in self.help if not h.acknowledged and not h.cancelled]

    @property
    def alerts(self) -> list[FaultAlert]:
        return [FaultAlert(k.id, k.name, fault) for k in self.kiosks if k.has_fault
                for fault in k.faults]

    @property
    def counts(self) -> dict[str, int]:
        out = {"total": len(self.kiosks), "session": 0, "free": 0, "down": 0,
               "faulty": sum(1 for k in self.kiosks if k.has_fault)}
        for k in self.kiosks:
            if k.in_session:
                out["session"] += 1
            elif k.status == "idle":
                out["free"] += 1
            else:
                out["down"] += 1
        return out


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat(timespec="seconds")


def device_problems(devices: dict[str, str], backends: dict[str, str] | None = None
                    ) -> tuple[list[str], list[str]]:
    """(faults, notices) of a heartbeat's device states, in words, in a stable order; a demo
    device is a notice of its own (it only pretends: nothing is printed or scanned)."""
    faults: list[str] = []
    notices: list[str] = []
    for device, slug in sorted(devices.items()):
        words, level = L.device_state_level(device, slug)
        if level == L.FAULT:
            faults.append(f"{L.device(device)} : {words}")
        elif level == L.NOTICE:
            notices.append(f"{L.device(device)} : {words}")
    for device, backend in sorted((backends or {}).items()):
        if backend == "demo":
            notices.append(f"{L.device(device)} : de démonstration (rien de réel)")
    return faults, notices


def session_duration(seconds: float) -> str:
    """How long a session has lasted, for a mediator glancing at a tablet: "moins d'une
    minute", "12 min", "1 h 05". Minutes only, so the panel (and its event stream) changes
    once a minute at most; console.js keeps the same wording."""
    minutes = int(max(0.0, seconds) // 60)
    if minutes < 1:
        return "moins d'une minute"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"


def offline_duration(seconds: float) -> str:
    """How long a kiosk has been silent: as a session's time up to a day ("2 h 05"), then in
    days ("3 jours"): a kiosk switched off for the weekend reads "2 jours". console.js keeps
    the same wording."""
    days = int(max(0.0, seconds) // 86400)
    if days < 1:
        return session_duration(seconds)
    return f"{days} jour{'s' if days > 1 else ''}"


def liveness_problems(stalled_s: int | None, restarts: int | None, faults: list[str],
                      notices: list[str]) -> None:
    """The kiosk's watchdog in words: a UI that has not turned for FROZEN_AFTER_S is a fault
    (systemd restarts it within its WatchdogSec), restarts since boot a notice."""
    if stalled_s is not None and stalled_s >= FROZEN_AFTER_S:
        faults.append(L.FROZEN)
    if restarts:
        notices.append(L.restarted(restarts))


@dataclass
class SiteRows:
    """What the database says of one site for its live view, read in one go: the kiosks with
    their last status, the commands not yet confirmed, the open help requests. Everything that
    depends on the time (offline, time in session) is worked out from it when shown, so a
    process's live feed can read it once for all the pages it serves (live_feed.py)."""
    kiosks: list[dict[str, Any]]
    pending: list[dict[str, Any]]
    help: list[dict[str, Any]]


def site_rows(conn: Connection, site_id: int) -> SiteRows:
    """(The calls cancelled within ``CANCELLED_SHOWN_FOR`` come along; when shown, those
    older than that are left out: the stream renders again every few seconds.)"""
    titles.refresh(conn)  # the live feed builds pages outside a request too
    since = dt.datetime.now(dt.UTC) - CANCELLED_SHOWN_FOR
    return SiteRows(kiosks=live.kiosk_statuses(conn, site_ids=[site_id]),
                    pending=live.pending_commands(conn, [site_id]),
                    help=live.open_help_requests(conn, [site_id])
                    + live.cancelled_help_requests(conn, [site_id], since))


def snapshot(conn: Connection, site_id: int, heartbeat_s: int,
             at: dt.datetime | None = None) -> Snapshot:
    return snapshot_of(site_rows(conn, site_id), heartbeat_s, at)


def snapshot_of(rows: SiteRows, heartbeat_s: int, at: dt.datetime | None = None) -> Snapshot:
    current = at or dt.datetime.now(dt.UTC)
    offline_after = dt.timedelta(seconds=heartbeat_s * live.OFFLINE_AFTER_HEARTBEATS)
    pending: dict[int, list[str]] = {}
    for c in rows.pending:
        pending.setdefault(c["kiosk_id"], []).append(COMMAND_LABELS.get(c["kind"], c["kind"]))
    help_rows = [h for h in rows.help if h["status"] != HelpState.CANCELLED.value
                 or current - h["closed_at"] <= CANCELLED_SHOWN_FOR]
    calling = {h["kiosk_id"] for h in help_rows if h["status"] == HelpState.OPEN.value}
    kiosks = [kiosk_view(k, current, offline_after, pending.get(k["kiosk_id"], []),
                         k["kiosk_id"] in calling) for k in rows.kiosks]
    help_views = [HelpView(request_id=h["request_id"], kiosk=h["kiosk_name"],
                           procedure=L.procedure(h["procedure_id"]) if h["procedure_id"] else "",
                           step=h["step"], step_label=L.step(h["procedure_id"], h["step"],
                                                             capital=False) if h["step"] else "",
                           acknowledged=h["status"] == HelpState.ACKNOWLEDGED.value,
                           cancelled=h["status"] == HelpState.CANCELLED.value,
                           created_at=_iso(h["created_at"]) or "")
                  for h in help_rows]
    return Snapshot(kiosks, help_views)


def changes_by_itself_at(rows: SiteRows, heartbeat_s: int,
                         current: dt.datetime) -> dt.datetime | None:
    """When the snapshot of ``rows`` next changes with no write at all: a kiosk turns offline,
    a cancelled call leaves the panel. (Minutes in session or offline are kept current by
    console.js between pushes.) None: never, as long as the rows stay the same."""
    offline_after = dt.timedelta(seconds=heartbeat_s * live.OFFLINE_AFTER_HEARTBEATS)
    moments = [k["last_seen"] + offline_after for k in rows.kiosks if k["last_seen"] is not None]
    moments += [h["closed_at"] + CANCELLED_SHOWN_FOR for h in rows.help
                if h["status"] == HelpState.CANCELLED.value and h["closed_at"] is not None]
    return min((m for m in moments if m > current), default=None)


def kiosk_view(k: dict[str, Any], current: dt.datetime, offline_after: dt.timedelta,
               pending: list[str] | None = None, help_open: bool = False) -> KioskView:
    """One kiosk's card from its row of live.kiosk_statuses(), at the time ``current``."""
    last_seen = k["last_seen"]
    if last_seen is None:
        status = "never"
    elif current - last_seen > offline_after:
        status = "offline"
    else:
        status = k["state"]
    faults: list[str] = []
    notices: list[str] = []
    if status not in ("offline", "never"):  # a silent kiosk's last states may be stale
        faults, notices = device_problems(k["devices"], k["device_backends"])
        liveness_problems(k["ui_stalled_s"], k["restarts"], faults, notices)
    started = k["session_started_at"]
    in_session = status in IN_SESSION and started is not None
    return KioskView(
        id=k["kiosk_id"], name=k["name"], status=status,
        status_label=L.KIOSK_STATES.get(status, status),
        procedure=L.procedure(k["procedure_id"]) if k["procedure_id"] else "",
        step=k["step"], step_label=L.step(k["procedure_id"], k["step"], capital=False)
        if k["step"] else "", faults=faults, notices=notices, queue_length=k["queue_length"],
        app_version=k["app_version"] or "", last_seen=_iso(last_seen),
        pending=pending or [], help_open=help_open,
        update=L.update(k["update_state"], k["update_tried"]),
        package=k["package_version"] or "",
        drift=L.version_drift(k["package_version"], k["pinned_version"]) if last_seen else "",
        catalogue=catalogue_words(k["catalogue_version"], k["site_catalogue"],
                                  k.get("site_catalogue_plain"), k.get("parcours_dropped")),
        official_site=L.official_site_shown(k["official_site"])
        if k.get("official_site") and status in IN_SESSION else "",
        session_since=_iso(started) if in_session else None,
        session_for=(session_duration((current - started).total_seconds())
                     if in_session else ""),
        offline_since=_iso(last_seen) if status == "offline" else None,
        offline_for=(offline_duration((current - last_seen).total_seconds())
                     if status == "offline" else ""))


def as_event(snap: Snapshot, html: str) -> dict[str, Any]:
    return {"html": html, "open_help": snap.open_help_ids,
            "faults": [a.key for a in snap.alerts], "counts": snap.counts}
