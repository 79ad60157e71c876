"""A resident's call for a mediator, as the screens see it: what to tell them (:class:`HelpView`)
and the three things they can do (call, cancel, be told when it changes).

The help desk (kiosk/sync/help.py) speaks to the server; this is the view of it the screens
share, the help screen and the practice page alike. Without a server there is no desk: the call
is still counted in the session's record and the answer is "go to the desk". No Kivy, and the
help desk's module is imported only with the desk, after the welcome screen's first frame.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

from kiosk.scheduling import Schedule

if TYPE_CHECKING:
    from kiosk.sessions.core import SessionCore
    from kiosk.sync.help import HelpDesk

log = logging.getLogger(__name__)


class HelpView(str, Enum):
    """What the help screen tells the resident, from the help desk's status."""

    SENDING = "sending"          # request on its way
    NOTIFIED = "notified"        # the server has it: a mediator was told
    COMING = "coming"            # a mediator acknowledged: "Un médiateur arrive"
    GO_TO_DESK = "go_to_desk"    # offline or not delivered: go to the desk
    CANCELLED = "cancelled"      # the resident cancelled the call


# By kiosk.sync.help.HelpStatus value (that module is not imported here, see above).
HELP_VIEWS: dict[str, HelpView] = {
    "sending": HelpView.SENDING,
    "sent": HelpView.NOTIFIED,
    "acknowledged": HelpView.COMING,
    "cancelled": HelpView.CANCELLED,
}
# Views of a call the resident can still cancel.
CANCELLABLE_VIEWS = frozenset({HelpView.SENDING, HelpView.NOTIFIED, HelpView.COMING})


class HelpCalls:
    """Calls through ``desk()`` (None: no server configured), counted in ``core()``'s session;
    listeners are told the new view on the UI thread, through ``schedule``."""

    def __init__(self, desk: Callable[[], HelpDesk | None], core: Callable[[], SessionCore],
                 schedule: Schedule) -> None:
        self._desk, self._core, self._schedule = desk, core, schedule
        self._listeners: list[Callable[[HelpView], None]] = []

    def add_listener(self, listener: Callable[[HelpView], None]) -> None:
        self._listeners.append(listener)

    def request(self) -> HelpView:
        """Ask for a mediator. The help desk counts the request in the session's record; without
        one, it is counted here (the resident did ask) and the answer is "go to the desk"."""
        desk = self._desk()
        if desk is None:
            from kiosk_wire.schema import Activity, ActivityKind

            core = self._core()
            if core.in_session:
                core.add_activity(Activity(kind=ActivityKind.HELP))
            return HelpView.GO_TO_DESK
        try:
            desk.request()
        except Exception:
            log.exception("help request failed")
            return HelpView.GO_TO_DESK
        return self.view()

    def cancel(self) -> HelpView:
        """The resident cancelled their call (mediators stop seeing it); the view after it."""
        desk = self._desk()
        if desk is not None:
            try:
                desk.cancel()
            except Exception:
                log.exception("help request cancellation failed")
        return self.view()

    def view(self) -> HelpView:
        desk = self._desk()
        status = desk.status if desk is not None else None
        return HELP_VIEWS.get(status.value, HelpView.GO_TO_DESK) if status else \
            HelpView.GO_TO_DESK

    def desk_changed(self, _status: Any) -> None:
        """The help desk's listener (called on its network thread)."""
        def tell() -> None:
            # Read when told, not when scheduled: a stale "notified" must not overwrite a
            # cancellation the resident made in between.
            view = self.view()
            for listener in list(self._listeners):
                listener(view)
        self._schedule(tell, 0)
