"""The badge reader facade: reader presence, card insertion/removal, the card's UID.

Card events come from a backend thread (pcsc_reader.py) or from the demo backend; the facade
hands them to the UI's main loop through the injected ``schedule`` so listeners never run on
the backend's thread. Listeners: ``on_card_inserted(uid: bytes)`` and ``on_card_removed()``.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Protocol

from kiosk.devices import errors
from kiosk.devices.base import Schedule, StatefulDevice

log = logging.getLogger(__name__)

GET_UID_APDU = bytes.fromhex("FFCA000000")  # PC/SC part 3 "Get Data": the card's UID


class ReaderState(str, Enum):
    READY = "ready"            # a reader is there, no card on it
    CARD_PRESENT = "card_present"
    BUSY = "busy"
    ERROR = "error"            # the service (pcscd) does not answer
    ABSENT = "absent"          # no reader plugged in


InsertedListener = Callable[[bytes], None]
RemovedListener = Callable[[], None]


class ReaderEvents(Protocol):
    """What a backend calls, from any thread."""

    def card_inserted(self, uid: bytes) -> None: ...

    def card_removed(self) -> None: ...

    def readers_changed(self, names: list[str]) -> None: ...

    def fault(self, error: errors.DeviceError) -> None: ...


class ReaderBackend(Protocol):
    name: str

    def start(self, events: ReaderEvents) -> None: ...

    def readers(self) -> list[str]: ...

    def stop(self) -> None: ...


class CardReader(StatefulDevice[ReaderState]):
    def __init__(self, backend: ReaderBackend | None, schedule: Schedule) -> None:
        super().__init__(ReaderState.ABSENT)
        self.backend = backend
        self._schedule = schedule
        self._inserted: list[InsertedListener] = []
        self._removed: list[RemovedListener] = []
        self._uid: bytes | None = None
        self._card_event = threading.Condition()
        self._latest: tuple[int, bytes | None] = (0, None)  # (event number, uid) for wait_for_card
        self.reader_names: list[str] = []
        if backend is not None:
            self.attach(backend)

    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend else "none"

    def attach(self, backend: ReaderBackend) -> None:
        """Start listening to ``backend`` (at start, or when re-probing found PC/SC)."""
        self.backend = backend
        backend.start(_Bridge(self))
        self.readers_changed(backend.readers())

    def add_card_listener(self, on_card_inserted: InsertedListener | None = None,
                          on_card_removed: RemovedListener | None = None) -> None:
        if on_card_inserted is not None:
            self._inserted.append(on_card_inserted)
        if on_card_removed is not None:
            self._removed.append(on_card_removed)

    @property
    def card_uid(self) -> bytes | None:
        return self._uid

    # --- from the backend's thread -----------------------------------------------------------
    def _notify_waiters(self, uid: bytes | None) -> None:
        with self._card_event:
            self._latest = (self._latest[0] + 1, uid)
            self._card_event.notify_all()

    def card_inserted(self, uid: bytes) -> None:
        self._notify_waiters(uid)
        self._schedule(lambda: self._deliver_inserted(uid), 0)

    def card_removed(self) -> None:
        self._notify_waiters(None)
        self._schedule(self._deliver_removed, 0)

    def readers_changed(self, names: list[str]) -> None:
        def apply() -> None:
            self.reader_names = list(names)
            if not names or self.unplugged:
                self._uid = None
                self.set_state(ReaderState.ABSENT)
            elif self.state in (ReaderState.ABSENT, ReaderState.ERROR):
                self.set_state(ReaderState.READY)
        self._schedule(apply, 0)

    def fault(self, error: errors.DeviceError) -> None:
        def apply() -> None:
            self.last_error = error.technical
            self.set_state(ReaderState.ERROR)
        self._schedule(apply, 0)

    # --- on the main loop ---------------------------------------------------------------------
    def _deliver_inserted(self, uid: bytes) -> None:
        self._uid = uid
        self.set_state(ReaderState.CARD_PRESENT)
        for listener in list(self._inserted):
            try:
                listener(uid)
            except Exception:
                log.exception("card listener failed")

    def _deliver_removed(self) -> None:
        self._uid = None
        if self.state is ReaderState.CARD_PRESENT:
            self.set_state(ReaderState.READY)
        for listener in list(self._removed):
            try:
                listener()
            except Exception:
                log.exception("card listener failed")

    def refresh(self) -> ReaderState:
        if self.backend is not None:
            try:
                self.readers_changed(self.backend.readers())
            except errors.DeviceError as err:
                self.fault(err)
        return self.state

    def wait_for_card(self, timeout: float) -> bytes | None:
        """The card on the reader now, or the next one presented within ``timeout`` (CLI
        enrolment, from any thread but the main loop's); None if none comes."""
        with self._card_event:
            ok = self._card_event.wait_for(lambda: self._latest[1] is not None, timeout)
            return self._latest[1] if ok else None

    def close(self) -> None:
        if self.backend is not None:
            self.backend.stop()


class _Bridge:
    """The facade's backend-facing side (keeps the public API of CardReader small)."""

    def __init__(self, reader: CardReader) -> None:
        self._reader = reader

    def card_inserted(self, uid: bytes) -> None:
        self._reader.card_inserted(uid)

    def card_removed(self) -> None:
        self._reader.card_removed()

    def readers_changed(self, names: list[str]) -> None:
        self._reader.readers_changed(names)

    def fault(self, error: errors.DeviceError) -> None:
        self._reader.fault(error)
