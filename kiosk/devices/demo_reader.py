"""A badge reader without hardware: a demo badge is "presented" by calling :meth:`present`.

The demo badge's UID is :data:`DEMO_BADGE_UID`; `kiosk demo` enrols it so a mediator can unlock
the demo kiosk. Events are delivered exactly as the PC/SC backend delivers them.
"""
from __future__ import annotations

from kiosk.devices.reader import ReaderEvents

DEMO_BADGE_UID = bytes.fromhex("04A1B2C3D4E5F6")
DEMO_READER_NAME = "Lecteur de démonstration"


class DemoReader:
    name = "demo"

    def __init__(self, plugged: bool = True) -> None:
        self._events: ReaderEvents | None = None
        self.plugged = plugged
        self.card: bytes | None = None

    def start(self, events: ReaderEvents) -> None:
        self._events = events

    def readers(self) -> list[str]:
        return [DEMO_READER_NAME] if self.plugged else []

    def present(self, uid: bytes = DEMO_BADGE_UID) -> None:
        if self.card is not None:
            self.take_away()
        self.card = uid
        if self._events is not None:
            self._events.card_inserted(uid)

    def take_away(self) -> None:
        if self.card is None:
            return
        self.card = None
        if self._events is not None:
            self._events.card_removed()

    def unplug(self) -> None:
        self.take_away()
        self.plugged = False
        if self._events is not None:
            self._events.readers_changed([])

    def plug(self) -> None:
        self.plugged = True
        if self._events is not None:
            self._events.readers_changed(self.readers())

    def stop(self) -> None:
        self._events = None
