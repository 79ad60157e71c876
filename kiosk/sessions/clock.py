"""Time sources, injected so the session core can be tested without sleeping.

``datetime`` is imported by the first reading of the date, not with this module: the kiosk's
welcome screen shows no date, and its first frame does not wait for the module (~2 ms)."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import datetime as dt


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> dt.datetime: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> dt.datetime:
        import datetime as dt

        return dt.datetime.now().astimezone()


class ManualClock:
    """A clock that only moves when told to (tests, the scripted demo)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._mono = 1000.0
        self._start = start  # None: 2 March 2026, 10:00 UTC

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> dt.datetime:
        import datetime as dt

        start = self._start or dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
        return start + dt.timedelta(seconds=self._mono - 1000.0)

    def advance(self, seconds: float) -> None:
        self._mono += seconds
