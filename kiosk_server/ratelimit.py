"""Per-kiosk request rate limit: a token bucket per key, in this process's memory.

Deliberately not shared between processes: it protects each process (and the database behind it)
from one runaway kiosk; with N processes behind a load balancer a kiosk may make up to N times
the limit, which is still bounded. No state that matters is lost when a process restarts.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(per_minute, 1))
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> tuple[bool, float]:
        """(allowed, seconds to wait before the next request would be allowed)."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return True, 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 100_000:  # forget idle keys (full buckets) to bound memory
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.capacity}
            return False, (1.0 - tokens) / self.rate
