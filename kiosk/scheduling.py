"""How background work hands a callback to the UI thread: ``schedule(fn, delay_s)``.

Device threads, the help desk and the heartbeat never touch the UI themselves: the app passes
Kivy's clock as their ``schedule`` (kiosk/app.py), tests and command-line tools pass
:func:`run_now`. One definition for every part.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Schedule = Callable[[Callable[[], None], float], Any]


def run_now(fn: Callable[[], None], _delay: float = 0.0) -> None:
    """A ``Schedule`` that runs the callback at once, on the calling thread."""
    fn()
