"""The mediator's live view: kiosks of a site, help requests, commands; pushed with
server-sent events.

Two pages: one site (``/console/live/<site id>``), and all the user's sites together
(``/console/live``) when they may watch between 2 and ``TOGETHER_MAX`` sites: a mediator of two
sites sees both sites' kiosks and help calls on one tablet, and answers either. With one site
``/console/live`` leads to it; with more than ``TOGETHER_MAX`` (a big territory, an admin) it
lists them to choose from.

The stream does not read the database itself: the process's live feed (live_feed.py) reads each
changed site once for all the pages showing it, and wakes their streams; a stream also looks
again when its shared rendering expires (a kiosk goes offline, a call leaves, without any
write) and at least every ``KEEPALIVE_S``.
Nor does it render by itself: one rendering per site and change (or passing of time) serves
every page of the process (live_render.py). It pushes the panel only when it changed, with
the ids of the open help requests and of the device faults so the page can ring for the new
ones. A comment line every
``KEEPALIVE_S`` keeps proxies from closing an idle stream. The user and their places are read
again when accounts or places change (the feed says so) and at least every ``RECHECK_S``: a
disabled account stops receiving; a site taken away from the user ends its one-site stream (the
page reloads into "Accès refusé") and leaves the all-sites panel at the next push, and a site
given appears in it.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar, cast

from fastapi import APIRouter
from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from kiosk_server import live
from kiosk_server.console import access
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser, LoginRequired, load_user
from kiosk_server.console.live_feed import POLL_S, LiveFeed, Watch
from kiosk_server.console.live_render import SharedPanels, for_user
from kiosk_server.console.live_view import (
    COMMAND_LABELS,
    Snapshot,
    kiosk_view,
    snapshot,
)
from kiosk_server.console.web import (
    TEMPLATES,
    Console,
    console,
    done,
    in_thread,
    page,
    posted_form,
    user_of,
)
from kiosk_wire.schema import CommandKind

router = APIRouter()
KEEPALIVE_S = 15.0
# The user is read again on every change of accounts or places (the feed says so); at least
# this often for what is not marked (a sign-out elsewhere, SQL by hand). The only database work
# a page costs by itself: a few reads every RECHECK_S, each page at its own moment.
RECHECK_S = 300.0
TOGETHER_MAX = 8  # sites on one live page; beyond, the user picks a site


def _snapshot(ctx: Console, user: ConsoleUser, site_id: int) -> tuple[Any, Snapshot]:
    with ctx.engine.connect() as conn:
        site = access.live_site(conn, user, site_id)
        return site, snapshot(conn, site_id, ctx.heartbeat_s)


def _panel(user: ConsoleUser, site: Any, snap: Snapshot) -> str:
    return TEMPLATES.get_template("_live_panel.html").render(user=user, site=site, snap=snap,
                                                             commands=COMMAND_LABELS)


def _together(ctx: Console, user: ConsoleUser) -> tuple[list[dict[str, Any]],
                                                       list[tuple[Any, Snapshot]]]:
    """The user's sites and, when there are 2 to TOGETHER_MAX of them, each one's snapshot."""
    with ctx.engine.connect() as conn:
        sites = access.live_sites(conn, user)
        if not 2 <= len(sites) <= TOGETHER_MAX:
            return sites, []
        return sites, [(site, snapshot(conn, site.id, ctx.heartbeat_s))
                       for site in (access.live_site(conn, user, s["id"]) for s in sites)]


def _together_panel(user: ConsoleUser, panels: list[tuple[Any, Snapshot]]) -> str:
    return TEMPLATES.get_template("_live_sites.html").render(user=user, panels=panels,
                                                             commands=COMMAND_LABELS)


def _together_event(panels: list[tuple[Any, Snapshot]], html: str) -> dict[str, Any]:
    """One event for every site: the open help requests of all, the counts summed."""
    counts: dict[str, int] = {}
    for _site, snap in panels:
        for key, value in snap.counts.items():
            counts[key] = counts.get(key, 0) + value
    return {"html": html, "open_help": [h for _s, snap in panels for h in snap.open_help_ids],
            "faults": [a.key for _s, snap in panels for a in snap.alerts], "counts": counts}


@router.get("/console/live", include_in_schema=False)
def live_index(request: Request) -> Response:
    user = user_of(request)
    ctx = console(request)
    sites, panels = _together(ctx, user)
    if len(sites) == 1:
        return RedirectResponse(f"/console/live/{sites[0]['id']}", status_code=303)
    if not panels:
        return page(request, "live_index.html", user, sites=sites, section="live",
                    faults=_faults_per_site(ctx, [s["id"] for s in sites]))
    return page(request, "live_together.html", user, sites=sites, section="live",
                panel=_together_panel(user, panels),
                open_help=json.dumps(_together_event(panels, "")["open_help"]),
                faults=json.dumps(_together_event(panels, "")["faults"]))


def _faults_per_site(ctx: Console, site_ids: list[int]) -> dict[int, int]:
    """Kiosks with a device fault, per site, for the list of sites (too many for one page):
    the sites to open first. Counted as the live view counts them (kiosks still talking)."""
    if not site_ids:
        return {}
    with ctx.engine.connect() as conn:
        rows = live.kiosk_statuses(conn, ctx.heartbeat_s, site_ids)
    current = dt.datetime.now(dt.UTC)
    offline_after = dt.timedelta(seconds=ctx.heartbeat_s * live.OFFLINE_AFTER_HEARTBEATS)
    out: dict[int, int] = {}
    for row in rows:
        if kiosk_view(row, current, offline_after).has_fault:
            out[row["site_id"]] = out.get(row["site_id"], 0) + 1
    return out


T = TypeVar("T")


def _per_process(request: Request, name: str, make: Callable[[], T]) -> T:
    """One ``name`` object per server process, kept on the app's state, made at first use."""
    state = request.app.state
    found = getattr(state, name, None)
    if found is None:
        found = make()
        setattr(state, name, found)
    return cast(T, found)


