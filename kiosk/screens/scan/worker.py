"""Slow work of the scan screen (scanning, building the PDF) on a worker thread, so the screen
keeps answering touches; the result or the fault comes back on the Kivy clock.

When the flow is reset meanwhile (the session ended, the resident left), the work in flight is
not stopped (a scanner cannot be interrupted mid-page) but its result is dropped: nothing of the
previous resident reaches the screen of the next one.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class BackgroundWork:
    def __init__(self, thread_name: str = "kiosk-scan") -> None:
        self.thread_name = thread_name
        self._generation = 0

    def forget_in_flight(self) -> None:
        """Results of the work already started will be dropped."""
        self._generation += 1

    def start(self, work: Callable[[], Any], done: Done, failed: Failed) -> None:
        """``work()`` on a worker thread, then ``done(result)`` or ``failed(error)`` on the
        UI thread, unless :meth:`forget_in_flight` was called in between."""
        generation = self._generation

        def finish(result: Any, err: BaseException | None) -> None:
            if generation != self._generation:
                return
            if err is not None:
                failed(err)
            else:
                done(result)

        def worker() -> None:
            try:
                result, err = work(), None
            except Exception as exc:  # noqa: BLE001  shown in plain words by the screen, logged
                result, err = None, exc
            Clock.schedule_once(lambda _dt: finish(result, err), 0)

        threading.Thread(target=worker, name=self.thread_name, daemon=True).start()
