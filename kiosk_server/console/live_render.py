"""One rendering of a live panel per site and change, shared by every page of a process.

Each open live page used to render its panel itself, at each change of its site and every
5 s: a thousand pages of a hundred sites rendered the same hundred panels ten times over
and the server processes saturated. Now the first stream that needs a panel renders it (and its
event, as JSON) and every other stream of the same sites takes it from here, so the CPU work
of the live view follows the sites and their changes, not the open pages.

A panel depends on its site's rows (the feed's ``generation`` says when they changed), on the
site row, and on the time: it is made again when a kiosk turns offline or a cancelled call
leaves (``live_view.changes_by_itself_at``), and at least every ``MAX_AGE_S`` (the last signal
of each kiosk, which the feed refreshes in place every few seconds without a change). Minutes
in session or offline are kept current by console.js between pushes. The only thing of the
viewer's in it is their CSRF token, left as ``CSRF_SLOT`` and filled in per stream
(:func:`for_user`): a cheap string replacement.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from markupsafe import escape

from kiosk_server.console.live_view import Snapshot, as_event, changes_by_itself_at, snapshot_of

# Each rendering is pushed to every page of its site: sending is most of what a page costs.
MAX_AGE_S = 60.0
CSRF_SLOT = "@@kiosk-live-csrf@@"
_VIEWER = SimpleNamespace(csrf=CSRF_SLOT)  # the templates may use nothing else of the user

Panel = Callable[[Any, Any, Snapshot], str]  # (user, site, snapshot) -> html
Together = Callable[[Any, list[tuple[Any, Snapshot]]], str]


class SharedPanels:
    """Rendered events of one process, keyed by the sites and their generations, each kept
    until the time changes it."""

    def __init__(self, heartbeat_s: int) -> None:
        self.heartbeat_s = heartbeat_s
        self.renders = 0  # panels rendered (for tests and the bench)
        self.due_s = MAX_AGE_S  # seconds the rendering last handed out stays current
        self._made: dict[tuple[Any, ...], tuple[str, dt.datetime]] = {}

    def _get(self, key: tuple[Any, ...], feed: Any, site_ids: list[int],
             make: Callable[[dt.datetime], str]) -> str:
        current = dt.datetime.now(dt.UTC)
        made = self._made.get(key)
        if made is not None and current < made[1]:
            self.due_s = (made[1] - current).total_seconds()
            return made[0]
        if made is None and len(self._made) > 4 * max(len(feed.rows), 1):
            self._made = {k: v for k, v in self._made.items() if current < v[1]}  # the stale
        text = make(current)
        until = current + dt.timedelta(seconds=MAX_AGE_S)
        for site_id in site_ids:
            at = changes_by_itself_at(feed.rows[site_id], self.heartbeat_s, current)
            until = min(until, at) if at is not None else until
        self._made[key] = (text, until)
        self.due_s = (until - current).total_seconds()
        self.renders += 1
        return text

    def site(self, feed: Any, site: Any, panel: Panel) -> str:
        """The event (JSON, with CSRF_SLOT) of a one-site page."""
        def make(current: dt.datetime) -> str:
            snap = snapshot_of(feed.rows[site.id], self.heartbeat_s, current)
            return json.dumps(as_event(snap, panel(_VIEWER, site, snap)))
        key = ("site", tuple(site), feed.generation.get(site.id))
        return self._get(key, feed, [site.id], make)

    def together(self, feed: Any, sites: Sequence[Any], panels: Together,
                 event: Callable[[list[tuple[Any, Snapshot]], str], dict[str, Any]]) -> str:
        """The event (JSON, with CSRF_SLOT) of an all-sites page."""
        def make(current: dt.datetime) -> str:
            shown = [(s, snapshot_of(feed.rows[s.id], self.heartbeat_s, current))
                     for s in sites]
            return json.dumps(event(shown, panels(_VIEWER, shown)))
        key = ("together",) + tuple((tuple(s), feed.generation.get(s.id)) for s in sites)
        return self._get(key, feed, [s.id for s in sites], make)


def for_user(shared: str, csrf: str) -> str:
    """A shared event for one viewer: their token in place of the slot (escaped for the HTML
    attribute and for the JSON string it is in)."""
    return shared.replace(CSRF_SLOT, json.dumps(str(escape(csrf)))[1:-1])
