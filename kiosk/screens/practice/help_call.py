"""The practice page's call to a mediator, on the glass: the status in a card over the page
(kept written under the button once the card is closed), read aloud when that option is on.
Where the call stands is :class:`kiosk.practice.help.PracticeHelp` (no Kivy)."""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock

from kiosk.help_calls import HelpView
from kiosk.i18n import _
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.help import KEEP_GOING, PracticeHelp
from kiosk.screens.kit import KLabel, ui


class PracticeHelpCall:
    """Shows the page screen's :class:`PracticeHelp`; the screen declares ``help_status`` and
    ``overlay``."""

    def __init__(self, screen: Any, flow: PracticeFlow) -> None:
        self.screen = screen
        self.help = PracticeHelp(flow, self._changed)
        self._card: KLabel | None = None

    @property
    def view(self) -> HelpView | None:
        return self.help.view

    def request(self) -> HelpView:
        return self.help.request()

    def cancel(self) -> HelpView:
        return self.help.cancel()

    def forget(self) -> None:
        """Session over: the next resident starts with no call in progress."""
        self.help.forget()
        self._card = None
        self.screen.help_status = ""
        self.screen.help_cancellable = False

    def language_changed(self) -> None:
        self._show(open_card=False)

    def _changed(self, _view: HelpView, asked: bool) -> None:
        self._show(open_card=asked)
        self._say()

    def _say(self) -> None:
        """Read the status aloud when that option is on and the page is in front."""
        manager = self.screen.manager
        words = self.help.words()
        if words is not None and ui.read_aloud and manager is not None \
                and manager.current == self.screen.name:
            ui.speak("\n".join(words))

    def _show(self, open_card: bool) -> None:
        words = self.help.words()
        if words is None:
            return
        title, body = words
        self.screen.help_status = title
        was_cancellable = self.screen.help_cancellable
        self.screen.help_cancellable = self.help.cancellable
        if self.help.cancellable and not was_cancellable:
            # the call's status and "Annuler mon appel" sit at the top of the page: brought into
            # view, wherever the resident had scrolled to when they called
            Clock.schedule_once(lambda _dt: self._show_cancel(), 0)
        overlay = self.screen.overlay
        showing = self._card is not None and self._card.parent is not None \
            and overlay.parent is not None
        tone = "warning" if self.help.view is HelpView.GO_TO_DESK else "info"
        if showing:
            assert self._card is not None
            overlay.title = title
            overlay.tone = tone
            self._card.txt = f"{body}\n\n{_(KEEP_GOING)}"
        elif open_card:
            self._card = KLabel(txt=f"{body}\n\n{_(KEEP_GOING)}")
            overlay.open(self.screen, title, self._card, tone=tone)

    def _show_cancel(self) -> None:
        scroller = self.screen.ids.get("scroller")
        if scroller is not None and self.screen.help_cancellable:
            scroller.scroll_to(self.screen.ids.help_status, animate=False)