def live_feed(request: Request) -> LiveFeed:
    """This process's live feed (made at the first live page)."""
    return _per_process(request, "live_feed", lambda: LiveFeed(console(request).engine))


def _scope(ctx: Console, user: ConsoleUser) -> list[Any]:
    """The site rows of the all-sites page: 2 to TOGETHER_MAX, else none (the page reloads)."""
    with ctx.engine.connect() as conn:
        sites = access.live_sites(conn, user)
        if not 2 <= len(sites) <= TOGETHER_MAX:
            return []
        return [access.live_site(conn, user, s["id"]) for s in sites]


@router.get("/console/live/events", include_in_schema=False)
async def live_together_events(request: Request) -> Response:
    """The stream of the all-sites page; its sites follow the user's places."""
    user = await in_thread(user_of, request)  # its reads off the event loop
    ctx = console(request)

    shared = shared_panels(request)

    async def frames(watch: Watch) -> AsyncIterator[str | None]:
        async for now_user, fresh in _current_users(request, user, watch):
            if fresh:
                sites = await in_thread(_scope, ctx, now_user)
                if not sites:  # down to one site (or none, or too many): the page reloads
                    break
                await watch.set_sites(s.id for s in sites)
            yield for_user(shared.together(watch.feed, sites, _together_panel, _together_event),
                           now_user.csrf)
            watch.due_s = shared.due_s
        yield None

    return _event_stream(request, frames)


async def _current_users(request: Request, user: ConsoleUser, watch: Watch
                         ) -> AsyncIterator[tuple[ConsoleUser, bool]]:
    """(user, read again?) before each frame of a stream, waiting between frames for the
    feed. The user is read again from the database when accounts or places changed, and every
    RECHECK_S: an admin may have changed their places (the scope checks must use the new ones)
    or disabled the account. Ends when they may no longer log in."""
    # Pages opened together (a server restart reconnects them all) recheck at spread moments.
    last_check = time.monotonic() - random.uniform(0.0, RECHECK_S)
    fresh = True
    while True:
        yield user, fresh
        await watch.next(max(POLL_S, min(watch.due_s, KEEPALIVE_S, RECHECK_S)))
        fresh = watch.accounts_changed or time.monotonic() - last_check >= RECHECK_S
        if fresh:
            watch.accounts_changed = False
            try:
                user = await in_thread(_user_again, request)
            except LoginRequired:
                return
            last_check = time.monotonic()


def shared_panels(request: Request) -> SharedPanels:
    """This process's shared renderings of live panels (made at the first live stream)."""
    return _per_process(request, "live_panels",
                        lambda: SharedPanels(console(request).heartbeat_s))


def _user_again(request: Request) -> ConsoleUser:
    """A stream's user read again: as user_of, without re-reading the procedures' titles (the
    feed does when it reads a site): one connection less per page every RECHECK_S."""
    ctx = console(request)
    return load_user(ctx.engine, ctx.sessions.read(request))


