"""Time sources, injected so the session core can be tested without sleeping."""
from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> dt.datetime: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> dt.datetime:
        return dt.datetime.now().astimezone()


class ManualClock:
    """A clock that only moves when told to (tests, the scripted demo)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._mono = 1000.0
        self._start = start or dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=self._mono - 1000.0)

    def advance(self, seconds: float) -> None:
        self._mono += seconds
