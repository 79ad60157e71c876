"""Time per official site, for the session's anonymised record: allowlist keys and seconds
only (never an address or a title). The refusal page and blank pages count for no site.

Each period on a site is handed over as soon as it ends (the session core journals it, so a
crash keeps it too); the running one when the browser closes, and so far at each heartbeat
(:meth:`SiteTimer.checkpoint`: a crash loses at most one heartbeat's time on the shown site)."""
from __future__ import annotations

import threading
from collections.abc import Callable

Period = tuple[str, float]  # (site key, seconds)


class SiteTimer:
    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self._current: str | None = None
        self._since = 0.0
        self._lock = threading.Lock()  # views come from the worker, the end from the UI

    def show(self, site_key: str | None) -> Period | None:
        """The shown page is now on ``site_key`` (None: no site). Returns the period that just
        ended, or None (nothing ended, or the same site goes on)."""
        with self._lock:
            if site_key == self._current:
                return None
            ended = self._ended(self.now())
            self._current, self._since = site_key, self.now()
            return ended

    def checkpoint(self) -> Period | None:
        """The running period so far, if any; the same site goes on, counted from now."""
        with self._lock:
            now = self.now()
            ended = self._ended(now)
            self._since = now
            return ended

    def stop(self) -> Period | None:
        """The browser closes: the running period, if any."""
        with self._lock:
            ended = self._ended(self.now())
            self._current = None
            return ended

    def _ended(self, now: float) -> Period | None:
        if self._current is None:
            return None
        return self._current, max(0.0, now - self._since)