def _event_stream(request: Request,
                  frames: Callable[[Watch], AsyncIterator[str | None]]) -> Response:
    """Server-sent events from ``frames`` (the event as JSON), which wait on the feed between
    them: pushed when it changed, a keep-alive comment now and then; ``None`` ends the stream
    with "logout" (the page reloads, into whatever the user may now see)."""
    feed = live_feed(request)

    async def stream() -> AsyncIterator[str]:
        last_event = None
        last_sent = time.monotonic()
        yield "retry: 2000\n\n"
        async with feed.watching(()) as watch:
            async for event in frames(watch):
                if await request.is_disconnected():
                    return
                if event is None:
                    yield "event: logout\ndata: {}\n\n"
                    return
                now = time.monotonic()
                if event != last_event:
                    last_event, last_sent = event, now
                    yield f"event: live\ndata: {event}\n\n"
                elif now - last_sent >= KEEPALIVE_S - 1.0:  # the stream wakes that often
                    last_sent = now
                    yield ": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/console/live/{site_id}", include_in_schema=False)
def live_page(request: Request, site_id: int) -> Response:
    user = user_of(request)
    ctx = console(request)
    site, snap = _snapshot(ctx, user, site_id)
    return page(request, "live.html", user, site=site, snap=snap, section="live",
                panel=_panel(user, site, snap), open_help=json.dumps(snap.open_help_ids),
                faults=json.dumps([a.key for a in snap.alerts]))


@router.get("/console/live/{site_id}/events", include_in_schema=False)
async def live_events(request: Request, site_id: int) -> Response:
    user = await in_thread(user_of, request)  # its reads off the event loop
    ctx = console(request)
    await in_thread(_site, ctx, user, site_id)  # refuse at once if out of scope

    shared = shared_panels(request)

    async def frames(watch: Watch) -> AsyncIterator[str | None]:
        async for now_user, fresh in _current_users(request, user, watch):
            if fresh:
                try:
                    site = await in_thread(_site, ctx, now_user, site_id)
                except ConsoleDenied:  # no longer in scope: the page reloads into "Accès refusé"
                    break
                await watch.set_sites([site_id])
            yield for_user(shared.site(watch.feed, site, _panel), now_user.csrf)
            watch.due_s = shared.due_s
        yield None

    return _event_stream(request, frames)


def _site(ctx: Console, user: ConsoleUser, site_id: int) -> Any:
    with ctx.engine.connect() as conn:
        return access.live_site(conn, user, site_id)


def _help_in_site(ctx: Console, user: ConsoleUser, site_id: int, request_id: str) -> None:
    with ctx.engine.connect() as conn:
        access.live_site(conn, user, site_id)
        if live.help_request_site(conn, request_id) != site_id:
            raise ConsoleDenied()


async def _answer_help(request: Request, site_id: int, request_id: str,
                       change: Callable[[Connection, ConsoleUser], object], flash: str) -> Response:
    """A mediator's answer to a help request of their site: checked, applied, redirected."""
    user = await in_thread(user_of, request)  # its reads off the event loop
    await posted_form(request, user)
    ctx = console(request)

    def run() -> None:
        _help_in_site(ctx, user, site_id, request_id)
        with ctx.engine.begin() as conn:
            change(conn, user)
    await in_thread(run)
    return done(request, f"/console/live/{site_id}", flash)


@router.post("/console/live/{site_id}/help/{request_id}/ack", include_in_schema=False)
async def acknowledge(request: Request, site_id: int, request_id: str) -> Response:
    return await _answer_help(
        request, site_id, request_id,
        lambda conn, user: live.acknowledge_help(conn, request_id, user.id), "ack")


@router.post("/console/live/{site_id}/help/{request_id}/close", include_in_schema=False)
async def close(request: Request, site_id: int, request_id: str) -> Response:
    return await _answer_help(
        request, site_id, request_id,
        lambda conn, user: live.close_help(conn, request_id), "closed")


@router.post("/console/live/{site_id}/kiosks/{kiosk_id}/command", include_in_schema=False)
async def command(request: Request, site_id: int, kiosk_id: int) -> Response:
    user = await in_thread(user_of, request)  # its reads off the event loop
    form = await posted_form(request, user)
    ctx = console(request)
    try:
        kind = CommandKind(str(form.get("kind") or ""))
    except ValueError:
        raise ConsoleDenied("Commande inconnue.") from None

    def run() -> int:
        with ctx.engine.begin() as conn:
            access.live_site(conn, user, site_id)
            access.kiosk_of_site(conn, site_id, kiosk_id)
            return live.queue_command(conn, kiosk_id, kind, user.id)
    command_id = await in_thread(run)
    return done(request, f"/console/live/{site_id}", "command", command_id=command_id)
