"""Schedulers for code outside Kivy (CLI, tests, benchmarks).

The UI passes ``lambda fn, delay: Clock.schedule_once(lambda dt: fn(), delay)``. Without a UI,
:class:`TimerScheduler` runs each call on a timer thread, one at a time (a lock), so callbacks
still never run concurrently with each other; :class:`QueueScheduler` keeps calls until the
owner thread runs them, which is what a test that wants to stay on one thread uses.
"""
from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class TimerScheduler:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timers: set[threading.Timer] = set()

    def __call__(self, fn: Callable[[], None], delay: float) -> None:
        def run() -> None:
            self._timers.discard(timer)
            with self._lock:
                fn()
        timer = threading.Timer(max(0.0, delay), run)
        timer.daemon = True
        self._timers.add(timer)
        timer.start()

    def cancel_all(self) -> None:
        for timer in list(self._timers):
            timer.cancel()
        self._timers.clear()


class QueueScheduler:
    """Calls wait in a queue until :meth:`run_due` (or :meth:`run_until`) on the owner thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._wake = threading.Event()

    def __call__(self, fn: Callable[[], None], delay: float) -> None:
        with self._lock:
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, delay), next(self._seq), fn))
        self._wake.set()

    def run_due(self) -> int:
        ran = 0
        while True:
            with self._lock:
                if not self._heap or self._heap[0][0] > time.monotonic():
                    return ran
                _, _, fn = heapq.heappop(self._heap)
            fn()
            ran += 1

    def run_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Run scheduled calls until ``condition()`` holds or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while True:
            self.run_due()
            if condition():
                return True
            if time.monotonic() >= deadline:
                return False
            self._wake.wait(0.05)
            self._wake.clear()
