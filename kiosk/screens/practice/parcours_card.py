"""Before the session ends, while a parcours was followed and an exercise done: "Imprimez votre
carte de progression". The card is a session PDF printed through the print service (wiped
with the session like every document); its QR code holds only the parcours and the exercises
done, signed (kiosk.practice.parcours_card). "Terminer" then asks the usual confirmation.

Offered wherever the resident ends the session themselves, or asks for it: "J'ai terminé" on
the home screen and in the browser, and a button on the debrief (:meth:`offer_from`; "Retour"
goes back there). Never when the session ends by inactivity (nobody is there to take the card)
nor when a mediator ends it from the console (the kiosk cannot know whether the resident is still
in front of it; the mediator can ask them to touch "J'ai terminé", which offers the card)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.devices.errors import DeviceError
from kiosk.i18n import _, ngettext
from kiosk.practice.flow import PracticeFlow
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import ui
from kiosk.screens.kit.busy import BusyWork
from kiosk.screens.practice.widgets import tx

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)


class ParcoursCardScreen(BusyWork, AppScreen):
    summary = StringProperty("")
    print_status = StringProperty("")
    printed = BooleanProperty(False)
    can_print = BooleanProperty(False)
    busy = BooleanProperty(False)
    came_from = StringProperty("home")  # the screen "Retour" goes back to

    def __init__(self, flow: PracticeFlow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self._panel: Any = None
        self._worker: Any = None
        ui.fbind("language", lambda *_a: self._fill())

    def worth_offering(self) -> bool:
        return self.flow.parcours.card_worth_printing()

    def offer_from(self, screen: str) -> bool:
        """Show the card when it is worth printing (the resident is leaving, or asks for it),
        coming back to ``screen`` on "Retour"; False when not offered."""
        if not self.worth_offering():
            return False
        self.came_from = screen
        self.go(self.name)
        return True

    def on_pre_enter(self, *args: Any) -> None:
        self.printed = False
        self.print_status = ""
        self.can_print = self.flow.can_print()
        self._fill()

    def _fill(self) -> None:
        progress = self.flow.parcours.progress
        if progress is None:
            return
        self.summary = ngettext(
            "Vous avez fait {done} exercice du « {title} » sur {total}.",
            "Vous avez fait {done} exercices du « {title} » sur {total}.",
            progress.done_count).format(done=progress.done_count, total=progress.total,
                                        title=tx(progress.parcours.title))

    def print_card(self) -> None:
        self.run_busy("kiosk-card", _("Préparation de votre carte…"),
                      lambda lang=ui.language: self.flow.print_card(lang), self._sent,
                      self._failed)

    def _sent(self, job: Any) -> None:
        self._not_busy()
        self.printed = True
        self.last_job = job
        self.print_status = _("Votre carte est envoyée à l'imprimante. Prenez-la en partant et "
                              "gardez-la pour votre prochaine visite.")

    def _failed(self, err: BaseException) -> None:
        self._not_busy()
        if isinstance(err, DeviceError):
            log.warning("progress card not printed: %s", err.technical)
            self.print_status = err.shown()
        else:
            log.warning("progress card not printed: %s", err)
            self.print_status = _("La carte n'a pas pu être imprimée. Demandez à un médiateur.")

    def finish(self) -> None:
        """ "Terminer": the usual confirmation before everything is wiped."""
        self.app.screen("home").confirm_end()

    def page_back(self) -> None:  # "Retour": the session goes on where the card was offered
        self.go(self.came_from)


def build_screen(runtime: KioskRuntime, flow: PracticeFlow) -> ParcoursCardScreen:
    return ParcoursCardScreen(flow, name="practice_parcours_card")


load_screen_kv(__file__)
