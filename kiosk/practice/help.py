"""Calling a mediator from inside a practice page, without leaving the procedure.

A resident stuck on a page touches « Appeler un médiateur » in the kiosk's side panel: the
request goes through the runtime's help desk (the same one as the home screen's tile), carrying
the procedure's id and the step reached, so the mediator knows where to look before arriving.
The answer is said with the help-call screen's own honest words (a mediator was told / could
not be told: go to the desk / a mediator is coming); the page, its values and the run are
untouched. No Kivy here: the page screen draws the words
(:mod:`kiosk.screens.practice.help_call`).
"""
from __future__ import annotations

from collections.abc import Callable

from kiosk.help_calls import CANCELLABLE_VIEWS, HelpView
from kiosk.i18n import N_, _
from kiosk.practice.flow import PracticeFlow

# Told where the call stands: (view, asked), asked True when the resident just asked.
HelpChanged = Callable[[HelpView, bool], None]

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


class PracticeHelp:
    """A practice page's link to the help desk. ``view`` is None until the resident asks."""

    def __init__(self, flow: PracticeFlow, changed: HelpChanged) -> None:
        self.flow = flow
        self.view: HelpView | None = None
        self._changed_cb = changed
        flow.runtime.add_help_listener(self._changed)

    def request(self) -> HelpView:
        self._tell_position()
        self.view = self.flow.runtime.request_help()
        self._changed_cb(self.view, True)
        return self.view

    def cancel(self) -> HelpView:
        """The resident cancels the call from the page (mediators stop seeing it)."""
        self.view = self.flow.runtime.cancel_help()
        self._changed_cb(self.view, False)
        return self.view

    @property
    def cancellable(self) -> bool:
        return self.view in CANCELLABLE_VIEWS

    def forget(self) -> None:
        """Session over: the next resident starts with no call in progress."""
        self.view = None

    def words(self) -> tuple[str, str] | None:
        """(title, what to do) in the current language, None before any call."""
        if self.view is None:
            return None
        return status_words(self.view, str(self.flow.runtime.settings.get("kiosk.where_to_go")))

    def _tell_position(self) -> None:
        """The help desk asks ``position()`` for (procedure id, step) when it sends a request.
        The runtime opens the desk without one; while a practice runs, it is this flow's."""
        desk = self.flow.runtime.help_desk
        if desk is not None and desk.position is None:
            desk.position = self.flow.position

    def _changed(self, view: HelpView) -> None:
        if self.view is None or view is self.view:
            return  # nothing asked from this page this session, or nothing new
        self.view = view
        self._changed_cb(view, False)
