"""Time per official site, for the session's anonymised record: allowlist keys and seconds
only (never an address or a title). The refusal page and blank pages count for no site."""
from __future__ import annotations

import threading
from collections.abc import Callable


class SiteTimer:
    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._since = 0.0
        self._lock = threading.Lock()  # views come from the worker, the end from the UI

    def show(self, site_key: str | None) -> None:
        """The shown page is now on ``site_key`` (None: no site)."""
        with self._lock:
            now = self.now()
            self._close(now)
            self._current, self._since = site_key, now

    def stop(self) -> dict[str, float]:
        """Close the running period; returns the seconds per site so far, and forgets them."""
        with self._lock:
            self._close(self.now())
            self._current = None
            seconds, self.seconds = self.seconds, {}
            return seconds

    def _close(self, now: float) -> None:
        if self._current is not None:
            self.seconds[self._current] = self.seconds.get(self._current, 0.0) + max(
                0.0, now - self._since)
