"""Run a slow device call (a scan, following a print job) off the UI thread.

A scan takes seconds on a real scanner: the screen must keep answering (the idle timer, the
"cancel" button). ``run_in_background`` runs the call on a worker thread and hands its result,
or its :class:`DeviceError`, back through the injected ``schedule`` so the callbacks run on
the UI's main loop like every other device event.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from kiosk.devices import errors
from kiosk.devices.base import Schedule

log = logging.getLogger(__name__)
T = TypeVar("T")


def run_in_background(call: Callable[[], T], on_done: Callable[[T], None],
                      on_error: Callable[[errors.DeviceError], None], schedule: Schedule,
                      name: str = "device-call") -> threading.Thread:
    def report(fault: errors.DeviceError) -> None:
        schedule(lambda: on_error(fault), 0)

    def work() -> None:
        try:
            result = call()
        except errors.DeviceError as err:
            report(err)
            return
        except Exception as err:  # a bug must still reach the screen as a plain fault
            log.exception("%s failed", name)
            report(errors.DeviceError(f"{name}: {type(err).__name__}: {err}"))
            return
        schedule(lambda: on_done(result), 0)

    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    return thread
