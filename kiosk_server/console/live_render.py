"""One rendering of a live panel per site and change, shared by every page of a process.

Each open live page used to render its panel itself, at each change of its site and every
``TICK_S``: a thousand pages of a hundred sites rendered the same hundred panels ten times over
and the server processes saturated. Now the first stream that needs a panel renders it (and its
event, as JSON) and every other stream of the same sites takes it from here, so the CPU work
of the live view follows the sites and their changes, not the open pages.

A panel depends on its site's rows (the feed's ``generation`` says when they changed), on the
site row, and on the time (offline, minutes in session): it is kept for the ``TICK_S`` window
it was made in. The only thing of the viewer's in it is their CSRF token, left as ``CSRF_SLOT``
and filled in per stream (:func:`for_user`): a cheap string replacement.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from markupsafe import escape

from kiosk_server.console.live_view import Snapshot, as_event, snapshot_of

CSRF_SLOT = "@@kiosk-live-csrf@@"
_VIEWER = SimpleNamespace(csrf=CSRF_SLOT)  # the templates may use nothing else of the user

Panel = Callable[[Any, Any, Snapshot], str]  # (user, site, snapshot) -> html
Together = Callable[[Any, list[tuple[Any, Snapshot]]], str]


class SharedPanels:
    """Rendered events of one process, keyed by (sites, their generations, time window)."""

    def __init__(self, heartbeat_s: int, tick_s: float) -> None:
        self.heartbeat_s = heartbeat_s
        self.tick_s = tick_s
        self.renders = 0  # panels rendered (for tests and the bench)
        self._window = -1
        self._made: dict[tuple[Any, ...], str] = {}

    def _get(self, key: tuple[Any, ...], make: Callable[[], str]) -> str:
        window = int(time.time() // self.tick_s)
        if window != self._window:  # a new window: every panel is rendered again once
            self._window, self._made = window, {}
        text = self._made.get(key)
        if text is None:
            text = self._made[key] = make()
            self.renders += 1
        return text

    def site(self, feed: Any, site: Any, panel: Panel) -> str:
        """The event (JSON, with CSRF_SLOT) of a one-site page."""
        def make() -> str:
            snap = snapshot_of(feed.rows[site.id], self.heartbeat_s)
            return json.dumps(as_event(snap, panel(_VIEWER, site, snap)))
        return self._get(("site", tuple(site), feed.generation.get(site.id)), make)

    def together(self, feed: Any, sites: Sequence[Any], panels: Together,
                 event: Callable[[list[tuple[Any, Snapshot]], str], dict[str, Any]]) -> str:
        """The event (JSON, with CSRF_SLOT) of an all-sites page."""
        def make() -> str:
            shown = [(s, snapshot_of(feed.rows[s.id], self.heartbeat_s)) for s in sites]
            return json.dumps(event(shown, panels(_VIEWER, shown)))
        key = ("together",) + tuple((tuple(s), feed.generation.get(s.id)) for s in sites)
        return self._get(key, make)


def for_user(shared: str, csrf: str) -> str:
    """A shared event for one viewer: their token in place of the slot (escaped for the HTML
    attribute and for the JSON string it is in)."""
    return shared.replace(CSRF_SLOT, json.dumps(str(escape(csrf)))[1:-1])
