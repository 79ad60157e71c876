"""Calling a mediator from inside a practice page, without leaving the procedure.

A resident stuck on a page touches « Appeler un médiateur » in the kiosk's side panel: the
request goes through the runtime's help desk (the same one as the home screen's tile), carrying
the procedure's id and the step reached, so the mediator knows where to look before arriving.
The answer is said with the help-call screen's own honest words (a mediator was told / could
not be told: go to the desk / a mediator is coming) in a card over the page, and stays written
under the button once the card is closed; the page, its values and the run are untouched.
"""
from __future__ import annotations

import logging
from typing import Any

from kiosk.i18n import N_, _
from kiosk.runtime import CANCELLABLE_VIEWS, HelpView
from kiosk.screens.kit import KLabel, ui
from kiosk.screens.practice_flow import PracticeFlow

log = logging.getLogger(__name__)

# The help-call screen's words (same French source, hence the same translations).
TITLES = {
    HelpView.SENDING: N_("Nous prévenons un médiateur…"),
    HelpView.NOTIFIED: N_("Un médiateur a été prévenu."),
    HelpView.COMING: N_("Un médiateur arrive."),
    HelpView.GO_TO_DESK: N_("Nous n'avons pas pu prévenir un médiateur."),
    HelpView.CANCELLED: N_("Votre appel est annulé."),
}
GO_TO_DESK = N_("Allez à {where} : quelqu'un vous aidera.")
COMING = N_("Restez devant la borne : il vient vers vous.")
WAIT = N_("Restez devant la borne : un médiateur va venir vous aider.")
KEEP_GOING = N_("Votre exercice vous attend : vous pouvez continuer en attendant.")


def status_words(view: HelpView, where: str) -> tuple[str, str]:
    """(title, what to do), in the current language."""
    if view is HelpView.GO_TO_DESK:  # the place in the resident's language when known
        body = _(GO_TO_DESK).format(where=_(where))
    elif view is HelpView.COMING:
        body = _(COMING)
    elif view is HelpView.CANCELLED:
        body = _(KEEP_GOING)
    else:
        body = _(WAIT)
    return _(TITLES[view]), body


class PracticeHelpCall:
    """The page screen's link to the help desk. ``view`` is None until the resident asks."""

    def __init__(self, screen: Any, flow: PracticeFlow) -> None:
        self.screen = screen
        self.flow = flow
        self.view: HelpView | None = None
        self._card: KLabel | None = None
        flow.runtime.add_help_listener(self._changed)

    def request(self) -> HelpView:
        runtime = self.flow.runtime
        self._tell_position(runtime)
        self.view = runtime.request_help()
        self._show(open_card=True)
        self._say()
        return self.view

    def cancel(self) -> HelpView:
        """The resident cancels the call from the page (mediators stop seeing it)."""
        self.view = self.flow.runtime.cancel_help()
        self._show(open_card=False)
        self._say()
        return self.view

    def forget(self) -> None:
        """Session over: the next resident starts with no call in progress."""
        self.view = None
        self._card = None
        self.screen.help_status = ""
        self.screen.help_cancellable = False

    def language_changed(self) -> None:
        self._show(open_card=False)

    def _tell_position(self, runtime: Any) -> None:
        """The help desk asks ``position()`` for (procedure id, step) when it sends a request.
        The runtime opens the desk without one; while a practice runs, it is this flow's."""
        desk = getattr(runtime, "help_desk", None)
        if desk is not None and getattr(desk, "position", False) is None:
            desk.position = self.flow.position

    def _changed(self, view: HelpView) -> None:
        if self.view is None or view is self.view:
            return  # nothing asked from this page this session, or nothing new
        self.view = view
        self._show(open_card=False)
        self._say()

    def _say(self) -> None:
        """Read the status aloud when that option is on and the page is in front."""
        manager = self.screen.manager
        if self.view is not None and ui.read_aloud and manager is not None \
                and manager.current == self.screen.name:
            ui.speak("\n".join(status_words(self.view, self._where())))

    def _where(self) -> str:
        return str(self.flow.runtime.settings.get("kiosk.where_to_go"))

    def _show(self, open_card: bool) -> None:
        if self.view is None:
            return
        title, body = status_words(self.view, self._where())
        self.screen.help_status = title
        self.screen.help_cancellable = self.view in CANCELLABLE_VIEWS
        overlay = self.screen.overlay
        showing = self._card is not None and self._card.parent is not None \
            and overlay.parent is not None
        tone = "warning" if self.view is HelpView.GO_TO_DESK else "info"
        if showing:
            assert self._card is not None
            overlay.title = title
            overlay.tone = tone
            self._card.txt = f"{body}\n\n{_(KEEP_GOING)}"
        elif open_card:
            self._card = KLabel(txt=f"{body}\n\n{_(KEEP_GOING)}")
            overlay.open(self.screen, title, self._card, tone=tone)
