"""What every device facade shares: one state Enum, listeners, one ``set_state()``."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Generic, TypeVar

# schedule(fn, delay_s): run fn later on the UI's main loop (Kivy Clock), never on our thread.
from kiosk.scheduling import Schedule

__all__ = ["Schedule", "StatefulDevice"]

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Enum)
StateListener = Callable[[S, S], None]
# schedule(fn, delay_s): run fn later on the UI's main loop (Kivy Clock), never on our thread.


class StatefulDevice(Generic[S]):
    """A facade's state, changed in one place, with listeners told (old, new)."""

    def __init__(self, initial: S) -> None:
        self._state: S = initial
        self._state_lock = threading.Lock()
        self._state_listeners: list[StateListener[S]] = []
        self.last_error: str = ""  # technical text of the latest fault, for the mediator panel
        # Set by hotplug when the device's USB cable is out: refresh() then reports it absent
        # even if the backend (a CUPS queue) still looks fine.
        self.unplugged = False

    @property
    def state(self) -> S:
        return self._state

    def add_listener(self, listener: StateListener[S]) -> None:
        self._state_listeners.append(listener)

    def remove_listener(self, listener: StateListener[S]) -> None:
        if listener in self._state_listeners:
            self._state_listeners.remove(listener)

    def set_state(self, new: S) -> None:
        """The one place the state changes; listeners hear each real change once."""
        with self._state_lock:
            old = self._state
            if new == old:
                return
            self._state = new
        log.info("%s: %s -> %s", type(self).__name__, old.value, new.value)
        for listener in list(self._state_listeners):
            try:
                listener(old, new)
            except Exception:  # a broken screen must not break the device layer
                log.exception("device listener failed on %s -> %s", old.value, new.value)
