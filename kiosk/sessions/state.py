"""The kiosk's session states and which changes between them are allowed."""
from __future__ import annotations

from enum import Enum


class SessionState(str, Enum):
    IDLE = "idle"                  # welcome/attract screen, no session
    ACTIVE = "active"              # a resident is using the kiosk
    IDLE_WARNING = "idle_warning"  # no touch for a while: countdown before the session ends
    ENDING = "ending"              # wiped; the end screen (and optional survey) is showing
    OUT_OF_ORDER = "out_of_order"  # set by a mediator or the server; no sessions
    MAINTENANCE = "maintenance"    # a mediator has the kiosk for maintenance


IN_SESSION = frozenset({SessionState.ACTIVE, SessionState.IDLE_WARNING})

ALLOWED: dict[SessionState, frozenset[SessionState]] = {
    SessionState.IDLE: frozenset({SessionState.ACTIVE, SessionState.OUT_OF_ORDER,
                                  SessionState.MAINTENANCE}),
    SessionState.ACTIVE: frozenset({SessionState.IDLE_WARNING, SessionState.ENDING}),
    SessionState.IDLE_WARNING: frozenset({SessionState.ACTIVE, SessionState.ENDING}),
    SessionState.ENDING: frozenset({SessionState.IDLE, SessionState.OUT_OF_ORDER,
                                    SessionState.MAINTENANCE}),
    SessionState.OUT_OF_ORDER: frozenset({SessionState.IDLE, SessionState.MAINTENANCE}),
    SessionState.MAINTENANCE: frozenset({SessionState.IDLE, SessionState.OUT_OF_ORDER}),
}


class InvalidTransition(Exception):
    def __init__(self, old: SessionState, new: SessionState) -> None:
        super().__init__(f"cannot go from {old.value} to {new.value}")
        self.old, self.new = old, new
